package kiln.autograd;

import java.util.Arrays;
import java.util.function.Function;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/**
 * Checks a gradient rule against the definition of the derivative: central differences in float64,
 *
 * <pre>  ∂L/∂xᵢ ≈ (L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h,   h = 1e-6,</pre>
 *
 * passing when |numeric − analytic| ≤ 1e-5 + 1e-3·|numeric| (DESIGN.md §4). The truncation error of
 * a central difference is O(h²) ≈ 1e-12 and the rounding error about ε·|L|/h ≈ 1e-10·|L|, so these
 * tolerances leave two orders of magnitude of room and still catch a wrong rule (usually off by O(1)).
 *
 * <p>A function with a tensor result is reduced to the scalar L = Σ f(x)·w with fixed random weights
 * w, which checks the whole vector–Jacobian product that backward() computes. Inputs with more than
 * {@link #MAX_ELEMENTWISE} elements are checked along random directions d instead of each eᵢ:
 * (L(x + h·d) − L(x − h·d)) / 2h against ∇L·d.
 */
public final class GradCheck {
    public static final double STEP = 1e-6;
    public static final double ABSOLUTE_TOLERANCE = 1e-5;
    public static final double RELATIVE_TOLERANCE = 1e-3;
    /** Above this many elements an input is checked along {@link #DIRECTIONS} random directions. */
    public static final int MAX_ELEMENTWISE = 300;
    public static final int DIRECTIONS = 12;

    private GradCheck() {}

    /**
     * Checks every input of {@code f} that requires a gradient; throws {@link AssertionError} naming
     * the input, the element (or direction) and both derivatives at the first disagreement.
     *
     * @param f      the function under test; it must be deterministic
     * @param inputs float64 tensors; those with requiresGrad(true) are checked
     */
    public static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        for (Tensor input : inputs) {
            if (input.requiresGrad() && input.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("GradCheck: inputs must be float64, got " + input.describe());
            }
        }
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor weights;
            try (Autograd.NoGrad off = Autograd.noGrad()) {
                Tensor probe = f.apply(inputs);
                weights = Tensor.randn(new Generator(12345), DType.FLOAT64, probe.dims());
            }
            for (Tensor input : inputs) {
                input.setGrad(null);
            }
            loss(f, inputs, weights).backward();
            for (int k = 0; k < inputs.length; k++) {
                Tensor input = inputs[k];
                if (!input.requiresGrad()) {
                    continue;
                }
                double[] analytic = input.grad() == null ? new double[(int) input.numel()] : input.grad().toDoubleArray();
                if (input.numel() <= MAX_ELEMENTWISE) {
                    checkEachElement(what, f, inputs, weights, k, analytic);
                } else {
                    checkDirections(what, f, inputs, weights, k, analytic);
                }
            }
        }
    }

    private static Tensor loss(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights) {
        return f.apply(inputs).mul(weights).sum();
    }

    private static double lossAt(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights, int k, double[] values) {
        try (MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            inputs[k].copyFrom(Tensor.fromArray(values, inputs[k].dims()));
            return loss(f, inputs, weights).item();
        }
    }

    private static void checkEachElement(String what, Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights,
                                         int k, double[] analytic) {
        double[] x = inputs[k].toDoubleArray();
        try {
            for (int i = 0; i < x.length; i++) {
                double[] plus = x.clone();
                double[] minus = x.clone();
                plus[i] += STEP;
                minus[i] -= STEP;
                double numeric = (lossAt(f, inputs, weights, k, plus) - lossAt(f, inputs, weights, k, minus)) / (2 * STEP);
                compare(what, inputs[k], "element " + i, numeric, analytic[i]);
            }
        } finally {
            lossAt(f, inputs, weights, k, x);      // restore the input
        }
    }

    private static void checkDirections(String what, Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights,
                                        int k, double[] analytic) {
        double[] x = inputs[k].toDoubleArray();
        Generator rng = new Generator(777);
        try {
            for (int d = 0; d < DIRECTIONS; d++) {
                double[] direction = new double[x.length];
                double projected = 0;
                for (int i = 0; i < x.length; i++) {
                    direction[i] = rng.nextGaussian();
                    projected += analytic[i] * direction[i];
                }
                double[] plus = x.clone();
                double[] minus = x.clone();
                for (int i = 0; i < x.length; i++) {
                    plus[i] += STEP * direction[i];
                    minus[i] -= STEP * direction[i];
                }
                double numeric = (lossAt(f, inputs, weights, k, plus) - lossAt(f, inputs, weights, k, minus)) / (2 * STEP);
                compare(what, inputs[k], "random direction " + d, numeric, projected);
            }
        } finally {
            lossAt(f, inputs, weights, k, x);
        }
    }

    private static void compare(String what, Tensor input, String where, double numeric, double analytic) {
        if (!(Math.abs(numeric - analytic) <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(numeric))) {
            throw new AssertionError(what + ": gradient of input " + input.describe() + " disagrees at " + where
                    + ": numeric " + numeric + ", backward() " + analytic + " (shape " + Arrays.toString(input.dims()) + ")");
        }
    }
}

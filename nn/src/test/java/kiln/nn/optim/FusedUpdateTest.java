package kiln.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.DType;
import kiln.engine.Tensor;
import kiln.nn.Parameter;

/**
 * The fused update (one kernel pass over a contiguous float32 parameter, its gradient and its state)
 * against the tensor-op update it replaces, over several steps with every option:
 * <ul>
 *   <li>the same parameter as a strided float32 view takes the tensor-op path: parameter and state
 *       must agree bit for bit, since the kernels do the same float32 operations in the same order;</li>
 *   <li>a float64 copy takes the tensor-op path in double: the float32 results must stay within
 *       float32 rounding of it.</li>
 * </ul>
 * Sizes are awkward for the vector lanes (1, 15, 16, 17, 97) and one is above the kernels' parallel chunk.
 */
class FusedUpdateTest {
    private static final int STEPS = 5;

    /**
     * float32 against float64 after five steps: |θ₃₂ − θ₆₄| ≤ 1e-6·(1 + |θ₆₄|). Each step rounds θ
     * (6e-8·|θ|) and its update (a few float roundings of a step ≤ 0.1); measured at most 2.2e-7.
     */
    private static final double TOLERANCE = 1e-6;

    private static final Map<String, Function<List<Parameter>, Optimizer>> OPTIMIZERS = Map.ofEntries(
            Map.entry("sgd", p -> new SGD(p, 0.1)),
            Map.entry("sgd_momentum_dampening_wd", p -> new SGD(p, SGD.options().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01))),
            Map.entry("sgd_nesterov_wd", p -> new SGD(p, SGD.options().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01))),
            Map.entry("adam", p -> new Adam(p, 0.01)),
            Map.entry("adam_wd_amsgrad", p -> new Adam(p, Adam.options().lr(0.01).weightDecay(0.1).amsgrad(true))),
            Map.entry("adamw", p -> new AdamW(p, AdamW.options().lr(0.01).weightDecay(0.1))),
            Map.entry("adamw_amsgrad", p -> new AdamW(p, AdamW.options().lr(0.01).amsgrad(true))),
            Map.entry("rmsprop", p -> new RMSprop(p, 0.01)),
            Map.entry("rmsprop_centered_momentum_wd", p -> new RMSprop(p,
                    RMSprop.options().lr(0.01).centered(true).momentum(0.5).weightDecay(0.01))),
            Map.entry("adagrad", p -> new Adagrad(p, 0.1)),
            Map.entry("adagrad_decay_wd", p -> new Adagrad(p,
                    Adagrad.options().lr(0.1).lrDecay(0.01).weightDecay(0.01).initialAccumulatorValue(0.1))));

    static Stream<Arguments> optimizersAndSizes() {
        return OPTIMIZERS.keySet().stream().sorted()
                .flatMap(name -> Stream.of(1, 15, 16, 17, 97, 100_003).map(n -> Arguments.of(name, n)));
    }

    @ParameterizedTest(name = "{0}, n = {1}")
    @MethodSource("optimizersAndSizes")
    void fusedStepsMatchTheTensorOperations(String name, int n) {
        SplittableRandom random = new SplittableRandom(31L * n + name.hashCode());
        double[] start = uniform(random, n, 2);
        Parameter fused = new Parameter(Tensor.fromArray(toFloats(start), n));
        Parameter strided = new Parameter(everyOther(start));
        Parameter wide = new Parameter(Tensor.fromArray(start, n));
        try (Optimizer fusedOptimizer = OPTIMIZERS.get(name).apply(List.of(fused));
             Optimizer stridedOptimizer = OPTIMIZERS.get(name).apply(List.of(strided));
             Optimizer wideOptimizer = OPTIMIZERS.get(name).apply(List.of(wide))) {
            assertEquals(n > 1, !strided.value().isContiguous(), "the strided copy takes the tensor-op path");
            for (int step = 1; step <= STEPS; step++) {
                float[] grad = gradient(random, start);
                fused.value().setGrad(Tensor.fromArray(grad, n));
                strided.value().setGrad(Tensor.fromArray(grad, n));
                wide.value().setGrad(Tensor.fromArray(grad, n).to(DType.FLOAT64));
                fusedOptimizer.step();
                stridedOptimizer.step();
                wideOptimizer.step();
                String at = name + " n=" + n + " step " + step;
                assertArrayEquals(bits(fused.value()), bits(strided.value()), at + ": parameter, fused vs tensor ops");
                Map<String, Tensor> fusedState = fusedOptimizer.stateOf(fused).tensors();
                Map<String, Tensor> stridedState = stridedOptimizer.stateOf(strided).tensors();
                assertEquals(stridedState.keySet(), fusedState.keySet(), at + ": state names");
                fusedState.forEach((key, tensor) -> assertArrayEquals(bits(stridedState.get(key)), bits(tensor), at + ": " + key));
                assertNear(wide.value().toDoubleArray(), fused.value().toFloatArray(), at + ": float32 vs float64");
            }
        } finally {
            fused.value().close();
            strided.value().close();
            wide.value().close();
        }
    }

    private static double[] uniform(SplittableRandom random, int n, double bound) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextDouble(-bound, bound);
        }
        return values;
    }

    /**
     * A gradient of magnitude in [0.25, 1) with the sign of the starting parameter. Bounded away from 0,
     * so that neither g + λθ (λ|θ| ≤ 0.2) nor Adam's first step m/√v (= ±1 for any g ≠ 0) divides
     * quantities that cancel to nothing, where float32 and float64 would rightly disagree.
     */
    private static float[] gradient(SplittableRandom random, double[] start) {
        float[] grad = new float[start.length];
        for (int i = 0; i < grad.length; i++) {
            grad[i] = (float) (Math.copySign(random.nextDouble(0.25, 1), start[i]));
        }
        return grad;
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    /** A float32 view of {@code values} with stride 2 over a buffer twice as long: not contiguous. */
    private static Tensor everyOther(double[] values) {
        float[] spaced = new float[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            spaced[2 * i] = (float) values[i];
            spaced[2 * i + 1] = Float.NaN;          // never read
        }
        try (Tensor buffer = Tensor.fromArray(spaced, spaced.length)) {
            return buffer.slice(0, 0, spaced.length, 2);
        }
    }

    private static int[] bits(Tensor t) {
        float[] values = t.toFloatArray();
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    private static void assertNear(double[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            double error = Math.abs(got[i] - want[i]);
            assertTrue(error <= TOLERANCE * (1 + Math.abs(want[i])), what + "[" + i + "]: " + got[i] + " vs " + want[i]);
        }
    }
}

package kiln.nn.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import kiln.autograd.GradCheck;
import kiln.engine.Autograd;
import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Module;

/** GradCheck of a layer with respect to its input and every one of its parameters (convert it with to(FLOAT64) first). */
final class LayerGradCheck {
    private LayerGradCheck() {}

    /** Checks the gradients of {@code f(x)}, a computation with {@code module}, for x and each parameter. */
    static void check(String what, Module module, UnaryOperator<Tensor> f, Tensor x) {
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x);
        module.parameters().forEach(p -> inputs.add(p.value()));
        // GradCheck perturbs each input tensor in place, so f sees the module's parameters change through them.
        GradCheck.check(what, in -> f.apply(in[0]), inputs.toArray(new Tensor[0]));
    }

    /**
     * Gives every parameter random values, N(0, 0.25) plus 1 for vectors named "weight" (as
     * make_goldens.py does), so that a check sees non-trivial gains and biases rather than ones and zeros.
     */
    static void randomize(Module module, Generator rng) {
        try (Autograd.NoGrad off = Autograd.noGrad()) {
            module.namedParameters().forEach((name, p) -> {
                double shift = p.dims().length == 1 && name.endsWith("weight") ? 1 : 0;
                try (Tensor noise = Tensor.randn(rng, p.value().dtype(), p.dims()); Tensor value = noise.mul(0.5).add(shift)) {
                    p.value().copyFrom(value);
                }
            });
        }
    }
}

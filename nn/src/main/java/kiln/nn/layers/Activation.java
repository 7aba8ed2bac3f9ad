package kiln.nn.layers;

import java.util.function.UnaryOperator;

import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * Elementwise activation functions as modules, so that they can sit in a {@link Sequential}. Each
 * is one call to a differentiable tensor op (or a short composition of them).
 */
public final class Activation extends Module {
    private final String name;
    private final UnaryOperator<Tensor> function;

    private Activation(String name, UnaryOperator<Tensor> function) {
        this.name = name;
        this.function = function;
    }

    /** max(x, 0) */
    public static Activation relu() { return new Activation(RELU, Tensor::relu); }

    private static final String RELU = "ReLU";

    /** Whether this is the ReLU, which {@link Sequential} fuses into a preceding {@link Linear}. */
    public boolean isRelu() { return name.equals(RELU); }

    /** x for x ≥ 0, slope·x below (PyTorch's default slope is 0.01). */
    public static Activation leakyRelu(double slope) {
        return new Activation("LeakyReLU(" + slope + ")", x -> Tensor.where(x.gt(0), x, x.mul(slope)));
    }

    /** x·Φ(x), exact form. */
    public static Activation gelu() { return new Activation("GELU", Tensor::gelu); }

    /** x·σ(x), also called swish. */
    public static Activation silu() { return new Activation("SiLU", x -> x.mul(x.sigmoid())); }

    public static Activation tanh() { return new Activation("Tanh", Tensor::tanh); }

    public static Activation sigmoid() { return new Activation("Sigmoid", Tensor::sigmoid); }

    /** Softmax along {@code axis}. */
    public static Activation softmax(int axis) { return new Activation("Softmax(axis=" + axis + ")", x -> x.softmax(axis)); }

    /** The name with its argument, as printed: {@code ReLU}, {@code LeakyReLU(0.01)}, {@code Softmax(axis=1)}. */
    public String name() { return name; }

    @Override
    public Tensor forward(Tensor x) {
        return function.apply(x);
    }

    @Override
    protected String describe() {
        return name;
    }
}

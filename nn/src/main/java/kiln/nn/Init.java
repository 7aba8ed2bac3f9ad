package kiln.nn;

import kiln.engine.Generator;
import kiln.engine.Tensor;

/**
 * Initial values for parameters, with PyTorch's formulas. Fans are counted as PyTorch does: for a
 * weight {@code [out, in, k1, k2...]}, fanIn = in·k1·k2… and fanOut = out·k1·k2….
 */
public final class Init {
    private Init() {}

    /** U(lo, hi), float32. */
    public static Tensor uniform(Generator rng, double lo, double hi, int... dims) {
        try (Tensor unit = Tensor.rand(requireGenerator(rng), dims); Tensor scaled = unit.mul(hi - lo)) {
            return scaled.add(lo);
        }
    }

    /** N(mean, std²), float32. */
    public static Tensor normal(Generator rng, double mean, double std, int... dims) {
        try (Tensor standard = Tensor.randn(requireGenerator(rng), dims); Tensor scaled = standard.mul(std)) {
            return scaled.add(mean);
        }
    }

    private static Generator requireGenerator(Generator rng) {
        if (rng == null) {
            throw new IllegalArgumentException("initialisation needs a Generator (new Generator(seed)), got null");
        }
        return rng;
    }

    /** fanIn of a weight of shape {@code dims} (see the class comment); needs at least two axes, as PyTorch. */
    public static int fanIn(int... dims) {
        requireWeightShape(dims);
        return dims[1] * receptiveField(dims);
    }

    public static int fanOut(int... dims) {
        requireWeightShape(dims);
        return dims[0] * receptiveField(dims);
    }

    private static void requireWeightShape(int[] dims) {
        if (dims.length < 2) {
            throw new IllegalArgumentException("fan in/out: needs a weight with at least 2 axes [out, in, ...], got " + java.util.Arrays.toString(dims));
        }
    }

    private static int receptiveField(int[] dims) {
        int size = 1;
        for (int i = 2; i < dims.length; i++) {
            size *= dims[i];
        }
        return size;
    }

    /**
     * PyTorch's default for Linear and Conv weights, {@code kaiming_uniform_(w, a=√5)}: the gain
     * √(2/(1+a²)) = √(1/3) makes the bound √3·gain/√fanIn = 1/√fanIn.
     */
    public static Tensor kaimingUniformDefault(Generator rng, int... dims) {
        double bound = 1 / Math.sqrt(fanIn(dims));
        return uniform(rng, -bound, bound, dims);
    }

    /** He initialisation for ReLU networks: N(0, 2/fanIn). */
    public static Tensor kaimingNormal(Generator rng, int... dims) {
        return normal(rng, 0, Math.sqrt(2.0 / fanIn(dims)), dims);
    }

    /** Glorot: U(−b, b) with b = gain·√(6/(fanIn + fanOut)). */
    public static Tensor xavierUniform(Generator rng, double gain, int... dims) {
        double bound = gain * Math.sqrt(6.0 / (fanIn(dims) + fanOut(dims)));
        return uniform(rng, -bound, bound, dims);
    }

    /** Glorot: N(0, gain²·2/(fanIn + fanOut)). */
    public static Tensor xavierNormal(Generator rng, double gain, int... dims) {
        return normal(rng, 0, gain * Math.sqrt(2.0 / (fanIn(dims) + fanOut(dims))), dims);
    }

    /** The bias of a Linear or Conv layer: U(−1/√fanIn, 1/√fanIn). */
    public static Tensor biasUniform(Generator rng, int fanIn, int size) {
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(rng, -bound, bound, size);
    }
}

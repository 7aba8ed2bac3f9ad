package kiln.autograd;

import java.util.function.DoubleSupplier;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.Tensor;

/**
 * Float64 inputs for gradient checks. Most ops are smooth everywhere and take plain normal draws;
 * the others get inputs kept away from the points where they are not differentiable (kinks such as
 * |x| at 0, ties of max and min, poles of log and 1/x). "Away" means at least {@link #MARGIN}, far
 * more than the finite-difference step h = 1e-6, so that x ± h never straddles such a point.
 */
final class Leaves {
    /** The least distance from a kink, a tie or a pole. */
    static final double MARGIN = 0.05;

    private Leaves() {}

    /** A float64 leaf that requires a gradient, its elements drawn one by one. */
    private static Tensor leaf(DoubleSupplier draw, int... dims) {
        double[] data = new double[numel(dims)];
        for (int i = 0; i < data.length; i++) {
            data[i] = draw.getAsDouble();
        }
        return Tensor.fromArray(data, dims).requiresGrad(true);
    }

    private static int numel(int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Standard normal draws. */
    static Tensor randn(Generator rng, int... dims) {
        return leaf(rng::nextGaussian, dims);
    }

    /** Standard normal draws that do not require a gradient: a constant operand. */
    static Tensor constant(Generator rng, int... dims) {
        return Tensor.randn(rng, DType.FLOAT64, dims);
    }

    /** Uniform in [0.5, 2): inside the domain of log, sqrt and fractional powers, and away from their pole at 0. */
    static Tensor positive(Generator rng, int... dims) {
        return leaf(() -> 0.5 + 1.5 * rng.nextDouble(), dims);
    }

    /** Normal draws with scale 1.5, redrawn until each lies at least {@link #MARGIN} from every one of {@code kinks}. */
    static Tensor awayFrom(Generator rng, double[] kinks, int... dims) {
        return leaf(() -> {
            while (true) {
                double x = 1.5 * rng.nextGaussian();
                boolean clear = true;
                for (double kink : kinks) {
                    clear &= Math.abs(x - kink) >= MARGIN;
                }
                if (clear) {
                    return x;
                }
            }
        }, dims);
    }

    /**
     * Distinct values, a shuffled ladder with rungs 0.1 apart (plus noise below 0.01): no two elements
     * tie, so max and min have one winner with a clear lead.
     */
    static Tensor distinct(Generator rng, int... dims) {
        int n = numel(dims);
        double[] ladder = new double[n];
        for (int i = 0; i < n; i++) {
            ladder[i] = 0.1 * (i - n / 2) + 0.01 * rng.nextDouble();
        }
        for (int i = n - 1; i > 0; i--) {              // Fisher–Yates
            int j = (int) rng.nextLong(i + 1);
            double swap = ladder[i];
            ladder[i] = ladder[j];
            ladder[j] = swap;
        }
        return Tensor.fromArray(ladder, dims).requiresGrad(true);
    }

    /**
     * Values near the odd (or, with {@code odd} false, the even) multiples of 0.1 in [-1.5, 1.5], within
     * 0.02: an odd and an even tensor differ by at least 0.06 everywhere, however they broadcast, so
     * maximum and minimum of the two never tie.
     */
    static Tensor interleaved(Generator rng, boolean odd, int... dims) {
        return leaf(() -> 0.1 * (2 * (rng.nextLong(15) - 7) + (odd ? 1 : 0)) + 0.04 * (rng.nextDouble() - 0.5), dims);
    }

    /** An int64 index tensor. */
    static Tensor index(long[] values, int... dims) {
        return Tensor.fromArray(values, dims);
    }
}

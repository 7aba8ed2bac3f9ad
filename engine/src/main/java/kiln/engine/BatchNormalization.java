package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import kiln.kernels.cpu.BatchNormKernels;
import kiln.kernels.cpu.Parallel;

/**
 * Batch normalisation of {@code x [N, C, ...]} over every axis but the channel axis 1, as one op
 * with its gradient (PyTorch's {@code batch_norm}); n = numel/C values per channel:
 *
 * <pre>
 *  training:   μ, σ² = mean and biased variance of each channel's n values
 *              running_mean ← (1 − momentum)·running_mean + momentum·μ
 *              running_var  ← (1 − momentum)·running_var  + momentum·σ²·n/(n − 1)
 *  evaluation: μ, σ² = running_mean, running_var
 *  both:       y = (x − μ)·scale + β,   scale = γ/√(σ² + ε)
 *
 *  gradient (training):  dβ = Σ g,   dγ = Σ g·(x − μ) / √(σ² + ε)
 *                        dx = (g − dβ/n − (x − μ)·Σ g·(x − μ)/(n·(σ² + ε)))·scale
 *  gradient (evaluation): dx = g·scale (μ and σ² are constants)
 * </pre>
 *
 * Composed of generic ops, batch norm is a dozen recorded ops and as many passes over x each way;
 * this is two or three passes forward (statistics, then y) and two backward (the two sums, then
 * dx). float32 runs {@link BatchNormKernels}, each task a block of channels from statistics to y
 * (the block stays in cache between the passes); the block size depends on the shape only, and each
 * channel's sums are one task's, so results do not depend on the number of threads. Other dtypes
 * ({@link #definition}) compute the same formulas with tensor ops, inside the one recorded op: the
 * float64 gradient checks test these formulas, and the float32 kernels are tested against them.
 */
final class BatchNormalization {
    private BatchNormalization() {}

    /** About this many elements per parallel task. */
    private static final int ELEMENTS_PER_TASK = 1 << 15;

    /** The sizes: x as {@code [N, C, S]}. */
    private record Sizes(int batch, int channels, int spatial) {
        long perChannel() { return (long) batch * spatial; }
    }

    static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                            double momentum, double eps) {
        Sizes s = check(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        if (x.dtype() != DType.FLOAT32) {
            return definition(x, weight, bias, runningMean, runningVar, training, momentum, eps, s);
        }
        Statistics stats = new Statistics(s.channels());
        Tensor[] inputs = {x, weight, bias};
        Tensor y = Autograd.record("batchNorm", () -> forward(x, weight, bias, runningMean, runningVar, training, eps, s, stats), inputs,
                (g, out) -> stats.inputGradient(g, x, weight, training, s),
                (g, out) -> stats.weightGradient(g, x, s),
                (g, out) -> stats.biasGradient(g, x, s));
        if (training && runningMean != null) {
            updateRunning(runningMean, runningVar, stats.mean, stats.variance, s.perChannel(), momentum);
        }
        return y;
    }

    private static Sizes check(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                               double momentum, double eps) {
        x.ensureOpen();
        if (x.rank() < 2 || !x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("batchNorm: input " + x.describe() + " must be floating [N, C, ...]");
        }
        int channels = x.dim(1);
        if (weight == null || bias == null) {
            throw new IllegalArgumentException("batchNorm: weight and bias are required (ones and zeros for none)");
        }
        for (Tensor t : new Tensor[] {weight, bias, runningMean, runningVar}) {
            if (t != null) {
                t.ensureOpen();
                if (t.rank() != 1 || t.dim(0) != channels || t.dtype() != x.dtype()) {
                    throw new IllegalArgumentException("batchNorm: weight, bias and running statistics must be " + x.dtype()
                            + " [" + channels + "] for input " + x.describe() + ", got " + t.describe());
                }
            }
        }
        if ((runningMean == null) != (runningVar == null) || !training && runningMean == null) {
            throw new IllegalArgumentException("batchNorm: evaluation needs both running statistics; training takes both or neither");
        }
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batchNorm: eps must be > 0 and momentum in [0, 1], got eps " + eps + ", momentum " + momentum);
        }
        int batch = x.dim(0);
        int spatial = batch * channels == 0 ? 0 : Math.toIntExact(x.numel() / ((long) batch * channels));
        Sizes s = new Sizes(batch, channels, spatial);
        if (training && s.perChannel() < 2) {
            throw new IllegalArgumentException("batchNorm: training needs more than one value per channel, got input " + x.describe());
        }
        return s;
    }

    /** running ← (1 − momentum)·running + momentum·(μ, σ²·n/(n − 1)), in place and not recorded. */
    private static void updateRunning(Tensor runningMean, Tensor runningVar, double[] mean, double[] variance, long n, double momentum) {
        double[] newMean = runningMean.toDoubleArray(), newVar = runningVar.toDoubleArray();
        for (int c = 0; c < mean.length; c++) {
            newMean[c] = (1 - momentum) * newMean[c] + momentum * mean[c];
            newVar[c] = (1 - momentum) * newVar[c] + momentum * variance[c] * n / (n - 1.0);
        }
        try (Autograd.NoGrad off = Autograd.noGrad(); MemoryScope temporaries = MemoryScope.open()) {
            runningMean.copyFrom(Tensor.fromArray(newMean, mean.length));
            runningVar.copyFrom(Tensor.fromArray(newVar, mean.length));
        }
    }

    // ------------------------------------------------------------------------------------- float32

    /**
     * What the forward pass leaves for the backward one: each channel's μ, σ² and 1/√(σ² + ε); and
     * the gradient's sums Σg and Σg·(x − μ) for the upstream gradient they were last computed for,
     * which the three partials share (autograd asks for x's first: its pass computes them on the way).
     */
    private static final class Statistics {
        final double[] mean, variance;
        final float[] meanF, invStd;
        private Tensor sumsFor;
        private double[] gradSum, gradDot;

        Statistics(int channels) {
            mean = new double[channels];
            variance = new double[channels];
            meanF = new float[channels];
            invStd = new float[channels];
        }

        void set(int c, double mu, double var, double eps) {
            mean[c] = mu;
            variance[c] = var;
            meanF[c] = (float) mu;
            invStd[c] = (float) (1 / Math.sqrt(var + eps));
        }

        Tensor inputGradient(Tensor g, Tensor x, Tensor weight, boolean training, Sizes s) {
            Tensor dx = Tensor.empty(DType.FLOAT32, x.shape(), x.device());
            backward(g, x, weight, training, s, this, dx);
            return dx;
        }

        Tensor weightGradient(Tensor g, Tensor x, Sizes s) {
            sums(g, x, s);
            float[] dWeight = new float[gradDot.length];
            for (int c = 0; c < dWeight.length; c++) {
                dWeight[c] = (float) (gradDot[c] * invStd[c]);
            }
            return Tensor.fromArray(dWeight, dWeight.length);
        }

        Tensor biasGradient(Tensor g, Tensor x, Sizes s) {
            sums(g, x, s);
            float[] dBias = new float[gradSum.length];
            for (int c = 0; c < dBias.length; c++) {
                dBias[c] = (float) gradSum[c];
            }
            return Tensor.fromArray(dBias, dBias.length);
        }

        private void sums(Tensor g, Tensor x, Sizes s) {
            if (sumsFor != g) {
                backward(g, x, null, false, s, this, null);
            }
        }
    }

    private static Tensor forward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                                  double eps, Sizes s, Statistics stats) {
        Tensor y = Tensor.empty(DType.FLOAT32, x.shape(), x.device());
        float[] gamma = weight.toFloatArray(), beta = bias.toFloatArray();
        double[] runMean = training ? null : runningMean.toDoubleArray(), runVar = training ? null : runningVar.toDoubleArray();
        float[] scale = new float[s.channels()], shift = new float[s.channels()];
        try (Tensor images = x.contiguous()) {
            MemorySegment xs = images.segment(), ys = y.segment();
            long off = images.offset();
            forEachChannelBlock(s, (first, end) -> {
                if (training) {
                    statistics(xs, off, s, first, end, eps, stats);
                } else {
                    for (int c = first; c < end; c++) {
                        stats.set(c, runMean[c], runVar[c], eps);
                    }
                }
                for (int c = first; c < end; c++) {
                    scale[c] = gamma[c] * stats.invStd[c];
                    shift[c] = (float) (beta[c] - (stats.mean[c] - stats.meanF[c]) * scale[c]);   // x − μ is taken with μ in float
                }
                BatchNormKernels.normalize(ys, 0, xs, off, stats.meanF, scale, shift, s.batch(), s.channels(), s.spatial(), first, end);
            });
        }
        return y;
    }

    /** μ and σ² of the channels [first, end): the mean, then the sums of x − μ and (x − μ)² (the corrected two-pass variance). */
    private static void statistics(MemorySegment xs, long off, Sizes s, int first, int end, double eps, Statistics stats) {
        int channels = s.channels();
        double n = s.perChannel();
        double[] sum = new double[channels], squares = new double[channels];
        float[] zero = new float[channels], shift = new float[channels];
        BatchNormKernels.sums(sum, squares, xs, off, xs, off, zero, zero, s.batch(), channels, s.spatial(), first, end);
        for (int c = first; c < end; c++) {
            shift[c] = (float) (sum[c] / n);
        }
        double[] deviation = new double[channels], deviationSquares = new double[channels];
        BatchNormKernels.sums(deviation, deviationSquares, xs, off, xs, off, shift, shift, s.batch(), channels, s.spatial(), first, end);
        for (int c = first; c < end; c++) {
            double offset = deviation[c] / n;                       // what the float shift missed of the mean
            stats.set(c, shift[c] + offset, Math.max(0, deviationSquares[c] / n - offset * offset), eps);
        }
    }

    /**
     * The gradient's sums Σg and Σg·(x − μ) of every channel into {@code stats}, and, when dx is given,
     * dx block by block right after the block's sums (its g and x still in cache).
     */
    private static void backward(Tensor g, Tensor x, Tensor weight, boolean training, Sizes s, Statistics stats, Tensor dx) {
        int channels = s.channels();
        double n = s.perChannel();
        float[] gamma = dx == null ? null : weight.toFloatArray();
        double[] gradSum = new double[channels], gradDot = new double[channels];
        float[] zero = new float[channels], scale = new float[channels], gMean = new float[channels], k = new float[channels];
        try (Tensor images = x.contiguous(); Tensor grads = g.contiguous()) {
            MemorySegment xs = images.segment(), gs = grads.segment(), dxs = dx == null ? null : dx.segment();
            forEachChannelBlock(s, (first, end) -> {
                BatchNormKernels.sums(gradSum, gradDot, gs, grads.offset(), xs, images.offset(), zero, stats.meanF,
                        s.batch(), channels, s.spatial(), first, end);
                for (int c = first; c < end; c++) {
                    // The kernels take x − μ with μ rounded to float: add back what that leaves out, here and in gMean.
                    double missed = stats.mean[c] - stats.meanF[c];
                    gradDot[c] -= missed * gradSum[c];
                    double invStd = stats.invStd[c], slope = gradDot[c] * invStd * invStd / n;
                    gMean[c] = (float) (gradSum[c] / n - missed * slope);
                    k[c] = (float) slope;
                }
                if (dx == null) {
                    return;
                }
                for (int c = first; c < end; c++) {
                    scale[c] = gamma[c] * stats.invStd[c];
                }
                if (training) {
                    BatchNormKernels.inputGradient(dxs, 0, gs, grads.offset(), xs, images.offset(), stats.meanF, gMean, k, scale,
                            s.batch(), channels, s.spatial(), first, end);
                } else {
                    BatchNormKernels.normalize(dxs, 0, gs, grads.offset(), zero, scale, zero, s.batch(), channels, s.spatial(), first, end);
                }
            });
        }
        stats.gradSum = gradSum;
        stats.gradDot = gradDot;
        stats.sumsFor = g;
    }

    private interface ChannelBlock {
        void run(int first, int end);
    }

    /** Splits the channels into tasks of about {@link #ELEMENTS_PER_TASK} elements (sizes only decide). */
    private static void forEachChannelBlock(Sizes s, ChannelBlock body) {
        int perTask = (int) Math.max(1, ELEMENTS_PER_TASK / Math.max(1, s.perChannel()));
        Parallel.forEach(Parallel.tasks(s.channels(), perTask), t -> {
            int first = t * perTask;
            body.run(first, Math.min(s.channels(), first + perTask));
        });
    }

    // ------------------------------------------------------------------------------ other dtypes

    /** The same op for any floating dtype, from tensor ops: the formulas of the class comment, recorded as one op. */
    static Tensor definition(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                             double momentum, double eps, Sizes s) {
        int[] perChannel = new int[x.rank()];              // [1, C, 1, ...]: a per-channel vector broadcast over x
        Arrays.fill(perChannel, 1);
        perChannel[1] = s.channels();
        int[] axes = new int[x.rank() - 1];                // every axis but the channel axis 1
        for (int i = 0, a = 0; a < x.rank(); a++) {
            if (a != 1) {
                axes[i++] = a;
            }
        }
        Tensor mean, invStd, scale;                       // constants of the op, like the float32 path's
        try (Autograd.NoGrad off = Autograd.noGrad()) {
            Tensor var = training ? x.var(axes, true, 0) : runningVar.reshape(perChannel);
            mean = training ? x.mean(axes, true) : runningMean.reshape(perChannel);
            invStd = var.add(eps).rsqrt();
            scale = weight.reshape(perChannel).mul(invStd);
            if (training && runningMean != null) {
                updateRunning(runningMean, runningVar, mean.toDoubleArray(), var.toDoubleArray(), s.perChannel(), momentum);
            }
        }
        double n = s.perChannel();
        return Autograd.record("batchNorm", () -> x.sub(mean).mul(scale).add(bias.reshape(perChannel)),
                new Tensor[] {x, weight, bias},
                (g, y) -> training
                        ? g.sub(g.mean(axes, true)).sub(x.sub(mean).mul(g.mul(x.sub(mean)).sum(axes, true).mul(invStd.mul(invStd)).div(n))).mul(scale)
                        : g.mul(scale),
                (g, y) -> g.mul(x.sub(mean)).sum(axes, false).mul(invStd.reshape(s.channels())),
                (g, y) -> g.sum(axes, false));
    }
}

package kiln.nn.layers;

import java.util.Arrays;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.Parameter;

/**
 * Batch normalisation over the channel axis 1 of {@code [N, C, ...]}, shared by {@link BatchNorm1d}
 * and {@link BatchNorm2d}, which differ only in the input ranks they accept. As PyTorch:
 *
 * <pre>
 *  training:   μ, σ² = mean and biased variance of x over every axis but 1   (n values per channel)
 *              y = (x − μ) / √(σ² + ε) · γ + β
 *              running_mean = (1 − momentum)·running_mean + momentum·μ
 *              running_var  = (1 − momentum)·running_var  + momentum·σ²·n/(n − 1)   (unbiased)
 *              num_batches_tracked += 1
 *  evaluation: y = (x − running_mean) / √(running_var + ε) · γ + β
 * </pre>
 *
 * γ ({@code weight}) starts at ones, β ({@code bias}) at zeros; the running statistics are buffers
 * (zeros, ones and an int64 step count), saved in the state dict under PyTorch's names.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final int[] ranks;
    private final String layout;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param ranks  the input ranks the subclass accepts
     * @param layout the accepted shapes for error messages, e.g. "[N, C, H, W]"
     */
    protected BatchNorm(int numFeatures, double eps, double momentum, int[] ranks, String layout) {
        if (numFeatures <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": numFeatures must be positive, got " + numFeatures);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": eps must be > 0, got " + eps);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": momentum must be in [0, 1], got " + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.ranks = ranks.clone();
        this.layout = layout;
        this.weight = registerParameter("weight", Tensor.ones(numFeatures));
        this.bias = registerParameter("bias", Tensor.zeros(numFeatures));
        registerBuffer("running_mean", Tensor.zeros(numFeatures));
        registerBuffer("running_var", Tensor.ones(numFeatures));
        registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (Arrays.stream(ranks).noneMatch(r -> r == x.rank()) || x.dim(1) != numFeatures) {
            throw new IllegalArgumentException(describe() + ": input " + x.describe() + " must be " + layout
                    + " with C = " + numFeatures);
        }
        int[] perChannel = new int[x.rank()];          // [1, C, 1, ...]: broadcasts a per-channel vector over x
        Arrays.fill(perChannel, 1);
        perChannel[1] = numFeatures;
        Tensor mean;
        Tensor var;
        if (isTraining()) {
            int[] axes = new int[x.rank() - 1];        // every axis but the channel axis 1
            for (int i = 0, a = 0; a < x.rank(); a++) {
                if (a != 1) {
                    axes[i++] = a;
                }
            }
            long n = x.numel() / numFeatures;
            if (n < 2) {
                throw new IllegalArgumentException(describe() + ": training needs more than one value per channel, got input "
                        + x.describe());
            }
            mean = x.mean(axes, true);
            var = x.var(axes, true, 0);
            updateRunningStatistics(mean, var, n);
        } else {
            mean = buffer("running_mean").reshape(perChannel);
            var = buffer("running_var").reshape(perChannel);
        }
        Tensor normalized = x.sub(mean).mul(var.add(eps).rsqrt());
        return normalized.mul(weight.value().reshape(perChannel)).add(bias.value().reshape(perChannel));
    }

    /** The exponential moving averages of the batch statistics, updated in place and not recorded. */
    private void updateRunningStatistics(Tensor mean, Tensor biasedVar, long n) {
        try (Autograd.NoGrad off = Autograd.noGrad(); MemoryScope temporaries = MemoryScope.open()) {
            Tensor runningMean = buffer("running_mean");
            Tensor runningVar = buffer("running_var");
            runningMean.copyFrom(runningMean.mul(1 - momentum).add(mean.reshape(numFeatures).mul(momentum)));
            Tensor unbiasedVar = biasedVar.reshape(numFeatures).mul(n / (n - 1.0));
            runningVar.copyFrom(runningVar.mul(1 - momentum).add(unbiasedVar.mul(momentum)));
            buffer("num_batches_tracked").addInPlace(Tensor.scalar(1, DType.INT64));
        }
    }

    public int numFeatures() { return numFeatures; }

    public double eps() { return eps; }

    /** The weight of a new batch statistic in the running averages. */
    public double momentum() { return momentum; }

    /** γ, one per channel. */
    public Parameter weight() { return weight; }

    /** β, one per channel. */
    public Parameter bias() { return bias; }

    public Tensor runningMean() { return buffer("running_mean"); }

    public Tensor runningVar() { return buffer("running_var"); }

    /** How many training batches have updated the running statistics (int64 scalar). */
    public Tensor numBatchesTracked() { return buffer("num_batches_tracked"); }

    @Override
    protected String describe() {
        return getClass().getSimpleName() + "(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum + ")";
    }
}

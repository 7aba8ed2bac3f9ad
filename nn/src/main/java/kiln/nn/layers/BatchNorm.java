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
 * (zeros, ones and an int64 step count), saved in the state dict under PyTorch's names. One op
 * ({@link Tensor#batchNorm}) with a fused float32 kernel does the work.
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
        if (isTraining() && x.numel() / numFeatures < 2) {
            throw new IllegalArgumentException(describe() + ": training needs more than one value per channel, got input "
                    + x.describe());
        }
        Tensor y = x.batchNorm(weight.value(), bias.value(), buffer("running_mean"), buffer("running_var"), isTraining(), momentum, eps);
        if (isTraining()) {
            try (Autograd.NoGrad off = Autograd.noGrad(); MemoryScope temporaries = MemoryScope.open()) {
                buffer("num_batches_tracked").addInPlace(Tensor.scalar(1, DType.INT64));
            }
        }
        return y;
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

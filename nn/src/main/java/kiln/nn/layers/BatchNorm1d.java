package kiln.nn.layers;

/** {@link BatchNorm} of {@code [N, C]} (features) or {@code [N, C, L]} (sequences): statistics per channel C. */
public final class BatchNorm1d extends BatchNorm {

    /** eps 1e-5, momentum 0.1, as PyTorch. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    public BatchNorm1d(int numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum, new int[] {2, 3}, "[N, C] or [N, C, L]");
    }
}

package kiln.nn.layers;

/** {@link BatchNorm} of images {@code [N, C, H, W]}: statistics per channel C over N, H and W. */
public final class BatchNorm2d extends BatchNorm {

    /** eps 1e-5, momentum 0.1, as PyTorch. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    public BatchNorm2d(int numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum, new int[] {4}, "[N, C, H, W]");
    }
}

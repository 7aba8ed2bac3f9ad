package kiln.nn.data;

import kiln.engine.DType;
import kiln.engine.Tensor;

/** What the image augmentations share: the batch layout they accept, and swapping a batch's features. */
final class ImageBatches {
    private ImageBatches() {}

    /** Checks that {@code images} is a float32 batch of images {@code [n, channels, height, width]}. */
    static void check(String op, Tensor images) {
        if (images.rank() != 4 || images.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": needs float32 images [n, channels, height, width], got " + images.describe());
        }
    }

    /**
     * A batch of {@code features} with the targets of {@code batch}, whose own features are closed: the
     * targets move to the new batch, so the old one must not be closed again.
     */
    static Batch withFeatures(Batch batch, Tensor features) {
        Batch changed = new Batch(features, batch.targets());
        batch.features().close();
        return changed;
    }
}

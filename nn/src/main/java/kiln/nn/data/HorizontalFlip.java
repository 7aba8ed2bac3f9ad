package kiln.nn.data;

import kiln.engine.Generator;
import kiln.engine.Tensor;

/**
 * Mirrors each image of a batch {@code [n, c, h, w]} left to right with probability p, independently:
 * column x becomes column {@code w − 1 − x}. One draw per example, {@code rng.nextDouble() < p}, so p = 0
 * never flips and p = 1 always does.
 */
public final class HorizontalFlip implements BatchTransform {
    private final double probability;

    public HorizontalFlip(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("HorizontalFlip: probability must lie in [0, 1], got " + probability);
        }
        this.probability = probability;
    }

    @Override
    public Batch apply(Batch batch, Generator rng) {
        ImageBatches.check("HorizontalFlip", batch.features());
        boolean[] flipped = new boolean[batch.size()];
        boolean any = false;
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = rng.nextDouble() < probability;
            any |= flipped[i];
        }
        return any ? ImageBatches.withFeatures(batch, flip(batch.features(), flipped)) : batch;
    }

    /** A new tensor holding {@code images [n, c, h, w]} with example i mirrored where {@code which[i]}. */
    public static Tensor flip(Tensor images, boolean[] which) {
        ImageBatches.check("HorizontalFlip.flip", images);
        int[] dims = images.dims();
        if (which.length != dims[0]) {
            throw new IllegalArgumentException("HorizontalFlip.flip: " + which.length + " choices for " + dims[0] + " images");
        }
        int rowsPerImage = dims[1] * dims[2];
        int width = dims[3];
        float[] pixels = images.toFloatArray();
        for (int i = 0; i < which.length; i++) {
            if (!which[i]) {
                continue;
            }
            for (int row = i * rowsPerImage; row < (i + 1) * rowsPerImage; row++) {
                int start = row * width;
                for (int left = start, right = start + width - 1; left < right; left++, right--) {
                    float kept = pixels[left];
                    pixels[left] = pixels[right];
                    pixels[right] = kept;
                }
            }
        }
        return Tensor.fromArray(pixels, dims);
    }

    @Override
    public String toString() {
        return "HorizontalFlip(p=" + probability + ")";
    }
}

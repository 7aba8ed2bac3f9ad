package kiln.nn.data;

import kiln.engine.Generator;
import kiln.engine.Tensor;

/**
 * Pads each image of a batch {@code [n, c, h, w]} with {@code padding} zeros on every side, then cuts
 * a {@code size × size} window at a random offset, chosen per example: the shifted-image augmentation
 * of torchvision's {@code RandomCrop(size, padding)}. The result is {@code [n, c, size, size]}.
 *
 * <p>Offsets are in padded coordinates: top in {@code [0, h + 2·padding − size]}, left in
 * {@code [0, w + 2·padding − size]}, drawn with {@code rng.nextLong(bound)}, top then left, example by
 * example. With {@code size = h = w}, offset (padding, padding) gives the image back unchanged.
 */
public final class RandomCrop implements BatchTransform {
    private final int size;
    private final int padding;

    public RandomCrop(int size, int padding) {
        if (size < 1 || padding < 0) {
            throw new IllegalArgumentException("RandomCrop: needs size ≥ 1 and padding ≥ 0, got size " + size + ", padding " + padding);
        }
        this.size = size;
        this.padding = padding;
    }

    @Override
    public Batch apply(Batch batch, Generator rng) {
        Tensor images = batch.features();
        checkFits("RandomCrop", images);
        int[] tops = new int[batch.size()];
        int[] lefts = new int[batch.size()];
        for (int i = 0; i < tops.length; i++) {
            tops[i] = (int) rng.nextLong(images.dim(2) + 2L * padding - size + 1);
            lefts[i] = (int) rng.nextLong(images.dim(3) + 2L * padding - size + 1);
        }
        return ImageBatches.withFeatures(batch, crop(images, tops, lefts));
    }

    /**
     * A new tensor {@code [n, c, size, size]}: image i's window whose top-left corner is at
     * ({@code tops[i]}, {@code lefts[i]}) of the zero-padded image.
     */
    public Tensor crop(Tensor images, int[] tops, int[] lefts) {
        checkFits("RandomCrop.crop", images);
        int[] dims = images.dims();
        int n = dims[0];
        int channels = dims[1];
        int height = dims[2];
        int width = dims[3];
        if (tops.length != n || lefts.length != n) {
            throw new IllegalArgumentException("RandomCrop.crop: " + tops.length + " tops and " + lefts.length + " lefts for " + n + " images");
        }
        float[] source = images.toFloatArray();
        float[] cropped = new float[n * channels * size * size];   // zeros: the padding
        for (int i = 0; i < n; i++) {
            if (tops[i] < 0 || tops[i] > height + 2 * padding - size || lefts[i] < 0 || lefts[i] > width + 2 * padding - size) {
                throw new IllegalArgumentException("RandomCrop.crop: offset (" + tops[i] + ", " + lefts[i] + ") of image " + i
                        + " puts the window outside the padded " + (height + 2 * padding) + "×" + (width + 2 * padding) + " image");
            }
            // The window's columns that fall on the image rather than the padding.
            int firstColumn = Math.max(0, padding - lefts[i]);
            int endColumn = Math.min(size, width + padding - lefts[i]);
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < size; y++) {
                    int sourceRow = tops[i] + y - padding;
                    if (sourceRow < 0 || sourceRow >= height || firstColumn >= endColumn) {
                        continue;
                    }
                    int from = ((i * channels + c) * height + sourceRow) * width + lefts[i] + firstColumn - padding;
                    int to = ((i * channels + c) * size + y) * size + firstColumn;
                    System.arraycopy(source, from, cropped, to, endColumn - firstColumn);
                }
            }
        }
        return Tensor.fromArray(cropped, n, channels, size, size);
    }

    private void checkFits(String op, Tensor images) {
        ImageBatches.check(op, images);
        if (size > images.dim(2) + 2 * padding || size > images.dim(3) + 2 * padding) {
            throw new IllegalArgumentException(op + ": a " + size + "×" + size + " window does not fit in " + images.describe()
                    + " padded by " + padding);
        }
    }

    @Override
    public String toString() {
        return "RandomCrop(size=" + size + ", padding=" + padding + ")";
    }
}

package kiln.nn.deploy;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

import javax.imageio.ImageIO;

/**
 * A grayscale image on the 0–255 scale of 8-bit pixels, row-major, read from a PNG (or any file
 * ImageIO reads) the way a model trained on such images wants it:
 *
 * <ul>
 *   <li>a gray image keeps its sample values exactly (16-bit samples are rescaled to 0–255); no color
 *       management is applied, so a Fashion-MNIST image written as an 8-bit gray PNG reads back as the
 *       same 784 bytes;</li>
 *   <li>a color (or palette) image becomes gray by ITU-R BT.601 luma, {@code 0.299 R + 0.587 G + 0.114 B},
 *       as PIL's {@code convert("L")} does (without its rounding); transparency is ignored.</li>
 * </ul>
 * {@link #resize} averages areas, so a large photo shrinks without aliasing.
 */
public final class GrayImage {
    private final int width;
    private final int height;
    private final double[] values;       // row-major, [0, 255]
    private final boolean fromColor;

    private GrayImage(int width, int height, double[] values, boolean fromColor) {
        this.width = width;
        this.height = height;
        this.values = values;
        this.fromColor = fromColor;
    }

    /** Reads an image file; one ImageIO cannot read, or that is damaged, is refused with the file's name. */
    public static GrayImage read(Path file) throws IOException {
        BufferedImage image;
        try (var in = Files.newInputStream(file)) {
            image = ImageIO.read(in);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a readable image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new IOException(file + ": not an image format this JDK reads (PNG, JPEG, GIF)");
        }
        return of(image);
    }

    /** The gray values of {@code image} (see the class comment). */
    public static GrayImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        double[] values = new double[Math.multiplyExact(w, h)];
        ColorModel model = image.getColorModel();
        boolean gray = model.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(model instanceof IndexColorModel);
        if (gray) {
            Raster raster = image.getRaster();
            double full = (1L << model.getComponentSize(0)) - 1;      // 255 for 8-bit samples, 65535 for 16-bit
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    values[y * w + x] = raster.getSample(x, y, 0) * 255.0 / full;
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = image.getRGB(x, y);
                    values[y * w + x] = 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
                }
            }
        }
        return new GrayImage(w, h, values, !gray);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether the image was in color (or a palette) and was converted to gray. */
    public boolean fromColor() {
        return fromColor;
    }

    /** The value at column x, row y, in [0, 255]. */
    public double value(int x, int y) {
        return values[y * width + x];
    }

    /** The values row after row, as one input row for a {@link PixelEncoder}. */
    public List<Object> row() {
        List<Object> row = new ArrayList<>(values.length);
        for (double value : values) {
            row.add(value);
        }
        return row;
    }

    /**
     * This image at another size by area averaging: each new pixel is the mean of the old pixels it
     * covers, weighted by how much of each it covers (a 56×56 image halves into means of 2×2 blocks).
     * Done across rows, then down columns, which gives the same weights.
     */
    public GrayImage resize(int newWidth, int newHeight) {
        if (newWidth < 1 || newHeight < 1) {
            throw new IllegalArgumentException("GrayImage.resize: sizes must be positive, got " + newWidth + "×" + newHeight);
        }
        Coverage across = new Coverage(width, newWidth);
        Coverage down = new Coverage(height, newHeight);
        double[] rows = new double[height * newWidth];
        for (int y = 0; y < height; y++) {
            int rowStart = y * width;
            for (int x = 0; x < newWidth; x++) {
                rows[y * newWidth + x] = across.average(x, j -> values[rowStart + j]);
            }
        }
        double[] resized = new double[newHeight * newWidth];
        for (int y = 0; y < newHeight; y++) {
            for (int x = 0; x < newWidth; x++) {
                int column = x;
                resized[y * newWidth + x] = down.average(y, i -> rows[i * newWidth + column]);
            }
        }
        return new GrayImage(newWidth, newHeight, resized, fromColor);
    }

    /** For each of m new cells along one axis of n old ones: which old cells it covers and by how much. */
    private static final class Coverage {
        private final int[] first;          // the first old cell each new cell touches
        private final double[][] weights;   // the share of each touched old cell, summing to 1

        Coverage(int n, int m) {
            first = new int[m];
            weights = new double[m][];
            double span = (double) n / m;          // new cell i covers [i·span, (i+1)·span) in old cells
            for (int i = 0; i < m; i++) {
                double lo = i * span;
                double hi = (i + 1) * span;
                int from = (int) Math.floor(lo);
                int to = Math.min(n, (int) Math.ceil(hi));
                first[i] = from;
                weights[i] = new double[to - from];
                for (int j = from; j < to; j++) {
                    weights[i][j - from] = (Math.min(hi, j + 1) - Math.max(lo, j)) / span;
                }
            }
        }

        double average(int cell, IntToDoubleFunction old) {
            double sum = 0;
            for (int k = 0; k < weights[cell].length; k++) {
                sum += weights[cell][k] * old.applyAsDouble(first[cell] + k);
            }
            return sum;
        }
    }
}

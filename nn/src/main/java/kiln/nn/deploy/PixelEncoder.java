package kiln.nn.deploy;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Image pixels as stored, {@code 0 .. max} (Fashion-MNIST: 0–255, row-major, {@code H·W} values per
 * image), divided by {@code max} into [0, 1] as the training pipeline did: in float32, {@code (float) v /
 * (float) max}, so the same pixel gives the same float as in training. Values outside [0, max] are refused.
 *
 * <p>Config: {@code {"type": "pixels", "shape": [1, 28, 28], "max": 255}}.
 */
public final class PixelEncoder extends NumericEncoder {
    /** The config's {@code "type"}. */
    public static final String TYPE = "pixels";

    private final double max;
    private final float divisor;

    /**
     * @param shape one image's shape, e.g. {@code [1, 28, 28]}
     * @param max the largest pixel value, e.g. 255
     */
    public PixelEncoder(int[] shape, double max) {
        super("PixelEncoder", TYPE, shape);
        if (!(max > 0 && Double.isFinite(max))) {
            throw new IllegalArgumentException("PixelEncoder: max must be a positive number, got " + max);
        }
        this.max = max;
        this.divisor = (float) max;
    }

    static PixelEncoder fromConfig(Map<String, Object> config) {
        if (!(config.get("max") instanceof Number max)) {
            throw new IllegalArgumentException("PixelEncoder.fromConfig: \"max\" must be a number, got " + config.get("max"));
        }
        return new PixelEncoder(EncoderConfig.shape(config.get("shape"), "PixelEncoder.fromConfig \"shape\""), max.doubleValue());
    }

    /** The largest pixel value. */
    public double max() {
        return max;
    }

    @Override
    float value(double value, int row, int column) {
        if (value < 0 || value > max) {
            throw refuse(row, column, value + " is outside the pixel range [0, " + format(max) + "]");
        }
        return (float) value / divisor;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%d pixel values in [0, %s] per row (images %s)", width(), format(max), Arrays.toString(shape()));
    }

    @Override
    void putSettings(Map<String, Object> config) {
        config.put("max", max == Math.rint(max) ? (Object) (long) max : (Object) max);    // 255, not 255.0
    }

    /** 255 rather than 255.0. */
    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

package kiln.nn.deploy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.engine.Tensor;

/**
 * Image pixels as stored, {@code 0 .. max} (Fashion-MNIST: 0–255, row-major, {@code H·W} values per
 * image), divided by {@code max} into [0, 1] as the training pipeline did: in float32, {@code (float) v /
 * (float) max}, so the same pixel gives the same float as in training. Values outside [0, max] are refused.
 *
 * <p>Config: {@code {"type": "pixels", "shape": [1, 28, 28], "max": 255}}.
 */
public final class PixelEncoder implements InputEncoder {
    /** The config's {@code "type"}. */
    public static final String TYPE = "pixels";

    private final int[] shape;
    private final int width;
    private final double max;

    /**
     * @param shape one image's shape, e.g. {@code [1, 28, 28]}
     * @param max the largest pixel value, e.g. 255
     */
    public PixelEncoder(int[] shape, double max) {
        this.shape = EncoderConfig.shape(shape == null ? null : EncoderConfig.list(shape), "PixelEncoder").clone();
        if (!(max > 0 && Double.isFinite(max))) {
            throw new IllegalArgumentException("PixelEncoder: max must be a positive number, got " + max);
        }
        this.width = EncoderConfig.width(this.shape, "PixelEncoder");
        this.max = max;
    }

    static PixelEncoder fromConfig(Map<String, Object> config) {
        if (!(config.get("max") instanceof Number max)) {
            throw new IllegalArgumentException("PixelEncoder.fromConfig: \"max\" must be a number, got " + config.get("max"));
        }
        return new PixelEncoder(EncoderConfig.shape(config.get("shape"), "PixelEncoder.fromConfig \"shape\""), max.doubleValue());
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int width() {
        return width;
    }

    /** The largest pixel value. */
    public double max() {
        return max;
    }

    @Override
    public Tensor encode(List<List<Object>> rows) {
        float divisor = (float) max;
        return RawRows.numbers(rows, shape, describe(), (value, row, column) -> {
            if (value < 0 || value > max) {
                throw RawRows.refuse(row, column, value + " is outside the pixel range [0, " + format(max) + "]");
            }
            return (float) value / divisor;
        });
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%d pixel values in [0, %s] per row (images %s)", width, format(max), Arrays.toString(shape));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", TYPE);
        config.put("shape", EncoderConfig.list(shape));
        config.put("max", max == Math.rint(max) ? (Object) (long) max : (Object) max);    // 255, not 255.0
        return config;
    }

    /** 255 rather than 255.0. */
    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

package kiln.nn.deploy;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Plain numbers, used as they are (the saved scaling follows): the features of the synthetic datasets
 * and of numeric tables. Each row holds the product of the shape's sizes, row-major. A number beyond
 * float32's range is refused rather than turned into infinity.
 *
 * <p>Config: {@code {"type": "numbers", "shape": [2]}}.
 */
public final class NumberEncoder extends NumericEncoder {
    /** The config's {@code "type"}. */
    public static final String TYPE = "numbers";

    /** @param shape one example's shape, e.g. {@code [2]} */
    public NumberEncoder(int[] shape) {
        super("NumberEncoder", TYPE, shape);
    }

    static NumberEncoder fromConfig(Map<String, Object> config) {
        return new NumberEncoder(EncoderConfig.shape(config.get("shape"), "NumberEncoder.fromConfig \"shape\""));
    }

    @Override
    float value(double value, int row, int column) {
        if (Math.abs(value) > Float.MAX_VALUE) {
            throw refuse(row, column, value + " is beyond float32's range");
        }
        return (float) value;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%d numbers per row (shape %s)", width(), Arrays.toString(shape()));
    }
}

package kiln.nn.deploy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.engine.Tensor;

/**
 * Plain numbers, used as they are (the saved scaling follows): the features of the synthetic datasets
 * and of numeric tables. Each row holds the product of the shape's sizes, row-major. A number beyond
 * float32's range is refused rather than turned into infinity.
 *
 * <p>Config: {@code {"type": "numbers", "shape": [2]}}.
 */
public final class NumberEncoder implements InputEncoder {
    /** The config's {@code "type"}. */
    public static final String TYPE = "numbers";

    private final int[] shape;
    private final int width;

    /** @param shape one example's shape, e.g. {@code [2]} */
    public NumberEncoder(int[] shape) {
        this.shape = EncoderConfig.shape(shape == null ? null : EncoderConfig.list(shape), "NumberEncoder").clone();
        this.width = EncoderConfig.width(this.shape, "NumberEncoder");
    }

    static NumberEncoder fromConfig(Map<String, Object> config) {
        return new NumberEncoder(EncoderConfig.shape(config.get("shape"), "NumberEncoder.fromConfig \"shape\""));
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public Tensor encode(List<List<Object>> rows) {
        return RawRows.numbers(rows, shape, describe(), (value, row, column) -> {
            if (Math.abs(value) > Float.MAX_VALUE) {
                throw RawRows.refuse(row, column, value + " is beyond float32's range");
            }
            return (float) value;
        });
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%d numbers per row (shape %s)", width, Arrays.toString(shape));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", TYPE);
        config.put("shape", EncoderConfig.list(shape));
        return config;
    }
}

package kiln.nn.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.engine.Tensor;
import kiln.nn.data.prep.InvalidRowException;
import kiln.nn.io.Json;

/**
 * What the encoders of numbers only share: examples of a fixed shape, rows of exactly that many finite
 * numbers (row-major), one float each into a tensor {@code [n, ...shape]}. Subclasses check and convert
 * each value ({@link #value}) and add their settings to the config.
 */
abstract sealed class NumericEncoder implements InputEncoder permits PixelEncoder, NumberEncoder {
    private final String type;
    private final int[] shape;
    private final int width;

    /**
     * @param owner the class name, for messages
     * @param type the config's {@code "type"}
     */
    NumericEncoder(String owner, String type, int[] shape) {
        this.type = type;
        this.shape = EncoderConfig.shape(shape == null ? null : EncoderConfig.list(shape), owner).clone();
        this.width = EncoderConfig.width(this.shape, owner);
    }

    @Override
    public final int[] shape() {
        return shape.clone();
    }

    @Override
    public final int width() {
        return width;
    }

    /** The float stored for {@code value}, a finite number at {@code column} of {@code row}; refuses it with {@link #refuse}. */
    abstract float value(double value, int row, int column);

    /** Adds the settings beyond type and shape to the config; there are none unless a subclass has some. */
    void putSettings(Map<String, Object> config) {
    }

    @Override
    public final Tensor encode(List<List<Object>> rows) {
        if (rows == null || rows.isEmpty()) {
            throw new InvalidRowException("no rows: send at least one row of " + describe());
        }
        float[] data = new float[Math.multiplyExact(rows.size(), width)];
        for (int r = 0; r < rows.size(); r++) {
            List<Object> row = rows.get(r);
            if (row == null) {
                throw new InvalidRowException(r, "missing (null); expected " + describe());
            }
            if (row.size() != width) {
                throw new InvalidRowException(r, row.size() + (row.size() == 1 ? " value" : " values") + "; expected " + describe());
            }
            for (int c = 0; c < width; c++) {
                Object cell = row.get(c);
                if (cell == null) {
                    throw refuse(r, c, "missing (null); this model takes numbers only");
                }
                if (!(cell instanceof Number number)) {
                    throw refuse(r, c, Json.write(cell) + " is not a number");
                }
                double d = number.doubleValue();
                if (!Double.isFinite(d)) {
                    throw refuse(r, c, d + " is not a finite number");
                }
                data[r * width + c] = value(d, r, c);
            }
        }
        int[] dims = new int[shape.length + 1];
        dims[0] = rows.size();
        System.arraycopy(shape, 0, dims, 1, shape.length);
        return Tensor.fromArray(data, dims);
    }

    @Override
    public final Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", type);
        config.put("shape", EncoderConfig.list(shape));
        putSettings(config);
        return config;
    }

    /** "row 3: value 17: {problem}" (values count from 0 too). */
    static InvalidRowException refuse(int row, int column, String problem) {
        return new InvalidRowException(row, "value " + column + ": " + problem);
    }
}

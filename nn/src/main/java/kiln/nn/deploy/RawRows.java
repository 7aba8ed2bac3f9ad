package kiln.nn.deploy;

import java.util.List;

import kiln.engine.Tensor;
import kiln.nn.io.Json;

/**
 * The checks every numeric encoder makes of raw rows (present, as wide as the example, every value a
 * finite number), then one float per value into a tensor {@code [n, ...shape]}.
 */
final class RawRows {
    /** Turns one checked value into the float stored, or refuses it with {@link #refuse}. */
    interface ValueMap {
        float apply(double value, int row, int column);
    }

    private RawRows() {}

    /** @param expected what a row must hold, in words, for the messages */
    static Tensor numbers(List<List<Object>> rows, int[] shape, String expected, ValueMap map) {
        if (rows == null || rows.isEmpty()) {
            throw new InvalidInputException("no rows: send at least one row of " + expected);
        }
        int width = EncoderConfig.width(shape, "RawRows");
        float[] data = new float[Math.multiplyExact(rows.size(), width)];
        for (int r = 0; r < rows.size(); r++) {
            List<Object> row = rows.get(r);
            if (row == null) {
                throw new InvalidInputException(r, "missing (null); expected " + expected);
            }
            if (row.size() != width) {
                throw new InvalidInputException(r, row.size() + (row.size() == 1 ? " value" : " values") + "; expected " + expected);
            }
            for (int c = 0; c < width; c++) {
                Object value = row.get(c);
                if (value == null) {
                    throw refuse(r, c, "missing (null); this model takes numbers only");
                }
                if (!(value instanceof Number number)) {
                    throw refuse(r, c, Json.write(value) + " is not a number");
                }
                double d = number.doubleValue();
                if (!Double.isFinite(d)) {
                    throw refuse(r, c, d + " is not a finite number");
                }
                data[r * width + c] = map.apply(d, r, c);
            }
        }
        int[] dims = new int[shape.length + 1];
        dims[0] = rows.size();
        System.arraycopy(shape, 0, dims, 1, shape.length);
        return Tensor.fromArray(data, dims);
    }

    /** "row 3: value 17: {problem}" (values count from 0 too). */
    static InvalidInputException refuse(int row, int column, String problem) {
        return new InvalidInputException(row, "value " + column + ": " + problem);
    }
}

package kiln.nn.deploy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import kiln.nn.io.Json;

/** Reading the parts of an encoder's config (parsed JSON), with messages that say which entry is wrong. */
final class EncoderConfig {
    private EncoderConfig() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value, String where) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(where + " must be a JSON object, got " + Json.write(value));
    }

    /** A non-empty list of positive integers, e.g. [1, 28, 28]. */
    static int[] shape(Object value, String where) {
        if (value instanceof List<?> list && !list.isEmpty()) {
            int[] shape = new int[list.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!(list.get(i) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                        || n.doubleValue() < 1 || n.doubleValue() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(where + ": a shape is a list of positive integers, got " + Json.write(value));
                }
                shape[i] = n.intValue();
            }
            return shape;
        }
        throw new IllegalArgumentException(where + ": a shape is a non-empty list of positive integers, got " + Json.write(value));
    }

    /** The number of values of one example of {@code shape}, refusing more than an int can count. */
    static int width(int[] shape, String owner) {
        long width = 1;
        for (int size : shape) {
            width *= size;
            if (width > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(owner + ": the shape " + Arrays.toString(shape) + " has more values than an int counts");
            }
        }
        return (int) width;
    }

    static List<Integer> list(int[] shape) {
        return Arrays.stream(shape).boxed().toList();
    }
}

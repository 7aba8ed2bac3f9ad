package kiln.nn.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Strict, typed reading of one object parsed by {@link Json}: required members of the expected types,
 * no unknown members. Every refusal is an IllegalArgumentException naming where the object is
 * (e.g. {@code "layers[2] (Conv2d)"}) and what is wrong, because a typo in a file must not be ignored.
 */
final class JsonObject {
    private final Map<?, ?> members;
    private final String where;

    private JsonObject(Map<?, ?> members, String where) {
        this.members = members;
        this.where = where;
    }

    /** The value as an object; {@code where} names it in error messages. */
    static JsonObject of(Object value, String where) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + " must be a JSON object, got " + describe(value));
        }
        return new JsonObject(map, where);
    }

    String where() { return where; }

    Map<?, ?> members() { return members; }

    /** Refuses members other than {@code allowed} (the required ones are checked on reading). */
    JsonObject allowOnly(Collection<String> allowed) {
        for (Object key : members.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown member \"" + key + "\" (expected " + String.join(", ", allowed) + ")");
            }
        }
        return this;
    }

    Object get(String key) {
        if (!members.containsKey(key)) {
            throw new IllegalArgumentException(where + ": missing \"" + key + "\"");
        }
        return members.get(key);
    }

    String string(String key) {
        if (!(get(key) instanceof String s)) {
            throw wrongType(key, "a string");
        }
        return s;
    }

    boolean bool(String key) {
        if (!(get(key) instanceof Boolean b)) {
            throw wrongType(key, "true or false");
        }
        return b;
    }

    /** A number; an integer is accepted too (1e-5 and 1 are both numbers to a person writing JSON). */
    double number(String key) {
        if (!(get(key) instanceof Number n)) {
            throw wrongType(key, "a number");
        }
        return n.doubleValue();
    }

    /** An integer of at least {@code min} that fits an int. */
    int integer(String key, int min) {
        return toInt(get(key), min, where + ": \"" + key + "\"");
    }

    /** A list of integers of at least {@code min} that fit an int. */
    int[] integers(String key, int min) {
        List<?> list = list(key);
        int[] values = new int[list.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = toInt(list.get(i), min, where + ": \"" + key + "\"[" + i + "]");
        }
        return values;
    }

    List<?> list(String key) {
        if (!(get(key) instanceof List<?> list)) {
            throw wrongType(key, "an array");
        }
        return list;
    }

    /** The members of the list under {@code key} as objects, named {@code key[i]}. */
    List<JsonObject> objects(String key) {
        List<?> list = list(key);
        List<JsonObject> objects = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            objects.add(of(list.get(i), where + ": \"" + key + "\"[" + i + "]"));
        }
        return objects;
    }

    /** An integer (a Long from Json.parse, or a boxed int) of at least {@code min}. */
    static long toLong(Object value, long min, String what) {
        if (!(value instanceof Long || value instanceof Integer)) {
            throw new IllegalArgumentException(what + " must be an integer, got " + describe(value));
        }
        long n = ((Number) value).longValue();
        if (n < min) {
            throw new IllegalArgumentException(what + " must be at least " + min + ", got " + n);
        }
        return n;
    }

    static int toInt(Object value, int min, String what) {
        long n = toLong(value, min, what);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " must be at most " + Integer.MAX_VALUE + ", got " + n);
        }
        return (int) n;
    }

    private IllegalArgumentException wrongType(String key, String expected) {
        return new IllegalArgumentException(where + ": \"" + key + "\" must be " + expected + ", got " + describe(members.get(key)));
    }

    /** A value for a message: its JSON text, shortened. */
    static String describe(Object value) {
        String text;
        try {
            text = Json.write(value);
        } catch (IllegalArgumentException notJson) {
            text = String.valueOf(value);
        }
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}

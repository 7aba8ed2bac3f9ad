package kiln.bench.compare;

import java.util.List;
import java.util.Map;

import kiln.nn.io.Json;

/**
 * One JSON line written by a peer script ({@code common.emit} in {@code ../shared/peers}): a flat
 * object of facts ({@code "bench"}, {@code "lib"}, {@code "threads"}, ...) whose figures are nested
 * summaries ({@code "gflops": {"min": .., "median": .., "max": .., "n": ..}}).
 *
 * @param source where the line came from (script name), for messages
 */
public record PeerRecord(Map<?, ?> fields, String source) {

    /** The records of a script's JSON lines; blank lines are skipped, anything else must be a JSON object. */
    static List<PeerRecord> parse(List<String> lines, String source) {
        return lines.stream().filter(line -> !line.isBlank()).map(line -> {
            Object value = Json.parse(line);
            if (!(value instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(source + ": a JSON line must be an object, got " + line);
            }
            return new PeerRecord(map, source);
        }).toList();
    }

    /**
     * The first record whose fields equal the given ones ({@code key, value, key, value, ...}; numbers
     * compare by value, so 1024 matches 1024 and 1024.0), or null when none does.
     */
    static PeerRecord find(List<PeerRecord> records, Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("PeerRecord.find: keys and values must come in pairs, got " + keysAndValues.length);
        }
        for (PeerRecord record : records) {
            boolean all = true;
            for (int i = 0; i < keysAndValues.length && all; i += 2) {
                all = same(record.fields.get(keysAndValues[i]), keysAndValues[i + 1]);
            }
            if (all) {
                return record;
            }
        }
        return null;
    }

    private static boolean same(Object field, Object wanted) {
        if (field instanceof Number a && wanted instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        return field != null && field.equals(wanted);
    }

    /** The text under {@code key}. */
    public String text(String key) {
        if (!(fields.get(key) instanceof String value)) {
            throw new IllegalArgumentException(source + ": \"" + key + "\" must be a string, got " + fields.get(key));
        }
        return value;
    }

    /** The number under {@code key}. */
    public double number(String key) {
        if (!(fields.get(key) instanceof Number value)) {
            throw new IllegalArgumentException(source + ": \"" + key + "\" must be a number, got " + fields.get(key));
        }
        return value.doubleValue();
    }

    /** The summary under {@code key} as a {@link Timing}. */
    public Timing timing(String key) {
        return Timing.fromJson(fields.get(key), source + " \"" + key + "\"");
    }

    /** The member {@code inner} of the object under {@code key}, e.g. the p90 of {@code batch1_us}. */
    public double number(String key, String inner) {
        if (!(fields.get(key) instanceof Map<?, ?> map) || !(map.get(inner) instanceof Number value)) {
            throw new IllegalArgumentException(source + ": \"" + key + "\" must be an object with a number \"" + inner
                    + "\", got " + fields.get(key));
        }
        return value.doubleValue();
    }
}

package kiln.bench.compare;

import java.util.Arrays;
import java.util.Map;

/**
 * The spread of repeated measurements of one figure: smallest, median and largest of {@code n}
 * samples, in the row's unit (the median of an even count is the mean of the two middle samples).
 */
public record Timing(double min, double median, double max, int n) {
    public Timing {
        if (n < 1 || !(min <= median && median <= max)) {
            throw new IllegalArgumentException("Timing: need n >= 1 and min <= median <= max, got " + min + " / " + median
                    + " / " + max + " over " + n);
        }
    }

    /** The spread of {@code samples} (at least one). */
    static Timing of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("Timing.of: no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Timing(sorted[0], median, sorted[n - 1], n);
    }

    /**
     * A peer's summary as its scripts write it ({@code common.summarize}): an object with numbers
     * {@code min}, {@code median}, {@code max} and, where known, {@code n} (1 if absent).
     */
    static Timing fromJson(Object summary, String where) {
        if (!(summary instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + ": expected an object with min, median and max, got " + summary);
        }
        Object n = map.get("n");
        return new Timing(number(map, "min", where), number(map, "median", where), number(map, "max", where),
                n instanceof Number count ? count.intValue() : 1);
    }

    private static double number(Map<?, ?> map, String key, String where) {
        if (!(map.get(key) instanceof Number value)) {
            throw new IllegalArgumentException(where + ": \"" + key + "\" must be a number, got " + map.get(key));
        }
        return value.doubleValue();
    }

    /** {@code min / median / max} with {@code unit}'s precision. */
    String format(Unit unit) {
        String f = unit.format();
        return String.format(java.util.Locale.ROOT, f + " / " + f + " / " + f, min, median, max);
    }
}

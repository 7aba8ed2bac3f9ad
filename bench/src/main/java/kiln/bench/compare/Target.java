package kiln.bench.compare;

import java.util.Locale;

/**
 * One of issue 6's floors for a row, checked on medians: either a bound on Kiln's speed relative to
 * the peer's ({@link #speedRatioAtLeast}) or a bound on Kiln's own figure ({@link #kilnAtLeast},
 * {@link #kilnAtMost}).
 *
 * @param text  as the issue states it, e.g. {@code ≥ 0.9× OpenBLAS}, {@code time ≤ 1.2× torch}, {@code ≤ 8 µs}
 * @param kind  what is bounded
 * @param bound the bound, as a speed ratio or in the row's unit
 */
record Target(String text, Kind kind, double bound) {
    enum Kind { SPEED_RATIO_AT_LEAST, KILN_AT_LEAST, KILN_AT_MOST }

    /** Kiln speed ÷ peer speed must be at least {@code ratio}. */
    static Target speedRatioAtLeast(double ratio, String text) {
        return new Target(text, Kind.SPEED_RATIO_AT_LEAST, ratio);
    }

    /**
     * Kiln's time must be at most {@code factor} times the peer's, i.e. its speed at least
     * {@code 1 / factor} times the peer's; stated as {@code time ≤ factor× peer}.
     */
    static Target timeAtMost(double factor, String peer) {
        return speedRatioAtLeast(1 / factor, String.format(Locale.ROOT, "time ≤ %s× %s", trim(factor), peer));
    }

    /** Kiln's median must be at least {@code value} (a rate). */
    static Target kilnAtLeast(double value, Unit unit) {
        return new Target("≥ " + trim(value) + " " + unit.symbol(), Kind.KILN_AT_LEAST, value);
    }

    /** Kiln's median must be at most {@code value} (a time). */
    static Target kilnAtMost(double value, Unit unit) {
        return new Target("≤ " + trim(value) + " " + unit.symbol(), Kind.KILN_AT_MOST, value);
    }

    /** Whether {@code row} meets this target; null when it cannot tell (a ratio target without the peer's figure). */
    Boolean met(Row row) {
        return switch (kind) {
            case SPEED_RATIO_AT_LEAST -> row.peer() == null ? null : row.speedRatio() >= bound;
            case KILN_AT_LEAST -> row.kiln().median() >= bound;
            case KILN_AT_MOST -> row.kiln().median() <= bound;
        };
    }

    /** 0.9 as "0.9", 20 as "20". */
    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}

package kiln.cli;

import java.math.BigDecimal;

/**
 * The knobs {@code kiln tune} searches, each named as its {@code kiln train} option, with the range of
 * values that option accepts. One definition serves both verbs, so that a value the tuner may try is
 * exactly a value {@code kiln train} takes.
 */
enum Hyperparameter {
    LR("lr", 0, true, 10, true, false),
    BATCH("batch", 1, true, Integer.MAX_VALUE, true, true),
    WIDTH("width", 0, false, 100, true, false),
    WEIGHT_DECAY("weight-decay", 0, true, 10, true, false),
    DROPOUT("dropout", 0, true, 1, false, false);

    private final String option;
    private final double min;
    private final boolean minIncluded;
    private final double max;
    private final boolean maxIncluded;
    private final boolean integer;

    Hyperparameter(String option, double min, boolean minIncluded, double max, boolean maxIncluded, boolean integer) {
        this.option = option;
        this.min = min;
        this.minIncluded = minIncluded;
        this.max = max;
        this.maxIncluded = maxIncluded;
        this.integer = integer;
    }

    /** The option's name without dashes, e.g. {@code weight-decay}; also its name in a spec file. */
    String option() {
        return option;
    }

    /** True for values that must be whole numbers (the batch size). */
    boolean integer() {
        return integer;
    }

    /** The hyperparameter an option or spec-file name denotes, or null. */
    static Hyperparameter named(String name) {
        for (Hyperparameter h : values()) {
            if (h.option.equals(name)) {
                return h;
            }
        }
        return null;
    }

    /** The known names, for messages: "lr, batch, width, weight-decay, dropout". */
    static String names() {
        StringBuilder names = new StringBuilder();
        for (Hyperparameter h : values()) {
            names.append(names.isEmpty() ? "" : ", ").append(h.option);
        }
        return names.toString();
    }

    private boolean inRange(double value) {
        boolean aboveMin = minIncluded ? value >= min : value > min;
        boolean belowMax = maxIncluded ? value <= max : value < max;
        return aboveMin && belowMax;
    }

    /** The accepted range as text, e.g. "[0, 1)". */
    private String range() {
        return (minIncluded ? "[" : "(") + format(min) + ", " + format(max) + (maxIncluded ? "]" : ")");
    }

    /**
     * Reads one value; {@code label} names where it came from ({@code --lr}, {@code space.txt:3: lr}) and
     * starts the message of the IllegalArgumentException that refuses a value out of range or not a number.
     */
    double parse(String text, String label) {
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(label + " must be " + (integer ? "an integer" : "a number") + ", got '" + text.strip() + "'");
        }
        check(value, label);
        return value;
    }

    /** Refuses a value outside the range (or not whole, for the batch size), naming {@code label}. */
    void check(double value, String label) {
        if (integer && value != Math.rint(value)) {
            throw new IllegalArgumentException(label + " must be an integer, got " + format(value));
        }
        if (!inRange(value)) {
            throw new IllegalArgumentException(label + " must be in " + range() + ", got " + format(value));
        }
    }

    /** A value as a person would write it: 0.001, 128, 0.5 (no exponent, no trailing zeros); parses back to the same double. */
    static String format(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}

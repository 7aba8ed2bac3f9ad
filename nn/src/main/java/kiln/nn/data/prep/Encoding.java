package kiln.nn.data.prep;

/**
 * How a text (categorical) column becomes numbers, its categories sorted by text so that the same
 * training rows always give the same columns:
 * <ul>
 *   <li>{@code onehot}: one feature per category, 1 for the row's category and 0 for the others; no
 *       order is implied, at the cost of one input per category;</li>
 *   <li>{@code ordinal}: one feature holding the category's index (0, 1, 2, ...); compact, but it tells
 *       the model that categories next to each other are alike, which suits ordered ones
 *       ("low" / "medium" / "high" spelt so they sort in order) better than names.</li>
 * </ul>
 */
public enum Encoding {
    ONE_HOT("onehot"),
    ORDINAL("ordinal");

    private final String spec;

    Encoding(String spec) {
        this.spec = spec;
    }

    /** Reads {@code onehot} or {@code ordinal}. */
    public static Encoding parse(String spec) {
        for (Encoding encoding : values()) {
            if (encoding.spec.equals(spec)) {
                return encoding;
            }
        }
        throw new IllegalArgumentException("encoding: expected onehot or ordinal, got '" + spec + "'");
    }

    @Override
    public String toString() {
        return spec;
    }
}

package kiln.nn.data.prep;

import java.util.Locale;

/**
 * What to do with a missing value in a feature column.
 *
 * <ul>
 *   <li>{@code refuse}: nothing; a missing value is an error (the file must be cleaned first).</li>
 *   <li>{@code drop}: rows with a missing feature are left out before training; a model prepared this
 *       way refuses to predict a row with a missing value, since it has nothing to fill it with.</li>
 *   <li>{@code mean}, {@code median}, {@code most-frequent}: fill with that statistic of the column over
 *       the training rows (a text column always takes its most frequent category).</li>
 *   <li>{@code constant:V}: fill with V (a number for a numeric column; for a text column V becomes a
 *       category of its own, so the model can tell "missing" apart).</li>
 * </ul>
 *
 * @param strategy the rule
 * @param constant the fill value of {@link Strategy#CONSTANT}, else null
 */
public record MissingValues(Strategy strategy, String constant) {
    public enum Strategy { REFUSE, DROP, MEAN, MEDIAN, MOST_FREQUENT, CONSTANT }

    public static final MissingValues REFUSE = new MissingValues(Strategy.REFUSE, null);
    public static final MissingValues DROP = new MissingValues(Strategy.DROP, null);
    public static final MissingValues MEAN = new MissingValues(Strategy.MEAN, null);
    public static final MissingValues MEDIAN = new MissingValues(Strategy.MEDIAN, null);
    public static final MissingValues MOST_FREQUENT = new MissingValues(Strategy.MOST_FREQUENT, null);

    public MissingValues {
        if (strategy == null) {
            throw new IllegalArgumentException("MissingValues: the strategy must not be null");
        }
        if ((strategy == Strategy.CONSTANT) != (constant != null)) {
            throw new IllegalArgumentException("MissingValues: a constant fill value goes with the CONSTANT strategy alone, got "
                    + strategy + " and " + constant);
        }
    }

    /** Fill with {@code value}. */
    public static MissingValues constant(String value) {
        return new MissingValues(Strategy.CONSTANT, value);
    }

    /** Reads {@code refuse}, {@code drop}, {@code mean}, {@code median}, {@code most-frequent} or {@code constant:V}. */
    public static MissingValues parse(String spec) {
        if (spec.startsWith("constant:")) {
            return constant(spec.substring("constant:".length()));
        }
        for (Strategy strategy : Strategy.values()) {
            if (strategy != Strategy.CONSTANT && name(strategy).equals(spec)) {
                return new MissingValues(strategy, null);
            }
        }
        throw new IllegalArgumentException("missing values: expected refuse, drop, mean, median, most-frequent or constant:VALUE, got '"
                + spec + "'");
    }

    /** Whether a fitted column holds a value to fill gaps with. */
    boolean fills() {
        return strategy != Strategy.REFUSE && strategy != Strategy.DROP;
    }

    private static String name(Strategy strategy) {
        return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The spec {@link #parse} reads back. */
    @Override
    public String toString() {
        return strategy == Strategy.CONSTANT ? "constant:" + constant : name(strategy);
    }
}

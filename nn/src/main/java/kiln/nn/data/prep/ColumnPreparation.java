package kiln.nn.data.prep;

import java.util.List;
import java.util.Map;

/**
 * How one raw column becomes model features, with everything fitted on the training rows (fill value,
 * clipping bounds, categories) held in the object, so that training, evaluation and prediction on new
 * rows apply exactly the same rule.
 */
public sealed interface ColumnPreparation permits NumericColumn, CategoricalColumn {
    /** The column's name in the table. */
    String name();

    /** How many features the column becomes. */
    int width();

    /** The names of those features, e.g. {@code age} or {@code color=red}. */
    List<String> featureNames();

    /**
     * Writes the features of one raw value into {@code out[offset, offset + width())}, which holds zeros.
     *
     * @param value a Number, a String as read (not yet trimmed), or null when the value is missing
     * @throws IllegalArgumentException with the reason, when the value cannot be used (not a number,
     *                                  missing with nothing to fill it with)
     */
    void encode(Object value, float[] out, int offset);

    /** A line describing what was fitted, for logs and reports. */
    String describe();

    /** The fitted state as JSON-ready values (Strings, Doubles, Lists), read back by {@link #fromConfig}. */
    Map<String, Object> config();

    /** Rebuilds a column from its {@link #config()}, refusing anything malformed with the reason. */
    static ColumnPreparation fromConfig(Map<?, ?> config) {
        Object kind = config.get("kind");
        if (NumericColumn.KIND.equals(kind)) {
            return NumericColumn.fromConfig(config);
        }
        if (CategoricalColumn.KIND.equals(kind)) {
            return CategoricalColumn.fromConfig(config);
        }
        throw new IllegalArgumentException("column \"kind\" must be \"" + NumericColumn.KIND + "\" or \""
                + CategoricalColumn.KIND + "\", got " + kind);
    }
}

package kiln.nn.data.prep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A text column: its categories (the distinct trimmed texts of the training rows, sorted), encoded
 * one-hot or as the category's index ({@link Encoding}), with {@code fill} standing in for a missing
 * value (null: a missing value is an error).
 *
 * <p>A category the training rows never held is treated as a missing value: filled when there is a
 * fill value, an error otherwise. (One-hot could encode it as all zeros, but ordinal has no such
 * "none" value, and one rule for both is easier to reason about.)
 */
public final class CategoricalColumn implements ColumnPreparation {
    static final String KIND = "categorical";

    private final String name;
    private final Encoding encoding;
    private final List<String> categories;
    private final String fill;
    private final Map<String, Integer> index = new HashMap<>();   // category → its position in categories

    /**
     * @param categories distinct texts, in the order of their one-hot columns / ordinal values
     * @param fill       one of the categories, or null
     */
    public CategoricalColumn(String name, Encoding encoding, List<String> categories, String fill) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("CategoricalColumn: the name must not be empty");
        }
        if (encoding == null || categories == null || categories.isEmpty()) {
            throw new IllegalArgumentException("CategoricalColumn '" + name + "': needs an encoding and at least one category");
        }
        for (String category : categories) {
            if (index.putIfAbsent(category, index.size()) != null) {
                throw new IllegalArgumentException("CategoricalColumn '" + name + "': the category '" + category + "' repeats");
            }
        }
        if (fill != null && !index.containsKey(fill)) {
            throw new IllegalArgumentException("CategoricalColumn '" + name + "': the fill value '" + fill + "' is not one of the categories");
        }
        this.name = name;
        this.encoding = encoding;
        this.categories = List.copyOf(categories);
        this.fill = fill;
    }

    /** Fits the column on the trimmed texts of the training rows that are not missing. */
    static CategoricalColumn fit(String name, List<String> texts, Encoding encoding, MissingValues missing) {
        TreeMap<String, Integer> counts = new TreeMap<>();   // sorted, so categories and ties never depend on row order
        texts.forEach(text -> counts.merge(text, 1, Integer::sum));
        String fill = null;
        if (missing.strategy() == MissingValues.Strategy.CONSTANT) {
            fill = missing.constant().strip();
            counts.putIfAbsent(fill, 0);   // "missing" becomes a category of its own
        } else if (missing.fills()) {   // mean and median mean nothing for texts: the most frequent category
            int most = 0;
            for (Map.Entry<String, Integer> entry : counts.entrySet()) {
                if (entry.getValue() > most) {
                    fill = entry.getKey();
                    most = entry.getValue();
                }
            }
        }
        if (counts.isEmpty()) {
            throw new IllegalArgumentException("column '" + name + "' has no values in the training rows; exclude the column"
                    + " or fill with a constant");
        }
        return new CategoricalColumn(name, encoding, new ArrayList<>(counts.keySet()), fill);
    }

    @Override
    public String name() {
        return name;
    }

    /** How a category becomes features: one-hot columns or its index. */
    public Encoding encoding() {
        return encoding;
    }

    /** The categories in the order of their one-hot columns; a category's position is its ordinal value. */
    public List<String> categories() {
        return categories;
    }

    /** The category that fills a missing value, or null. */
    public String fill() {
        return fill;
    }

    @Override
    public int width() {
        return encoding == Encoding.ONE_HOT ? categories.size() : 1;
    }

    @Override
    public List<String> featureNames() {
        return encoding == Encoding.ONE_HOT ? categories.stream().map(c -> name + "=" + c).toList() : List.of(name);
    }

    @Override
    public void encode(Object value, float[] out, int offset) {
        String category = category(value);
        Integer position = category == null ? null : index.get(category);
        if (position == null) {
            if (fill == null) {
                throw new IllegalArgumentException(category == null
                        ? "the value is missing, and the preparation has no fill value (missing values: refuse or drop)"
                        : "'" + category + "' is not a category seen in training (" + known() + ")");
            }
            position = index.get(fill);
        }
        if (encoding == Encoding.ONE_HOT) {
            out[offset + position] = 1;
        } else {
            out[offset] = position;
        }
    }

    /** The category a raw value names: a text trimmed, a number as written ({@code 3.0} is "3"); null when missing. */
    static String category(Object value) {
        return switch (value) {
            case null -> null;
            case Number n -> NumberText.of(n.doubleValue());
            default -> ((String) value).strip();
        };
    }

    /** Whether training saw the category {@code value} names (false for a missing value). */
    boolean knows(Object value) {
        String category = category(value);
        return category != null && index.containsKey(category);
    }

    private String known() {
        return categories.size() <= 10 ? "known: " + String.join(", ", categories)
                : categories.size() + " known, e.g. " + String.join(", ", categories.subList(0, 10));
    }

    @Override
    public String describe() {
        String text = name + ": " + categories.size() + " categor" + (categories.size() == 1 ? "y" : "ies") + ", " + encoding;
        return fill == null ? text : text + ", missing values filled with '" + fill + "'";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", name);
        config.put("kind", KIND);
        config.put("encoding", encoding.toString());
        config.put("categories", categories);
        config.put("fill", fill);
        return config;
    }

    static CategoricalColumn fromConfig(Map<?, ?> config) {
        String name = Configs.string(config, "name");
        Object categories = config.get("categories");
        if (!(categories instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw new IllegalArgumentException("column '" + name + "': \"categories\" must be a list of texts, got " + categories);
        }
        Object fill = config.get("fill");
        if (fill != null && !(fill instanceof String)) {
            throw new IllegalArgumentException("column '" + name + "': \"fill\" must be a text or null, got " + fill);
        }
        return new CategoricalColumn(name, Encoding.parse(Configs.string(config, "encoding")),
                list.stream().map(String.class::cast).toList(), (String) fill);
    }
}

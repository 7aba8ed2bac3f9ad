package kiln.nn.data.prep;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.nn.data.CsvTable;

/**
 * A numeric column: its value, clipped to {@code [lower, upper]} (infinite bounds: no clipping), with
 * {@code fill} standing in for a missing value (null: a missing value is an error).
 */
public record NumericColumn(String name, Double fill, double lower, double upper) implements ColumnPreparation {
    static final String KIND = "numeric";

    public NumericColumn {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("NumericColumn: the name must not be empty");
        }
        if (fill != null && !Double.isFinite(fill)) {
            throw new IllegalArgumentException("NumericColumn '" + name + "': the fill value must be finite, got " + fill);
        }
        if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
            throw new IllegalArgumentException("NumericColumn '" + name + "': the clipping bounds must be ordered, got ["
                    + lower + ", " + upper + "]");
        }
    }

    /** Fits the column on the values of the training rows that are not missing (ascending). */
    static NumericColumn fit(String name, double[] sorted, MissingValues missing, OutlierRule outliers) {
        double[] bounds = sorted.length == 0 ? null : outliers.bounds(sorted);
        double lower = bounds == null ? Double.NEGATIVE_INFINITY : bounds[0];
        double upper = bounds == null ? Double.POSITIVE_INFINITY : bounds[1];
        double[] clipped = new double[sorted.length];   // still ascending: clipping keeps the order
        for (int i = 0; i < sorted.length; i++) {
            clipped[i] = Math.clamp(sorted[i], lower, upper);
        }
        return new NumericColumn(name, fillValue(name, clipped, missing), lower, upper);
    }

    /** The statistic that fills gaps, computed after clipping so that outliers do not drag the mean. */
    private static Double fillValue(String name, double[] sorted, MissingValues missing) {
        if (!missing.fills()) {
            return null;
        }
        if (missing.strategy() == MissingValues.Strategy.CONSTANT) {
            if (!CsvTable.isNumber(missing.constant())) {
                throw new IllegalArgumentException("column '" + name + "' is numeric, but the constant fill value '"
                        + missing.constant() + "' is not a number");
            }
            return Double.parseDouble(missing.constant().strip());
        }
        if (sorted.length == 0) {
            throw new IllegalArgumentException("column '" + name + "' has no values in the training rows to compute its "
                    + missing + " from; exclude the column or fill with a constant");
        }
        return switch (missing.strategy()) {
            case MEAN -> {
                double sum = 0;
                for (double v : sorted) {
                    sum += v;
                }
                yield sum / sorted.length;
            }
            case MEDIAN -> Quantiles.of(sorted, 0.5);
            case MOST_FREQUENT -> mostFrequent(sorted);
            default -> throw new AssertionError(missing);
        };
    }

    /** The value that occurs most often; among equally frequent ones, the smallest (the first run in ascending order). */
    private static double mostFrequent(double[] sorted) {
        double best = sorted[0];
        int bestRun = 0;
        for (int start = 0, end; start < sorted.length; start = end) {
            end = start;
            while (end < sorted.length && sorted[end] == sorted[start]) {
                end++;
            }
            if (end - start > bestRun) {
                best = sorted[start];
                bestRun = end - start;
            }
        }
        return best;
    }

    @Override
    public int width() {
        return 1;
    }

    @Override
    public List<String> featureNames() {
        return List.of(name);
    }

    @Override
    public void encode(Object value, float[] out, int offset) {
        double x;
        if (value == null) {
            if (fill == null) {
                throw new IllegalArgumentException("the value is missing, and the preparation has no fill value (missing values: refuse or drop)");
            }
            x = fill;
        } else {
            x = Math.clamp(number(value), lower, upper);
        }
        float f = (float) x;
        if (Float.isInfinite(f)) {   // float32 would silently turn it into infinity
            throw new IllegalArgumentException("'" + value + "' is beyond float32's range (about ±3.4e38)");
        }
        out[offset] = f;
    }

    /** A number as it is; a text read as a decimal number, or refused. */
    private static double number(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        String text = (String) value;
        if (!CsvTable.isNumber(text)) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
        return Double.parseDouble(text.strip());
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>(List.of(name + ": numeric"));
        if (fill != null) {
            parts.add("missing values filled with " + brief(fill));
        }
        if (Double.isFinite(lower) || Double.isFinite(upper)) {
            parts.add("clipped to [" + brief(lower) + ", " + brief(upper) + "]");
        }
        return String.join(", ", parts);
    }

    /** Five significant digits at most (42, 47.796, -0.5): enough to read, while the config keeps every digit. */
    private static String brief(double value) {
        return Double.isInfinite(value) ? Double.toString(value)
                : new BigDecimal(value).round(new MathContext(5)).stripTrailingZeros().toPlainString();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", name);
        config.put("kind", KIND);
        config.put("fill", fill);
        config.put("clip", Double.isInfinite(lower) && Double.isInfinite(upper) ? null : List.of(lower, upper));
        return config;
    }

    static NumericColumn fromConfig(Map<?, ?> config) {
        String name = Configs.string(config, "name");
        Object fill = config.get("fill");
        if (fill != null && !(fill instanceof Number)) {
            throw new IllegalArgumentException("column '" + name + "': \"fill\" must be a number or null, got " + fill);
        }
        double lower = Double.NEGATIVE_INFINITY;
        double upper = Double.POSITIVE_INFINITY;
        Object clip = config.get("clip");
        if (clip != null) {
            if (!(clip instanceof List<?> bounds && bounds.size() == 2 && bounds.get(0) instanceof Number low
                    && bounds.get(1) instanceof Number high)) {
                throw new IllegalArgumentException("column '" + name + "': \"clip\" must be [lower, upper] or null, got " + clip);
            }
            lower = low.doubleValue();
            upper = high.doubleValue();
        }
        return new NumericColumn(name, fill == null ? null : ((Number) fill).doubleValue(), lower, upper);
    }
}

package kiln.nn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.nn.data.FeatureScaler.Scope;

/** Reading and writing the JSON-ready values of {@link FeatureScaler#config()}, with messages that name what is wrong. */
final class ScalerConfig {
    private ScalerConfig() {}

    /** {@code "per_feature"} or {@code "global"}. */
    static String name(Scope scope) {
        return scope.name().toLowerCase(Locale.ROOT);
    }

    static Scope scope(Map<String, Object> config, String owner) {
        Object value = config.get("scope");
        for (Scope scope : Scope.values()) {
            if (name(scope).equals(value)) {
                return scope;
            }
        }
        throw new IllegalArgumentException(owner + ".fromConfig: \"scope\" must be \"per_feature\" or \"global\", got " + value);
    }

    static List<Double> list(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double value : values) {
            list.add(value);
        }
        return list;
    }

    static double number(Map<String, Object> config, String key, String owner) {
        if (config.get(key) instanceof Number number) {
            return number.doubleValue();
        }
        throw new IllegalArgumentException(owner + ".fromConfig: \"" + key + "\" must be a number, got " + config.get(key));
    }

    static double[] numbers(Map<String, Object> config, String key, String owner) {
        if (config.get(key) instanceof List<?> list) {
            double[] values = new double[list.size()];
            for (int i = 0; i < values.length; i++) {
                if (!(list.get(i) instanceof Number number)) {
                    throw new IllegalArgumentException(owner + ".fromConfig: \"" + key + "\"[" + i + "] must be a number, got " + list.get(i));
                }
                values[i] = number.doubleValue();
            }
            return values;
        }
        throw new IllegalArgumentException(owner + ".fromConfig: \"" + key + "\" must be a list of numbers, got " + config.get(key));
    }

    /** Statistics must be one per feature (one in all if global), at least one, all finite. */
    static void checkStatistics(String owner, Scope scope, double[]... statistics) {
        int length = statistics[0].length;
        for (double[] values : statistics) {
            if (values.length != length || length == 0 || (scope == Scope.GLOBAL && length != 1)) {
                throw new IllegalArgumentException(owner + ": " + name(scope) + " statistics need "
                        + (scope == Scope.GLOBAL ? "exactly one value" : "one value per feature, as many for each statistic")
                        + ", got lengths " + lengths(statistics));
            }
            for (double value : values) {
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException(owner + ": statistics must be finite, got " + value);
                }
            }
        }
    }

    private static String lengths(double[][] statistics) {
        List<Integer> lengths = new ArrayList<>();
        for (double[] values : statistics) {
            lengths.add(values.length);
        }
        return lengths.toString();
    }
}

package kiln.nn.data;

import java.util.Arrays;
import java.util.Map;

/**
 * Rescaling to a range: {@code z = low + (x − min) / (max − min) · (high − low)}, so that each feature
 * (or, if global, all values together) of the training data spans {@code [low, high]}, {@code [0, 1]} by
 * default. Held-out values outside the training range map outside {@code [low, high]}; they are not clipped.
 *
 * <p>A constant feature ({@code max = min}) maps to {@code low}: its range is taken as 1, as in
 * scikit-learn's MinMaxScaler. Internally {@code z = (x − shift) / scale} with
 * {@code scale = (max − min) / (high − low)} and {@code shift = min − low · scale}, which for the default
 * range are exactly {@code max − min} and {@code min}.
 *
 * <p>{@link #config()}: {@code type "minmax", scope "per_feature"|"global", min [..], max [..], low, high}.
 */
public final class MinMaxScaler extends AffineScaler {
    static final String TYPE = "minmax";
    private static final String NAME = "MinMaxScaler";

    private final double[] min;
    private final double[] max;
    private final double low;
    private final double high;

    /** Fits one minimum and maximum per feature, mapped to [0, 1]. */
    public static ScalerFitter<MinMaxScaler> perFeature() {
        return perFeature(0, 1);
    }

    /** Fits one minimum and maximum per feature, mapped to [low, high]. */
    public static ScalerFitter<MinMaxScaler> perFeature(double low, double high) {
        return fitter(Scope.PER_FEATURE, low, high);
    }

    /** Fits one minimum and maximum over all values, mapped to [0, 1]. */
    public static ScalerFitter<MinMaxScaler> global() {
        return global(0, 1);
    }

    /** Fits one minimum and maximum over all values, mapped to [low, high]. */
    public static ScalerFitter<MinMaxScaler> global(double low, double high) {
        return fitter(Scope.GLOBAL, low, high);
    }

    private static ScalerFitter<MinMaxScaler> fitter(Scope scope, double low, double high) {
        checkRange(low, high);
        return new ScalerFitter<>(NAME, scope, columns -> new Extremes(scope, columns, low, high));
    }

    private static void checkRange(double low, double high) {
        if (!(Double.isFinite(low) && Double.isFinite(high) && low < high)) {
            throw new IllegalArgumentException(NAME + ": the target range needs finite low < high, got [" + low + ", " + high + "]");
        }
    }

    /** A scaler from known extremes, one per feature (one of each if global), mapped to [low, high]. */
    public MinMaxScaler(Scope scope, double[] min, double[] max, double low, double high) {
        ScalerConfig.checkStatistics(NAME, scope, min, max);
        checkRange(low, high);
        double[] scale = new double[min.length];
        double[] shift = new double[min.length];
        for (int j = 0; j < min.length; j++) {
            if (min[j] > max[j]) {
                throw new IllegalArgumentException(NAME + ": min " + min[j] + " exceeds max " + max[j] + " for feature " + j);
            }
            double range = max[j] > min[j] ? max[j] - min[j] : 1;
            scale[j] = range / (high - low);
            shift[j] = min[j] - low * scale[j];
        }
        super(NAME, TYPE, scope, shift, scale);
        this.min = min.clone();
        this.max = max.clone();
        this.low = low;
        this.high = high;
    }

    /** Rebuilds the scaler that {@link #config()} described. */
    public static MinMaxScaler fromConfig(Map<String, Object> config) {
        return new MinMaxScaler(ScalerConfig.scope(config, NAME), ScalerConfig.numbers(config, "min", NAME),
                ScalerConfig.numbers(config, "max", NAME), ScalerConfig.number(config, "low", NAME),
                ScalerConfig.number(config, "high", NAME));
    }

    /** The training minima, one per feature (one if global), a copy. */
    public double[] min() {
        return min.clone();
    }

    /** The training maxima, one per feature (one if global), a copy. */
    public double[] max() {
        return max.clone();
    }

    @Override
    void putStatistics(Map<String, Object> config) {
        config.put("min", ScalerConfig.list(min));
        config.put("max", ScalerConfig.list(max));
        config.put("low", low);
        config.put("high", high);
    }

    @Override
    public String toString() {
        return NAME + "(" + ScalerConfig.name(scope()) + " to [" + low + ", " + high + "])";
    }

    /** Minimum and maximum per column. */
    private static final class Extremes implements ScalerFitter.Statistics<MinMaxScaler> {
        private final Scope scope;
        private final double[] min;
        private final double[] max;
        private final double low;
        private final double high;

        Extremes(Scope scope, int columns, double low, double high) {
            this.scope = scope;
            this.min = new double[columns];
            this.max = new double[columns];
            this.low = low;
            this.high = high;
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
        }

        @Override
        public void add(double[] values, int rows) {
            int columns = min.length;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < columns; j++) {
                    double value = values[r * columns + j];
                    min[j] = Math.min(min[j], value);
                    max[j] = Math.max(max[j], value);
                }
            }
        }

        @Override
        public MinMaxScaler finish() {
            return new MinMaxScaler(scope, min, max, low, high);
        }
    }
}

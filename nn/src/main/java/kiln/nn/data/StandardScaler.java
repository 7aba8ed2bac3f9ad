package kiln.nn.data;

import java.util.Map;

/**
 * Standardization: {@code z = (x − mean) / std}, so that each feature (or, if global, all values
 * together) of the training data has mean 0 and standard deviation 1.
 *
 * <p>{@code std} is the population deviation (divides by n, as scikit-learn's StandardScaler and
 * PyTorch's {@code std(unbiased=False)}). A constant feature, whose deviation is 0 or below float64
 * rounding noise ({@code std ≤ 10·ε·|mean|}, scikit-learn's rule), is only centred: it is divided by 1,
 * not by 0.
 *
 * <pre>{@code
 * StandardScaler scaler = StandardScaler.perFeature().fit(trainFeatures);   // statistics of train only
 * Tensor zTest = scaler.transform(testFeatures);
 * }</pre>
 *
 * <p>{@link #config()}: {@code type "standard", scope "per_feature"|"global", mean [..], std [..]}.
 */
public final class StandardScaler extends AffineScaler {
    static final String TYPE = "standard";
    private static final String NAME = "StandardScaler";

    private final double[] mean;
    private final double[] std;

    /** Fits one mean and deviation per feature. */
    public static ScalerFitter<StandardScaler> perFeature() {
        return fitter(Scope.PER_FEATURE);
    }

    /** Fits one mean and deviation over all values, e.g. for images. */
    public static ScalerFitter<StandardScaler> global() {
        return fitter(Scope.GLOBAL);
    }

    private static ScalerFitter<StandardScaler> fitter(Scope scope) {
        return new ScalerFitter<>(NAME, scope, columns -> new Moments(scope, columns));
    }

    /** A scaler from known statistics: one mean and deviation per feature, or one of each if global. */
    public StandardScaler(Scope scope, double[] mean, double[] std) {
        ScalerConfig.checkStatistics(NAME, scope, mean, std);
        double[] scale = new double[std.length];
        for (int j = 0; j < std.length; j++) {
            if (std[j] < 0) {
                throw new IllegalArgumentException(NAME + ": std must be non-negative, got " + std[j] + " for feature " + j);
            }
            scale[j] = std[j] <= 10 * Math.ulp(1.0) * Math.abs(mean[j]) ? 1 : std[j];   // constant: divide by 1
        }
        super(NAME, TYPE, scope, mean.clone(), scale);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Rebuilds the scaler that {@link #config()} described. */
    public static StandardScaler fromConfig(Map<String, Object> config) {
        return new StandardScaler(ScalerConfig.scope(config, NAME),
                ScalerConfig.numbers(config, "mean", NAME), ScalerConfig.numbers(config, "std", NAME));
    }

    /** The training means, one per feature (one if global), a copy. */
    public double[] mean() {
        return mean.clone();
    }

    /** The training standard deviations, one per feature (one if global), a copy. */
    public double[] std() {
        return std.clone();
    }

    @Override
    void putStatistics(Map<String, Object> config) {
        config.put("mean", ScalerConfig.list(mean));
        config.put("std", ScalerConfig.list(std));
    }

    @Override
    public String toString() {
        return NAME + "(" + ScalerConfig.name(scope()) + ", " + mean.length + (mean.length == 1 ? " mean" : " means") + ")";
    }

    /**
     * Count, mean and sum of squared deviations per column, merged chunk by chunk (Chan, Golub and
     * LeVeque 1979): each chunk is measured in two passes, then combined with the running values by
     * {@code M2 = M2_a + M2_b + δ²·n_a·n_b / n}, which avoids the cancellation of summing squares.
     */
    private static final class Moments implements ScalerFitter.Statistics<StandardScaler> {
        private final Scope scope;
        private final double[] mean;
        private final double[] squaredDeviations;
        private long count;

        Moments(Scope scope, int columns) {
            this.scope = scope;
            this.mean = new double[columns];
            this.squaredDeviations = new double[columns];
        }

        @Override
        public void add(double[] values, int rows) {
            int columns = mean.length;
            double[] chunkMean = new double[columns];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < columns; j++) {
                    chunkMean[j] += values[r * columns + j];
                }
            }
            for (int j = 0; j < columns; j++) {
                chunkMean[j] /= rows;
            }
            double[] chunkSquares = new double[columns];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < columns; j++) {
                    double deviation = values[r * columns + j] - chunkMean[j];
                    chunkSquares[j] += deviation * deviation;
                }
            }
            double total = (double) count + rows;
            for (int j = 0; j < columns; j++) {
                double delta = chunkMean[j] - mean[j];
                mean[j] += delta * rows / total;
                squaredDeviations[j] += chunkSquares[j] + delta * delta * count * rows / total;
            }
            count += rows;
        }

        @Override
        public StandardScaler finish() {
            double[] std = new double[mean.length];
            for (int j = 0; j < std.length; j++) {
                std[j] = Math.sqrt(squaredDeviations[j] / count);
            }
            return new StandardScaler(scope, mean, std);
        }
    }
}

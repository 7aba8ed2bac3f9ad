package kiln.nn.data;

import java.util.LinkedHashMap;
import java.util.Map;

import kiln.engine.Autograd;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/**
 * What every scaler here shares: the map {@code z = (x − shift) / scale} and back,
 * {@code x = z · scale + shift}, with one (shift, scale) pair per feature or a single pair for all
 * values, and the common part of the config. Subclasses derive shift and scale from their statistics.
 */
abstract sealed class AffineScaler implements FeatureScaler permits StandardScaler, MinMaxScaler {
    private final String name;
    private final String type;
    private final Scope scope;
    private final double[] shift;
    private final double[] scale;

    /**
     * @param name the class name, for messages
     * @param type the config's {@code "type"}
     */
    AffineScaler(String name, String type, Scope scope, double[] shift, double[] scale) {
        this.name = name;
        this.type = type;
        this.scope = scope;
        this.shift = shift;
        this.scale = scale;
    }

    @Override
    public final Scope scope() {
        return scope;
    }

    @Override
    public final Tensor transform(Tensor x) {
        return apply(x, false, "transform");
    }

    @Override
    public final Tensor inverseTransform(Tensor z) {
        return apply(z, true, "inverseTransform");
    }

    @Override
    public final Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", type);
        config.put("scope", ScalerConfig.name(scope));
        putStatistics(config);
        return config;
    }

    /** Adds the statistics (and settings) that rebuild this scaler to its config. */
    abstract void putStatistics(Map<String, Object> config);

    private Tensor apply(Tensor x, boolean inverse, String op) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + "." + op + ": needs float32 or float64 values, got " + x.describe());
        }
        int columns = shift.length;
        if (scope == Scope.PER_FEATURE && (x.rank() == 0 || ScalerFitter.featuresPerExample(x.dims()) != columns)) {
            throw new IllegalArgumentException(name + "." + op + ": fitted on examples of " + columns
                    + " features, got " + x.describe());
        }
        // As a matrix of rows, one statistic per column: [n, d] per feature, [every value, 1] if global.
        int rows = Math.toIntExact(x.numel() / columns);
        try (MemoryScope temporaries = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            Tensor matrix = x.reshape(rows, columns);
            Tensor shifts = Tensor.fromArray(shift, columns).to(x.dtype());
            Tensor scales = Tensor.fromArray(scale, columns).to(x.dtype());
            Tensor result = inverse ? matrix.mul(scales).add(shifts) : matrix.sub(shifts).div(scales);
            return temporaries.escape(result.reshape(x.dims()));
        }
    }
}

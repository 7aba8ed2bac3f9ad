package kiln.nn.data;

import kiln.engine.Autograd;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.data.FeatureScaler.Scope;

/**
 * The arithmetic every {@link FeatureScaler} shares: {@code z = (x − shift) / scale} and back,
 * {@code x = z · scale + shift}, with one (shift, scale) pair per feature or a single pair for all values.
 *
 * @param owner the scaler's class name, for messages
 */
record AffineScaling(String owner, Scope scope, double[] shift, double[] scale) {

    Tensor forward(Tensor x) {
        return apply(x, false, "transform");
    }

    Tensor inverse(Tensor z) {
        return apply(z, true, "inverseTransform");
    }

    private Tensor apply(Tensor x, boolean inverse, String op) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(owner + "." + op + ": needs float32 or float64 values, got " + x.describe());
        }
        int columns = shift.length;
        if (scope == Scope.PER_FEATURE && (x.rank() == 0 || ScalerFitter.featuresPerExample(x.dims()) != columns)) {
            throw new IllegalArgumentException(owner + "." + op + ": fitted on examples of " + columns
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

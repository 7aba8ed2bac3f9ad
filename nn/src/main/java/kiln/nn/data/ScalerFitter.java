package kiln.nn.data;

import java.util.function.IntFunction;

import kiln.engine.Autograd;
import kiln.engine.Tensor;
import kiln.nn.data.FeatureScaler.Scope;

/**
 * Fits a scaler on training features. Obtained from the scaler's class, e.g.
 * {@code StandardScaler.perFeature()}; {@code fit} measures the statistics and returns the fitted scaler.
 *
 * <p>The features are read a chunk of examples at a time (about a million values, 8 MB of float64), so
 * fitting a large dataset never holds a second full copy of it; each chunk's statistics are merged into
 * the running ones in float64.
 */
public final class ScalerFitter<S extends FeatureScaler> {
    /** Values read per chunk, at least one example's worth. */
    private static final int CHUNK_VALUES = 1 << 20;

    /** Running statistics of one scaler kind, fed chunks of values. */
    interface Statistics<S> {
        /** Takes {@code rows} more rows of {@code values}, row-major {@code [rows, columns]}. */
        void add(double[] values, int rows);

        /** The scaler these statistics define. */
        S finish();
    }

    /** Reads examples {@code start .. start+count-1} as float64, row-major. */
    private interface ChunkReader {
        double[] read(int start, int count);
    }

    private final String owner;
    private final Scope scope;
    private final IntFunction<Statistics<S>> start;

    /**
     * @param owner the scaler's class name, for messages
     * @param start creates empty statistics for a given number of columns: the features per example, or 1 if global
     */
    ScalerFitter(String owner, Scope scope, IntFunction<Statistics<S>> start) {
        this.owner = owner;
        this.scope = scope;
        this.start = start;
    }

    public Scope scope() {
        return scope;
    }

    /** A scaler fitted on the examples {@code [n, ...]} of {@code train}, and on nothing else. */
    public S fit(Tensor train) {
        if (train.rank() == 0) {
            throw new IllegalArgumentException(owner + ".fit: needs examples [n, ...], got the scalar " + train.describe());
        }
        try (Autograd.NoGrad off = Autograd.noGrad()) {
            return fit(train.dim(0), featuresPerExample(train.dims()), (first, count) -> {
                try (Tensor chunk = train.narrow(0, first, count)) {
                    return chunk.toDoubleArray();
                }
            });
        }
    }

    /** A scaler fitted on the features of every example of {@code train}, and on nothing else. */
    public S fit(Dataset train) {
        int[] shape = train.featureShape();
        int[] dims = new int[shape.length + 1];
        System.arraycopy(shape, 0, dims, 1, shape.length);
        return fit(train.size(), featuresPerExample(dims), (first, count) -> {
            int[] positions = new int[count];
            for (int i = 0; i < count; i++) {
                positions[i] = first + i;
            }
            try (Batch batch = train.gather(positions)) {
                return batch.features().toDoubleArray();
            }
        });
    }

    private S fit(int examples, int features, ChunkReader reader) {
        if (examples == 0 || features == 0) {
            throw new IllegalArgumentException(owner + ".fit: needs at least one example with at least one feature, got "
                    + examples + " examples of " + features + " features");
        }
        Statistics<S> statistics = start.apply(scope == Scope.GLOBAL ? 1 : features);
        int examplesPerChunk = Math.max(1, CHUNK_VALUES / features);
        for (int first = 0; first < examples; first += examplesPerChunk) {
            int count = Math.min(examplesPerChunk, examples - first);
            double[] values = reader.read(first, count);
            statistics.add(values, scope == Scope.GLOBAL ? values.length : count);
        }
        return statistics.finish();
    }

    /** The number of features of one example of a batch with these dimensions: all but the first, multiplied. */
    static int featuresPerExample(int[] dims) {
        long product = 1;
        for (int axis = 1; axis < dims.length; axis++) {
            product *= dims[axis];
        }
        return Math.toIntExact(product);
    }
}

package kiln.nn.metrics;

import java.util.Arrays;

import kiln.engine.Tensor;

/**
 * Collects a regressor's predictions and targets batch by batch, then computes the {@link Regression}
 * metrics over everything seen (averaged uniformly over outputs when there are several).
 *
 * <pre>{@code
 * var seen = new RegressionAccumulator(1);
 * for (Batch batch : validLoader) {
 *     try (batch; var scope = MemoryScope.open(); var off = Autograd.noGrad()) {
 *         seen.add(model.forward(batch.features()), batch.targets());
 *     }
 * }
 * double rmse = seen.rmse();
 * }</pre>
 *
 * <p>Values are kept as float64 on the Java heap, row-major {@code [n, outputs]}, in arrays that double
 * when full: {@code 16 · outputs} bytes per example. {@link #reset()} forgets the examples and keeps the
 * arrays. Tensors are read, never kept or closed. Note the argument order: {@code add(predictions,
 * targets)} as a loss takes them, while the {@link Regression} functions take {@code (yTrue, yPred)} as
 * scikit-learn does. Not thread-safe.
 */
public final class RegressionAccumulator {
    private static final String OWNER = "RegressionAccumulator";
    private static final int INITIAL_CAPACITY = 1024;

    private final int outputs;
    private int size;
    private double[] predictions;
    private double[] targets;

    /** An empty accumulator for {@code outputs} values per example (&gt;= 1). */
    public RegressionAccumulator(int outputs) {
        Check.require(outputs >= 1, OWNER, "outputs must be >= 1, got " + outputs);
        this.outputs = outputs;
        this.predictions = new double[Math.multiplyExact(INITIAL_CAPACITY, outputs)];
        this.targets = new double[predictions.length];
    }

    /**
     * Adds a batch: floating-point predictions and targets of the same shape, {@code [n, outputs]} (or
     * {@code [n]} with one output).
     */
    public void add(Tensor predictions, Tensor targets) {
        Check.require(predictions.shape().equals(targets.shape()), OWNER,
                "predictions " + predictions.shape() + " and targets " + targets.shape() + " differ in shape");
        boolean shaped = predictions.rank() == 2 && predictions.dim(1) == outputs || predictions.rank() == 1 && outputs == 1;
        Check.require(shaped, OWNER, "expected [n, " + outputs + "]" + (outputs == 1 ? " or [n]" : "") + ", got " + predictions.shape());
        add(TensorInput.values(OWNER, "predictions", predictions), TensorInput.values(OWNER, "targets", targets));
    }

    /** Adds examples given row-major, {@code outputs} values per example. */
    public void add(double[] predictions, double[] targets) {
        Check.sameLength(OWNER, "predictions", predictions.length, "targets", targets.length);
        Check.require(predictions.length % outputs == 0, OWNER, predictions.length + " values are not rows of " + outputs + " outputs");
        Check.notNaN(OWNER, "predictions", predictions);
        Check.notNaN(OWNER, "targets", targets);
        int needed = Math.addExact(size * outputs, predictions.length);
        if (needed > this.predictions.length) {
            int capacity = Math.max(needed, (int) Math.min(2L * this.predictions.length, Integer.MAX_VALUE - 8));
            this.predictions = Arrays.copyOf(this.predictions, capacity);
            this.targets = Arrays.copyOf(this.targets, capacity);
        }
        System.arraycopy(predictions, 0, this.predictions, size * outputs, predictions.length);
        System.arraycopy(targets, 0, this.targets, size * outputs, targets.length);
        size += predictions.length / outputs;
    }

    /** Forgets every example; the arrays are kept for reuse. */
    public void reset() {
        size = 0;
    }

    /** The number of examples added since creation or the last {@link #reset()}. */
    public int size() {
        return size;
    }

    /** Values per example. */
    public int outputs() {
        return outputs;
    }

    /** The predictions, row-major {@code [n, outputs]}. */
    public double[] predictions() {
        return Arrays.copyOf(predictions, size * outputs);
    }

    /** The targets, row-major {@code [n, outputs]}. */
    public double[] targets() {
        return Arrays.copyOf(targets, size * outputs);
    }

    /** Mean squared error, averaged over outputs. */
    public double mse() {
        return Regression.mse(targets(), predictions(), outputs);
    }

    /** Mean absolute error, averaged over outputs. */
    public double mae() {
        return Regression.mae(targets(), predictions(), outputs);
    }

    /** The mean over outputs of each output's RMSE. */
    public double rmse() {
        return Regression.rmse(targets(), predictions(), outputs);
    }

    /** R², averaged over outputs; needs two examples. */
    public double r2() {
        return Regression.r2(targets(), predictions(), outputs);
    }

    /** Explained variance, averaged over outputs; needs two examples. */
    public double explainedVariance() {
        return Regression.explainedVariance(targets(), predictions(), outputs);
    }
}

package kiln.nn.train;

/**
 * A metric watched for improvement, with its direction: losses should fall, accuracies rise.
 *
 * @param metric   a {@code metrics.csv} column name, e.g. {@code "val_loss"}
 * @param minimize true when smaller is better
 * @param minDelta how much better a value must be to count as an improvement
 */
public record Monitor(String metric, boolean minimize, double minDelta) {
    public Monitor {
        EpochLog probe = new EpochLog(0, 0, 0, 0, 0, 0, 0, 0);
        probe.metric(metric);                              // refuses unknown names with the list of known ones
        if (!(minDelta >= 0)) {
            throw new IllegalArgumentException("Monitor: minDelta must be >= 0, got " + minDelta);
        }
    }

    /** Watches {@code metric}, minimizing losses and maximizing everything else (accuracies). */
    public static Monitor of(String metric) {
        return new Monitor(metric, metric.endsWith("loss"), 0);
    }

    /** True when {@code value} beats {@code best} by more than minDelta (any number beats NaN). */
    public boolean improves(double value, double best) {
        if (Double.isNaN(value)) {
            return false;
        }
        if (Double.isNaN(best)) {
            return true;
        }
        return minimize ? value < best - minDelta : value > best + minDelta;
    }
}

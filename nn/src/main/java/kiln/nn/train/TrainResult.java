package kiln.nn.train;

import java.util.List;

/**
 * The outcome of {@link Trainer#fit}.
 *
 * @param history    one entry per epoch run
 * @param stopReason why training stopped before the last epoch (early stopping), or null
 */
public record TrainResult(List<EpochLog> history, String stopReason) {
    public TrainResult {
        history = List.copyOf(history);
    }

    /** The number of epochs that ran. */
    public int epochs() {
        return history.size();
    }

    /** The best validation accuracy of any epoch, NaN without one. */
    public double bestValidationAccuracy() {
        return history.stream().mapToDouble(EpochLog::validationAccuracy).filter(a -> !Double.isNaN(a)).max().orElse(Double.NaN);
    }

    /** Each epoch's training time in seconds. */
    public double[] epochSeconds() {
        return history.stream().mapToDouble(EpochLog::seconds).toArray();
    }

    /** Training examples per second over the whole run (all epochs' examples over all epochs' seconds). */
    public double samplesPerSecond() {
        double examples = history.stream().mapToDouble(h -> h.samplesPerSecond() * h.seconds()).sum();
        double seconds = history.stream().mapToDouble(EpochLog::seconds).sum();
        return seconds > 0 ? examples / seconds : Double.NaN;
    }
}

package kiln.nn.train;

/**
 * What one epoch measured. Training figures are running averages over the epoch's batches (taken while
 * the weights were still moving, with dropout active), as Keras and most progress bars report them;
 * validation figures are measured after the epoch, in evaluation mode. Accuracies are NaN for
 * regression, validation figures NaN when there is no validation set.
 *
 * @param lr               the learning rate at the start of the epoch (a per-step schedule moves it
 *                         during the epoch)
 * @param seconds          wall time of the epoch's training steps alone (no validation), as the
 *                         PyTorch peer script times it
 * @param samplesPerSecond training examples processed per second of {@code seconds}
 */
public record EpochLog(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                       double validationAccuracy, double lr, double seconds, double samplesPerSecond) {

    /** The metric names {@link #metric(String)} knows, in the order of {@code metrics.csv}. */
    public static final String[] METRICS = {"train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr",
            "epoch_seconds", "samples_per_second"};

    /** A figure by its {@code metrics.csv} column name, e.g. {@code "val_loss"}. */
    public double metric(String name) {
        return switch (name) {
            case "train_loss" -> trainLoss;
            case "train_accuracy" -> trainAccuracy;
            case "val_loss" -> validationLoss;
            case "val_accuracy" -> validationAccuracy;
            case "lr" -> lr;
            case "epoch_seconds" -> seconds;
            case "samples_per_second" -> samplesPerSecond;
            default -> throw new IllegalArgumentException("EpochLog: unknown metric '" + name + "' (known: "
                    + String.join(", ", METRICS) + ")");
        };
    }

    /**
     * Training accuracy minus validation accuracy: how much better the model does on examples it has
     * seen. A gap that keeps growing is the signature of overfitting. NaN without validation accuracy.
     */
    public double generalizationGap() {
        return trainAccuracy - validationAccuracy;
    }
}

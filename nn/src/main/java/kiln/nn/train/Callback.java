package kiln.nn.train;

/**
 * Hooks into {@link Trainer#fit}: progress display, early stopping, checkpoints, run folders. Every
 * method has an empty default, so a callback implements only what it needs. Callbacks run on the
 * training thread, in the order they were given.
 */
public interface Callback {
    /** Before the first epoch. */
    default void onTrainStart(TrainingState state) {}

    /** Before each epoch's first batch. */
    default void onEpochStart(TrainingState state) {}

    /**
     * After each optimizer step.
     *
     * @param loss      the batch's mean loss
     * @param batchSize how many examples the batch held
     */
    default void onBatchEnd(TrainingState state, double loss, int batchSize) {}

    /** After each epoch's validation; {@code log} is also the last entry of {@code state.history()}. */
    default void onEpochEnd(TrainingState state, EpochLog log) {}

    /** After the last epoch, or after training stopped early or failed; {@code failure} is null on success. */
    default void onTrainEnd(TrainingState state, Throwable failure) {}
}

package kiln.nn.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import kiln.nn.Module;
import kiln.nn.optim.Optimizer;

/**
 * Where a {@link Trainer#fit} run stands, as callbacks see it: the model and optimizer, the position
 * (epoch, step), the history so far, and a way to ask the run to stop after the current epoch.
 */
public final class TrainingState {
    private final Module model;
    private final Optimizer optimizer;
    private final int epochs;
    private final int batchesPerEpoch;
    private final List<EpochLog> history = new ArrayList<>();
    private int epoch;
    private int batchInEpoch;
    private long step;
    private String stopReason;

    TrainingState(Module model, Optimizer optimizer, int epochs, int batchesPerEpoch) {
        this.model = model;
        this.optimizer = optimizer;
        this.epochs = epochs;
        this.batchesPerEpoch = batchesPerEpoch;
    }

    public Module model() { return model; }

    public Optimizer optimizer() { return optimizer; }

    /** The number of epochs the run was asked for. */
    public int epochs() { return epochs; }

    /** The current epoch, counted from 1. */
    public int epoch() { return epoch; }

    /** Optimizer steps so far in the whole run, counted from 1 once the first one is taken. */
    public long step() { return step; }

    /** Batches done in the current epoch. */
    public int batchInEpoch() { return batchInEpoch; }

    public int batchesPerEpoch() { return batchesPerEpoch; }

    /** One entry per finished epoch, oldest first. */
    public List<EpochLog> history() { return Collections.unmodifiableList(history); }

    /** Asks the run to stop once the current epoch is over (early stopping does this). */
    public void requestStop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }

    /** Why the run was asked to stop, or null. */
    public String stopReason() { return stopReason; }

    void startEpoch(int epoch) {
        this.epoch = epoch;
        this.batchInEpoch = 0;
    }

    void finishStep() {
        step++;
        batchInEpoch++;
    }

    void record(EpochLog log) {
        history.add(log);
    }
}

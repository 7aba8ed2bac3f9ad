package kiln.nn.train;

import java.util.LinkedHashMap;
import java.util.Map;

import kiln.engine.Autograd;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/**
 * Stops training when a monitored metric has gone more than {@code patience} epochs in a row without a
 * new best (patience 2 tolerates two such epochs and stops after the third, as PyTorch's
 * {@code ReduceLROnPlateau} counts), and optionally puts back the weights of the best epoch at the end
 * (so the model returned is the best one seen, not the last one).
 *
 * <p>Restoring keeps one copy of the model's state (parameters and buffers) in memory, refreshed at
 * each improvement.
 */
public final class EarlyStopping implements Callback, AutoCloseable {
    private final Monitor monitor;
    private final int patience;
    private final boolean restoreBest;
    private Map<String, Tensor> bestState;
    private double best = Double.NaN;
    private int bestEpoch;
    private int epochsWithoutImprovement;

    public EarlyStopping(Monitor monitor, int patience, boolean restoreBest) {
        if (patience < 0) {
            throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + patience);
        }
        this.monitor = monitor;
        this.patience = patience;
        this.restoreBest = restoreBest;
    }

    /** Watches {@code metric} (e.g. "val_loss", "val_accuracy") with its natural direction. */
    public EarlyStopping(String metric, int patience, boolean restoreBest) {
        this(Monitor.of(metric), patience, restoreBest);
    }

    /** Starts afresh, so one instance can serve several runs (k folds, say) without the last run's best. */
    @Override
    public void onTrainStart(TrainingState state) {
        close();
        best = Double.NaN;
        bestEpoch = 0;
        epochsWithoutImprovement = 0;
    }

    @Override
    public void onEpochEnd(TrainingState state, EpochLog log) {
        double value = log.metric(monitor.metric());
        if (monitor.improves(value, best)) {
            best = value;
            bestEpoch = log.epoch();
            epochsWithoutImprovement = 0;
            if (restoreBest) {
                remember(state);
            }
        } else if (++epochsWithoutImprovement > patience) {
            state.requestStop(monitor.metric() + " has not improved for " + epochsWithoutImprovement
                    + " epochs (best " + best + " at epoch " + bestEpoch + ")");
        }
    }

    @Override
    public void onTrainEnd(TrainingState state, Throwable failure) {
        if (restoreBest && bestState != null && failure == null && bestEpoch != state.epoch()) {
            try (Autograd.NoGrad off = Autograd.noGrad()) {
                state.model().loadStateDict(bestState);
            }
        }
        close();
    }

    private void remember(TrainingState state) {
        close();
        Map<String, Tensor> copy = new LinkedHashMap<>();
        try (Autograd.NoGrad off = Autograd.noGrad()) {
            state.model().stateDict().forEach((name, t) -> copy.put(name, MemoryScope.outside(t::copy)));
        }
        bestState = copy;
    }

    /** The epoch with the best monitored value so far (0 before the first epoch). */
    public int bestEpoch() { return bestEpoch; }

    /** The best monitored value so far (NaN before the first epoch). */
    public double best() { return best; }

    /** Frees the remembered best state. */
    @Override
    public void close() {
        if (bestState != null) {
            bestState.values().forEach(Tensor::close);
            bestState = null;
        }
    }
}

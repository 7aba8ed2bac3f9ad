package kiln.nn.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import kiln.nn.io.Checkpoint;

/**
 * Saves the model to one safetensors file ({@link Checkpoint}) each time the monitored metric reaches a
 * new best, so that the file always holds the best model seen so far, whatever happens later in the run.
 * The file's metadata carries the caller's entries (architecture, preprocessing, classes...) plus the
 * epoch and the monitored value.
 */
public final class BestCheckpoint implements Callback {
    private final Path file;
    private final Monitor monitor;
    private final Map<String, String> metadata;
    private double best = Double.NaN;
    private int bestEpoch;

    public BestCheckpoint(Path file, Monitor monitor, Map<String, String> metadata) {
        this.file = file;
        this.monitor = monitor;
        this.metadata = new LinkedHashMap<>(metadata);
    }

    /** Without a validation set there is no fair "best": this saves after every epoch, so the file holds the last. */
    public static BestCheckpoint everyEpoch(Path file, Map<String, String> metadata) {
        return new BestCheckpoint(file, null, metadata);
    }

    /** Starts afresh: a reused instance must not compare a new run's epochs with an earlier run's best. */
    @Override
    public void onTrainStart(TrainingState state) {
        best = Double.NaN;
        bestEpoch = 0;
    }

    @Override
    public void onEpochEnd(TrainingState state, EpochLog log) {
        double value = monitor == null ? Double.NaN : log.metric(monitor.metric());
        if (monitor != null && !monitor.improves(value, best)) {
            return;
        }
        best = value;
        bestEpoch = log.epoch();
        Map<String, String> entries = new LinkedHashMap<>(metadata);
        entries.put("kiln.epoch", Integer.toString(log.epoch()));
        if (monitor != null) {
            entries.put("kiln." + monitor.metric(), Double.toString(value));
        }
        try {
            Checkpoint.save(file, state.model(), entries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint file. */
    public Path file() { return file; }

    /** The epoch whose model the file holds (0 before the first save). */
    public int bestEpoch() { return bestEpoch; }

    /** The monitored value at {@link #bestEpoch()} (NaN when saving every epoch). */
    public double best() { return best; }
}

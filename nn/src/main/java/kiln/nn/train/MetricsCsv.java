package kiln.nn.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import kiln.nn.io.AtomicFiles;

/**
 * Writes {@code metrics.csv}: a header, then one row per epoch with every {@link EpochLog#METRICS}
 * column and the generalization gap. The whole file is rewritten after each epoch (through a temporary
 * file and a rename), so a reader never sees half a row and a crash keeps every finished epoch.
 */
public final class MetricsCsv implements Callback {
    private final Path file;

    public MetricsCsv(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(TrainingState state, EpochLog log) {
        write(file, state.history());
    }

    /** Writes {@code history} to {@code file} atomically. */
    public static void write(Path file, List<EpochLog> history) {
        StringBuilder csv = new StringBuilder("epoch");
        for (String name : EpochLog.METRICS) {
            csv.append(',').append(name);
        }
        csv.append(",gap\n");
        for (EpochLog log : history) {
            csv.append(log.epoch());
            for (String name : EpochLog.METRICS) {
                csv.append(',').append(format(log.metric(name)));
            }
            csv.append(',').append(format(log.generalizationGap())).append('\n');
        }
        try {
            AtomicFiles.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Six significant digits, and an empty cell for NaN (what spreadsheets and pandas read as missing). */
    private static String format(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}

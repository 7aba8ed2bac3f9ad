package kiln.nn.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A terminal progress bar: the epoch, a bar, the running loss, examples per second and the time left.
 *
 * <pre>
 * epoch 3/10 [=============>          ] 262/469  loss 0.3121  5,210 samples/s  ETA 4s
 * epoch 3/10  train loss 0.3098 acc 88.61%  val loss 0.3312 acc 88.02%  gap +0.59%  9.1 s  6,593 samples/s
 * </pre>
 *
 * On a terminal the bar redraws itself in place (at most ten times a second); when the stream is a file
 * or pipe (CI logs), only the one-line summary per epoch is written, so logs stay readable.
 */
public final class ProgressBar implements Callback {
    private static final int WIDTH = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private long epochStart;
    private long lastDraw;
    private double lossSum;
    private long examples;

    /** A bar on {@code out}, redrawn in place only when the process has a terminal. */
    public ProgressBar(PrintStream out) {
        this(out, System.console() != null && System.console().isTerminal());
    }

    /** A bar on {@code out}; {@code interactive} chooses in-place redrawing over per-epoch lines only. */
    public ProgressBar(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void onEpochStart(TrainingState state) {
        epochStart = System.nanoTime();
        lastDraw = 0;
        lossSum = 0;
        examples = 0;
    }

    @Override
    public void onBatchEnd(TrainingState state, double loss, int batchSize) {
        lossSum += loss * batchSize;
        examples += batchSize;
        long now = System.nanoTime();
        if (!interactive || now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - epochStart) / 1e9;
        int done = state.batchInEpoch();
        int total = state.batchesPerEpoch();
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(WIDTH - filled);
        double eta = done == 0 ? 0 : elapsed / done * (total - done);
        out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s] %d/%d  loss %.4f  %,.0f samples/s  ETA %s ",
                state.epoch(), state.epochs(), bar, done, total, lossSum / examples, examples / elapsed, duration(eta)));
        out.flush();
    }

    @Override
    public void onEpochEnd(TrainingState state, EpochLog log) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f",
                log.epoch(), state.epochs(), log.trainLoss()));
        if (!Double.isNaN(log.trainAccuracy())) {
            line.append(String.format(Locale.ROOT, " acc %.2f%%", 100 * log.trainAccuracy()));
        }
        if (!Double.isNaN(log.validationLoss())) {
            line.append(String.format(Locale.ROOT, "  val loss %.4f", log.validationLoss()));
        }
        if (!Double.isNaN(log.validationAccuracy())) {
            line.append(String.format(Locale.ROOT, " acc %.2f%%  gap %+.2f%%", 100 * log.validationAccuracy(),
                    100 * log.generalizationGap()));
        }
        line.append(String.format(Locale.ROOT, "  %.1f s  %,.0f samples/s  lr %.3g", log.seconds(), log.samplesPerSecond(), log.lr()));
        out.println((interactive ? "\r\033[K" : "") + line);
    }

    @Override
    public void onTrainEnd(TrainingState state, Throwable failure) {
        if (interactive && failure != null) {
            out.println();
        }
        if (state.stopReason() != null) {
            out.println("stopped early after epoch " + state.epoch() + ": " + state.stopReason());
        }
    }

    /** 75 → "1m15s", 4.2 → "4s". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}

package kiln.nn.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Watches the train–validation accuracy gap ({@link EpochLog#generalizationGap()}) and raises a warning
 * when it has grown for {@code epochs} epochs in a row and is larger than {@code threshold}: the model
 * is getting better at the examples it sees and not at the ones it doesn't.
 *
 * <p>A single wider epoch is noise; a gap that keeps widening is overfitting. Each warning is printed as
 * it happens; {@link #warnings()} keeps one per trend (its latest wording), for the run report.
 */
public final class OverfittingMonitor implements Callback {
    private final int epochs;
    private final double threshold;
    private final PrintStream out;
    private final List<String> warnings = new ArrayList<>();
    private int growingFor;
    private boolean warnedThisTrend;

    /**
     * @param epochs    how many consecutive epochs the gap must grow before a warning
     * @param threshold the smallest gap (a fraction, 0.01 = one percentage point) worth a warning
     * @param out       where warnings are printed as they happen, or null
     */
    public OverfittingMonitor(int epochs, double threshold, PrintStream out) {
        if (epochs < 1 || !(threshold >= 0)) {
            throw new IllegalArgumentException("OverfittingMonitor: needs epochs >= 1 and threshold >= 0, got "
                    + epochs + " and " + threshold);
        }
        this.epochs = epochs;
        this.threshold = threshold;
        this.out = out;
    }

    /** Two epochs of growth above one percentage point, printed to {@code out}. */
    public static OverfittingMonitor standard(PrintStream out) {
        return new OverfittingMonitor(2, 0.01, out);
    }

    @Override
    public void onEpochEnd(TrainingState state, EpochLog log) {
        List<EpochLog> history = state.history();
        if (history.size() < 2 || Double.isNaN(log.generalizationGap())) {
            return;
        }
        double previous = history.get(history.size() - 2).generalizationGap();
        growingFor = log.generalizationGap() > previous ? growingFor + 1 : 0;
        if (growingFor == 0) {
            warnedThisTrend = false;
        }
        if (growingFor >= epochs && log.generalizationGap() > threshold) {
            EpochLog start = history.get(history.size() - 1 - growingFor);
            String warning = String.format(Locale.ROOT,
                    "overfitting: the train-validation accuracy gap grew from %.2f%% (epoch %d) to %.2f%% (epoch %d)",
                    100 * start.generalizationGap(), start.epoch(), 100 * log.generalizationGap(), log.epoch());
            if (warnedThisTrend) {
                warnings.removeLast();                     // the same trend, one epoch longer: keep its newest wording
            }
            warnings.add(warning);
            warnedThisTrend = true;
            if (out != null) {
                out.println("warning: " + warning);
            }
        }
    }

    /** One warning per trend of growing gaps, oldest first. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }
}

package kiln.nn.metrics;

/**
 * Precision against recall of a binary scorer as the threshold moves: predicting positive when
 * {@code score >= t} gives {@code precision = TP/(TP+FP)} and {@code recall = TP/P}.
 *
 * <p>Laid out as scikit-learn's {@code precision_recall_curve}: thresholds are the distinct scores in
 * <em>increasing</em> order; precision and recall have one more entry, a final point (precision 1,
 * recall 0) that has no threshold. With no positive example recall is 1 at every threshold (scikit-learn
 * warns and does the same). Immutable; accessors return copies.
 *
 * <p>Average precision (AP) summarises the curve without interpolation, as scikit-learn's
 * {@code average_precision_score}: {@code AP = sum_i (R_i - R_{i-1}) P_i} over thresholds from the
 * highest down, with {@code R_{-1} = 0}. It is 0 when there is no positive example (the one
 * step, to recall 1, has precision 0).
 */
public final class PrecisionRecallCurve {
    private final double[] precision;
    private final double[] recall;
    private final double[] thresholds;

    private PrecisionRecallCurve(double[] precision, double[] recall, double[] thresholds) {
        this.precision = precision;
        this.recall = recall;
        this.thresholds = thresholds;
    }

    /** The curve for labels 0/1 and real scores. */
    public static PrecisionRecallCurve of(int[] yTrue, double[] scores) {
        ThresholdCounts counts = ThresholdCounts.of("PrecisionRecallCurve", yTrue, scores);
        int m = counts.size();
        double[] precision = new double[m + 1];
        double[] recall = new double[m + 1];
        double[] thresholds = new double[m];
        for (int i = 0; i < m; i++) {
            int at = m - 1 - i; // counts run from the highest threshold down; the curve from the lowest up
            precision[at] = precision(counts, i);
            recall[at] = recall(counts, i);
            thresholds[at] = counts.thresholds[i];
        }
        precision[m] = 1;
        recall[m] = 0;
        return new PrecisionRecallCurve(precision, recall, thresholds);
    }

    /** The curve of class {@code positiveClass} against the rest, on column {@code positiveClass} of {@code scores [n][k]}. */
    public static PrecisionRecallCurve oneVsRest(int[] yTrue, double[][] scores, int positiveClass) {
        int k = OneVsRest.classes("PrecisionRecallCurve", yTrue, scores);
        Check.require(positiveClass >= 0 && positiveClass < k, "PrecisionRecallCurve", "positiveClass " + positiveClass + " is not in [0, " + k + ")");
        return of(OneVsRest.indicator(yTrue, positiveClass), OneVsRest.column(scores, positiveClass));
    }

    /** Average precision of labels 0/1 and scores (see the class comment). */
    public static double averagePrecision(int[] yTrue, double[] scores) {
        ThresholdCounts counts = ThresholdCounts.of("PrecisionRecallCurve.averagePrecision", yTrue, scores);
        double sum = 0;
        double previousRecall = 0;
        for (int i = 0; i < counts.size(); i++) {
            double recall = recall(counts, i);
            sum += (recall - previousRecall) * precision(counts, i);
            previousRecall = recall;
        }
        return sum;
    }

    /**
     * Multiclass average precision, one class against the rest on each column of {@code scores [n][k]},
     * averaged macro, weighted (by support) or micro (all n·k one-hot pairs as one problem). A class with
     * no example has AP 0: it lowers the macro average and has no weight in the weighted one.
     */
    public static double averagePrecision(int[] yTrue, double[][] scores, Average average) {
        return OneVsRest.average("PrecisionRecallCurve.averagePrecision", yTrue, scores, average, PrecisionRecallCurve::averagePrecision);
    }

    /** TP/(TP+FP) at each threshold, then 1. */
    public double[] precision() {
        return precision.clone();
    }

    /** TP/P at each threshold (decreasing), then 0. */
    public double[] recall() {
        return recall.clone();
    }

    /** The distinct scores, increasing. */
    public double[] thresholds() {
        return thresholds.clone();
    }

    private static double precision(ThresholdCounts counts, int i) {
        // at least one example scores >= any threshold, so the denominator is never 0
        return (double) counts.truePositives[i] / (counts.truePositives[i] + counts.falsePositives[i]);
    }

    private static double recall(ThresholdCounts counts, int i) {
        return counts.positives == 0 ? 1 : (double) counts.truePositives[i] / counts.positives;
    }
}

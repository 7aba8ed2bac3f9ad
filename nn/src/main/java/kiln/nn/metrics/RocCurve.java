package kiln.nn.metrics;

/**
 * The receiver operating characteristic of a binary scorer: for each threshold t, predicting positive
 * when {@code score >= t}, the false positive rate {@code FP/N} against the true positive rate
 * {@code TP/P}. The area under it (ROC AUC) is the probability that a random positive scores above a
 * random negative, ties counting one half.
 *
 * <p>As scikit-learn's {@code roc_curve}: one point per distinct score (tied scores move the curve
 * diagonally in one step), thresholds decreasing, and a first point (0, 0) whose threshold is
 * {@code +Infinity} (scikit-learn 1.3 on; 1.2 wrote the top score + 1). scikit-learn drops collinear
 * intermediate points by default; {@link #of(int[], double[], boolean)} with {@code true} does the same.
 * Immutable; accessors return copies.
 */
public final class RocCurve {
    private final double[] falsePositiveRates;
    private final double[] truePositiveRates;
    private final double[] thresholds;

    private RocCurve(double[] falsePositiveRates, double[] truePositiveRates, double[] thresholds) {
        this.falsePositiveRates = falsePositiveRates;
        this.truePositiveRates = truePositiveRates;
        this.thresholds = thresholds;
    }

    /** The curve through every distinct score; labels 0/1, both present. */
    public static RocCurve of(int[] yTrue, double[] scores) {
        return of(yTrue, scores, false);
    }

    /**
     * The curve, optionally without the points that lie in between and on a line with their neighbours
     * (scikit-learn's {@code drop_intermediate}: a point is dropped when the second differences of both
     * its FP and TP counts are 0). Dropping never changes the area.
     *
     * @throws IllegalArgumentException on bad input, or if {@code yTrue} lacks positives or negatives
     *     (a rate would divide by zero)
     */
    public static RocCurve of(int[] yTrue, double[] scores, boolean dropIntermediate) {
        ThresholdCounts counts = counts("RocCurve", yTrue, scores);
        int m = counts.size();
        double[] fpr = new double[m + 1];
        double[] tpr = new double[m + 1];
        double[] thresholds = new double[m + 1];
        thresholds[0] = Double.POSITIVE_INFINITY;
        int kept = 1;
        for (int i = 0; i < m; i++) {
            if (dropIntermediate && i > 0 && i < m - 1 && onLine(counts.falsePositives, i) && onLine(counts.truePositives, i)) {
                continue;
            }
            fpr[kept] = (double) counts.falsePositives[i] / counts.negatives;
            tpr[kept] = (double) counts.truePositives[i] / counts.positives;
            thresholds[kept] = counts.thresholds[i];
            kept++;
        }
        return new RocCurve(java.util.Arrays.copyOf(fpr, kept), java.util.Arrays.copyOf(tpr, kept), java.util.Arrays.copyOf(thresholds, kept));
    }

    /** The curve of class {@code positiveClass} against the rest, on column {@code positiveClass} of {@code scores [n][k]}. */
    public static RocCurve oneVsRest(int[] yTrue, double[][] scores, int positiveClass) {
        int k = OneVsRest.classes("RocCurve", yTrue, scores);
        Check.require(positiveClass >= 0 && positiveClass < k, "RocCurve", "positiveClass " + positiveClass + " is not in [0, " + k + ")");
        return of(OneVsRest.indicator(yTrue, positiveClass), OneVsRest.column(scores, positiveClass));
    }

    /**
     * ROC AUC of labels 0/1 and scores, from the exact counts: the trapezoids between successive points,
     * {@code sum (FP_i - FP_{i-1}) (TP_i + TP_{i-1}) / (2 P N)}, summed in integers and divided once.
     *
     * @throws IllegalArgumentException if {@code yTrue} lacks positives or negatives (AUC is undefined)
     */
    public static double auc(int[] yTrue, double[] scores) {
        ThresholdCounts counts = counts("RocCurve.auc", yTrue, scores);
        long twiceArea = 0;
        long previousFp = 0;
        long previousTp = 0;
        for (int i = 0; i < counts.size(); i++) {
            twiceArea += (counts.falsePositives[i] - previousFp) * (counts.truePositives[i] + previousTp);
            previousFp = counts.falsePositives[i];
            previousTp = counts.truePositives[i];
        }
        return twiceArea / (2.0 * counts.positives * counts.negatives);
    }

    /**
     * Multiclass ROC AUC, one class against the rest on each column of {@code scores [n][k]} (probabilities
     * or any scores; unlike scikit-learn, rows need not sum to 1), averaged macro (mean over classes),
     * weighted (by class support) or micro (one curve over all n·k one-hot pairs). With k = 2 the macro
     * value equals the binary AUC of column 1 when column 0 is 1 - column 1.
     *
     * @throws IllegalArgumentException for macro or weighted if some class has no example (that class's
     *     AUC is undefined, as in scikit-learn)
     */
    public static double auc(int[] yTrue, double[][] scores, Average average) {
        return OneVsRest.average("RocCurve.auc", yTrue, scores, average, RocCurve::auc);
    }

    /** The area under this curve by the trapezoid rule (equal to {@link #auc(int[], double[])} up to rounding). */
    public double area() {
        double area = 0;
        for (int i = 1; i < falsePositiveRates.length; i++) {
            area += (falsePositiveRates[i] - falsePositiveRates[i - 1]) * (truePositiveRates[i] + truePositiveRates[i - 1]) / 2;
        }
        return area;
    }

    /** FP/N at each threshold, increasing from 0 to 1. */
    public double[] falsePositiveRates() {
        return falsePositiveRates.clone();
    }

    /** TP/P at each threshold, increasing from 0 to 1. */
    public double[] truePositiveRates() {
        return truePositiveRates.clone();
    }

    /** The decreasing thresholds, {@code +Infinity} first. */
    public double[] thresholds() {
        return thresholds.clone();
    }

    /** The number of points. */
    public int size() {
        return thresholds.length;
    }

    private static ThresholdCounts counts(String owner, int[] yTrue, double[] scores) {
        ThresholdCounts counts = ThresholdCounts.of(owner, yTrue, scores);
        Check.require(counts.positives > 0 && counts.negatives > 0, owner,
                "yTrue needs both classes, got " + counts.positives + " positives and " + counts.negatives + " negatives (ROC is undefined)");
        return counts;
    }

    /** Whether the second difference of {@code counts} at i is 0: the point is midway on a straight stretch. */
    private static boolean onLine(int[] counts, int i) {
        return counts[i + 1] - 2 * counts[i] + counts[i - 1] == 0;
    }
}

package kiln.nn.metrics;

/**
 * Precision, recall and F-beta per class, and their macro, micro and weighted averages, read off a
 * {@link ConfusionMatrix} as scikit-learn's {@code precision_recall_fscore_support} does.
 *
 * <pre>
 * precision_c = TP_c / (TP_c + FP_c)          of the examples predicted c, the fraction truly c
 * recall_c    = TP_c / (TP_c + FN_c)          of the examples truly c, the fraction predicted c
 * F_beta      = (1 + beta^2) P R / (beta^2 P + R)   beta = 1: the harmonic mean F1
 * support_c   = TP_c + FN_c                   the number of true examples of c
 * </pre>
 *
 * <p><b>Zero division.</b> A class never predicted has no precision (0/0), a class absent from the truth no
 * recall; both are reported as 0, which is scikit-learn's default ({@code zero_division="warn"} warns and
 * uses 0). F is 0 whenever {@code beta^2 P + R = 0}. Such zeros take part in the macro average; the
 * weighted average gives a class absent from the truth weight 0.
 *
 * <p><b>Micro</b> pools TP, FP and FN over all classes; with one label per example its precision, recall
 * and F all equal accuracy. Averages are summed in class order (NumPy sums 8 or more values pairwise, so
 * results can differ from scikit-learn's in the last bit).
 */
public final class PrecisionRecall {
    private final double beta;
    private final long[] truePositives;
    private final long[] predicted;
    private final long[] support;

    private PrecisionRecall(ConfusionMatrix matrix, double beta) {
        Check.require(beta > 0 && beta < Double.POSITIVE_INFINITY, "PrecisionRecall", "beta must be > 0 and finite, got " + beta);
        this.beta = beta;
        this.predicted = matrix.predictedTotals();
        this.support = matrix.trueTotals();
        this.truePositives = new long[matrix.numClasses()];
        for (int c = 0; c < truePositives.length; c++) {
            truePositives[c] = matrix.count(c, c);
        }
    }

    /** Precision, recall and F1 of a confusion matrix. */
    public static PrecisionRecall of(ConfusionMatrix matrix) {
        return new PrecisionRecall(matrix, 1);
    }

    /** Precision, recall and F-beta (beta &gt; 0: beta &lt; 1 favours precision, beta &gt; 1 recall). */
    public static PrecisionRecall of(ConfusionMatrix matrix, double beta) {
        return new PrecisionRecall(matrix, beta);
    }

    /** Precision, recall and F1 of predictions {@code yPred} against {@code yTrue}, classes {@code 0 .. numClasses-1}. */
    public static PrecisionRecall of(int[] yTrue, int[] yPred, int numClasses) {
        return of(ConfusionMatrix.of(yTrue, yPred, numClasses));
    }

    /** The number of classes. */
    public int numClasses() {
        return support.length;
    }

    /** The beta of {@link #fScore}: 1 for F1. */
    public double beta() {
        return beta;
    }

    /** Precision of class c: TP / (TP + FP), 0 if c is never predicted. */
    public double precision(int c) {
        return ratio(truePositives[checked(c)], predicted[c]);
    }

    /** Recall of class c: TP / (TP + FN), 0 if c never occurs. */
    public double recall(int c) {
        return ratio(truePositives[checked(c)], support[c]);
    }

    /** F-beta of class c (F1 unless a beta was given). */
    public double fScore(int c) {
        return fScore(precision(c), recall(c));
    }

    /** The number of true examples of class c. */
    public long support(int c) {
        return support[checked(c)];
    }

    /** Precision of every class. */
    public double[] precision() {
        return perClass(this::precision);
    }

    /** Recall of every class. */
    public double[] recall() {
        return perClass(this::recall);
    }

    /** F-beta of every class. */
    public double[] fScore() {
        return perClass(this::fScore);
    }

    /** The number of true examples of every class. */
    public long[] support() {
        return support.clone();
    }

    /** The averaged precision (micro: all true positives over all predictions). */
    public double precision(Average average) {
        return average == Average.MICRO ? ratio(sum(truePositives), sum(predicted)) : average.mean(precision(), support);
    }

    /** The averaged recall (micro: all true positives over all examples). */
    public double recall(Average average) {
        return average == Average.MICRO ? ratio(sum(truePositives), sum(support)) : average.mean(recall(), support);
    }

    /**
     * The averaged F-beta. Macro and weighted average the per-class F values (not the F of averaged
     * precision and recall); micro is the F of the micro precision and recall.
     */
    public double fScore(Average average) {
        return average == Average.MICRO ? fScore(precision(average), recall(average)) : average.mean(fScore(), support);
    }

    private double fScore(double precision, double recall) {
        double beta2 = beta * beta;
        double denominator = beta2 * precision + recall;
        // evaluated in scikit-learn's order, so that equal inputs give bit-equal results
        return denominator == 0 ? 0 : (1 + beta2) * precision * recall / denominator;
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return total;
    }

    private double[] perClass(java.util.function.IntToDoubleFunction score) {
        double[] out = new double[support.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = score.applyAsDouble(c);
        }
        return out;
    }

    private int checked(int c) {
        Check.require(c >= 0 && c < support.length, "PrecisionRecall", "class " + c + " is not in [0, " + support.length + ")");
        return c;
    }
}

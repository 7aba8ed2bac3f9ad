package kiln.nn.metrics;

import java.util.List;

import kiln.engine.Tensor;

/**
 * Counts of (true class, predicted class) pairs: {@code count(t, p)} is the number of examples of class
 * {@code t} that were predicted as {@code p}. Rows are true classes, columns predicted classes, as in
 * scikit-learn's {@code confusion_matrix}. The diagonal holds the correct predictions.
 *
 * <pre>
 *              predicted
 *               0   1   2
 *   true  0  [  5   1   0 ]   row sum = support of class 0
 *         1  [  0   3   2 ]
 *         2  [  1   0   4 ]
 * </pre>
 *
 * For class c seen as "positive": true positives are {@code count(c, c)}, false positives the rest of
 * column c, false negatives the rest of row c. Immutable.
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    private ConfusionMatrix(long[][] counts) {
        this.counts = counts;
    }

    /**
     * Counts the pairs {@code (yTrue[i], yPred[i])} over classes {@code 0 .. numClasses-1}.
     *
     * @throws IllegalArgumentException if the lengths differ, there are no examples, or a label is
     *     outside {@code [0, numClasses)}
     */
    public static ConfusionMatrix of(int[] yTrue, int[] yPred, int numClasses) {
        String owner = "ConfusionMatrix";
        Check.classCount(owner, numClasses);
        Check.sameLength(owner, "yTrue", yTrue.length, "yPred", yPred.length);
        Check.nonEmpty(owner, yTrue.length);
        Check.labels(owner, "yTrue", yTrue, numClasses);
        Check.labels(owner, "yPred", yPred, numClasses);
        long[][] counts = new long[numClasses][numClasses];
        for (int i = 0; i < yTrue.length; i++) {
            counts[yTrue[i]][yPred[i]]++;
        }
        return new ConfusionMatrix(counts);
    }

    /**
     * The confusion matrix of the arg-max predictions of {@code scores} (logits or probabilities
     * {@code [n, k]}) against {@code labels} (integer class indices {@code [n]}).
     */
    public static ConfusionMatrix of(Tensor scores, Tensor labels) {
        double[][] rows = TensorInput.rows("ConfusionMatrix", "scores", scores);
        int[] yTrue = TensorInput.labels("ConfusionMatrix", labels);
        return of(yTrue, Accuracy.argmax(rows), rows[0].length);
    }

    /** The number of classes k (the matrix is k × k). */
    public int numClasses() {
        return counts.length;
    }

    /** How many examples of class {@code trueClass} were predicted as {@code predictedClass}. */
    public long count(int trueClass, int predictedClass) {
        Check.require(trueClass >= 0 && trueClass < counts.length, "ConfusionMatrix", "trueClass " + trueClass + " is not in [0, " + counts.length + ")");
        Check.require(predictedClass >= 0 && predictedClass < counts.length, "ConfusionMatrix", "predictedClass " + predictedClass + " is not in [0, " + counts.length + ")");
        return counts[trueClass][predictedClass];
    }

    /** A copy of the counts, {@code [true class][predicted class]}. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int t = 0; t < counts.length; t++) {
            copy[t] = counts[t].clone();
        }
        return copy;
    }

    /** Row sums: the number of true examples of each class (its "support"). */
    public long[] trueTotals() {
        long[] totals = new long[counts.length];
        for (int t = 0; t < counts.length; t++) {
            for (long n : counts[t]) {
                totals[t] += n;
            }
        }
        return totals;
    }

    /** Column sums: how often each class was predicted. */
    public long[] predictedTotals() {
        long[] totals = new long[counts.length];
        for (long[] row : counts) {
            for (int p = 0; p < row.length; p++) {
                totals[p] += row[p];
            }
        }
        return totals;
    }

    /** The number of examples counted. */
    public long total() {
        long total = 0;
        for (long n : trueTotals()) {
            total += n;
        }
        return total;
    }

    /** The trace: examples whose prediction is their true class. */
    public long correct() {
        long correct = 0;
        for (int c = 0; c < counts.length; c++) {
            correct += counts[c][c];
        }
        return correct;
    }

    /** correct / total. */
    public double accuracy() {
        return (double) correct() / total();
    }

    /** The matrix with class indices as headings; see {@link #format(List)}. */
    @Override
    public String toString() {
        return format(null);
    }

    /**
     * The matrix as text, rows = true class, columns = predicted class, right-aligned columns, with a
     * total row and column. {@code classNames} (one per class) label rows and columns; null uses the indices.
     * <pre>
     * true \ predicted    cat    dog  total
     *              cat      5      1      6
     *              dog      2      3      5
     *            total      7      4     11
     * </pre>
     */
    public String format(List<String> classNames) {
        int k = counts.length;
        List<String> names = ClassificationReport.names("ConfusionMatrix", classNames, k);
        String corner = "true \\ predicted";
        long[] rowTotals = trueTotals();
        long[] columnTotals = predictedTotals();
        int nameWidth = corner.length();
        int cellWidth = Long.toString(total()).length();
        for (String name : names) {
            nameWidth = Math.max(nameWidth, name.length());
            cellWidth = Math.max(cellWidth, name.length());
        }
        cellWidth = Math.max(cellWidth, "total".length());
        String nameFormat = "%" + nameWidth + "s";
        String cellFormat = "  %" + cellWidth + "s";

        StringBuilder out = new StringBuilder(String.format(nameFormat, corner));
        for (String name : names) {
            out.append(String.format(cellFormat, name));
        }
        out.append(String.format(cellFormat, "total")).append('\n');
        for (int t = 0; t < k; t++) {
            out.append(String.format(nameFormat, names.get(t)));
            for (long n : counts[t]) {
                out.append(String.format(cellFormat, n));
            }
            out.append(String.format(cellFormat, rowTotals[t])).append('\n');
        }
        out.append(String.format(nameFormat, "total"));
        for (long n : columnTotals) {
            out.append(String.format(cellFormat, n));
        }
        return out.append(String.format(cellFormat, total())).append('\n').toString();
    }
}

package kiln.nn.metrics;

import kiln.engine.Tensor;

/**
 * The fraction of examples classified correctly, and its top-k relaxation.
 *
 * <p>Ties: a prediction is the arg-max with the <em>lowest</em> class index among equal maxima (as
 * PyTorch's and NumPy's argmax). Top-k ranks tied classes the way scikit-learn's
 * {@code top_k_accuracy_score} does (a stable ascending sort, reversed), which puts the <em>higher</em>
 * class index first. So on tied scores {@code topK(yTrue, scores, 1)} can differ from
 * {@code of(yTrue, argmax(scores))}; with untied scores they agree.
 */
public final class Accuracy {
    private Accuracy() {}

    /** The fraction of positions where {@code yPred[i] == yTrue[i]}. */
    public static double of(int[] yTrue, int[] yPred) {
        Check.sameLength("Accuracy", "yTrue", yTrue.length, "yPred", yPred.length);
        Check.nonEmpty("Accuracy", yTrue.length);
        int correct = 0;
        for (int i = 0; i < yTrue.length; i++) {
            if (yTrue[i] == yPred[i]) {
                correct++;
            }
        }
        return (double) correct / yTrue.length;
    }

    /** The accuracy of the arg-max of {@code scores} (logits or probabilities {@code [n, k]}) against integer {@code labels [n]}. */
    public static double of(Tensor scores, Tensor labels) {
        return of(TensorInput.labels("Accuracy", labels), argmax(TensorInput.rows("Accuracy", "scores", scores)));
    }

    /**
     * The fraction of examples whose true class is among the {@code k} highest {@code scores[i]}.
     * A class c ranks before the true class y when {@code scores[i][c] > scores[i][y]}, or when they are
     * equal and {@code c > y} (scikit-learn's order); y is a hit when fewer than k classes rank before it.
     *
     * @param scores {@code [n][numClasses]} probabilities or logits; the class count is the column count
     * @param k 1 &lt;= k &lt;= numClasses (k = numClasses always scores 1)
     */
    public static double topK(int[] yTrue, double[][] scores, int k) {
        String owner = "Accuracy.topK";
        Check.sameLength(owner, "yTrue", yTrue.length, "scores", scores.length);
        int numClasses = Check.columns(owner, "scores", scores);
        Check.labels(owner, "yTrue", yTrue, numClasses);
        Check.require(k >= 1 && k <= numClasses, owner, "k must be in [1, " + numClasses + "], got " + k);
        int hits = 0;
        for (int i = 0; i < yTrue.length; i++) {
            int y = yTrue[i];
            double[] row = scores[i];
            int ahead = 0;
            for (int c = 0; c < numClasses; c++) {
                if (row[c] > row[y] || (row[c] == row[y] && c > y)) {
                    ahead++;
                }
            }
            if (ahead < k) {
                hits++;
            }
        }
        return (double) hits / yTrue.length;
    }

    /** {@link #topK(int[], double[][], int)} of scores {@code [n, k]} against integer labels {@code [n]}. */
    public static double topK(Tensor scores, Tensor labels, int k) {
        return topK(TensorInput.labels("Accuracy.topK", labels), TensorInput.rows("Accuracy.topK", "scores", scores), k);
    }

    /** The index of each row's largest value, the lowest index among ties: the predicted class of each row of scores. */
    public static int[] argmax(double[][] rows) {
        int[] best = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 1; c < rows[i].length; c++) {
                if (rows[i][c] > rows[i][best[i]]) {
                    best[i] = c;
                }
            }
        }
        return best;
    }
}

package kiln.nn.metrics;

import java.util.function.ToDoubleBiFunction;

/**
 * Multiclass ranking scores built from a binary one: class c against all others, on column c of the
 * scores, then averaged (scikit-learn's {@code average=} over a one-hot {@code label_binarize}d truth).
 * Micro averaging instead pools all n·k (one-hot label, score) pairs into one binary problem.
 */
final class OneVsRest {
    private OneVsRest() {}

    /** 1 where {@code yTrue[i] == positiveClass}, else 0. */
    static int[] indicator(int[] yTrue, int positiveClass) {
        int[] out = new int[yTrue.length];
        for (int i = 0; i < yTrue.length; i++) {
            out[i] = yTrue[i] == positiveClass ? 1 : 0;
        }
        return out;
    }

    static double[] column(double[][] scores, int c) {
        double[] out = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = scores[i][c];
        }
        return out;
    }

    /** Checks {@code yTrue} against {@code scores [n][k]}; returns k. */
    static int classes(String owner, int[] yTrue, double[][] scores) {
        Check.sameLength(owner, "yTrue", yTrue.length, "scores", scores.length);
        int k = Check.columns(owner, "scores", scores);
        Check.labels(owner, "yTrue", yTrue, k);
        return k;
    }

    /** The averaged one-vs-rest score; {@code binary} maps (0/1 labels, scores) to a score. */
    static double average(String owner, int[] yTrue, double[][] scores, Average average, ToDoubleBiFunction<int[], double[]> binary) {
        int k = classes(owner, yTrue, scores);
        if (average == Average.MICRO) {
            int pooled = Math.multiplyExact(yTrue.length, k);
            int[] pooledLabels = new int[pooled];
            double[] pooledScores = new double[pooled];
            for (int i = 0; i < yTrue.length; i++) {
                pooledLabels[i * k + yTrue[i]] = 1;
                System.arraycopy(scores[i], 0, pooledScores, i * k, k);
            }
            return binary.applyAsDouble(pooledLabels, pooledScores);
        }
        double[] perClass = new double[k];
        long[] support = new long[k];
        for (int c = 0; c < k; c++) {
            int[] labels = indicator(yTrue, c);
            for (int y : labels) {
                support[c] += y;
            }
            perClass[c] = binary.applyAsDouble(labels, column(scores, c));
        }
        return average.mean(perClass, support);
    }
}

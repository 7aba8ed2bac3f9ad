package kiln.nn.metrics;

/**
 * The mean negative log-likelihood of the true classes under predicted probabilities (cross-entropy of
 * probabilities, not logits), as scikit-learn 1.2's {@code log_loss}:
 *
 * <pre>
 * p'[i][c]  = clip(p[i][c], eps, 1 - eps)            so that log never sees 0
 * loss      = -(1/n) sum_i log( p'[i][y_i] / sum_c p'[i][c] )   rows renormalised after clipping
 * </pre>
 *
 * <p>{@code eps} defaults to {@link #DEFAULT_EPS}, the float64 machine epsilon 2.22e-16 (scikit-learn's
 * {@code eps="auto"} for float64 input), which caps one example's loss at about 36.04. Renormalising makes
 * rows that sum to 1 only up to rounding (a float32 softmax) harmless.
 */
public final class LogLoss {
    /** The clipping bound used unless one is given: {@code Math.ulp(1.0)} = 2.220446049250313e-16. */
    public static final double DEFAULT_EPS = Math.ulp(1.0);

    private LogLoss() {}

    /** Log loss of probabilities {@code [n][k]} for labels in {@code [0, k)}, clipped at {@link #DEFAULT_EPS}. */
    public static double of(int[] yTrue, double[][] probabilities) {
        return of(yTrue, probabilities, DEFAULT_EPS);
    }

    /**
     * Log loss with clipping bound {@code eps} in [0, 0.5).
     *
     * @throws IllegalArgumentException on length mismatch, no examples, a label out of range, NaN, or a
     *     negative probability
     */
    public static double of(int[] yTrue, double[][] probabilities, double eps) {
        String owner = "LogLoss";
        Check.require(eps >= 0 && eps < 0.5, owner, "eps must be in [0, 0.5), got " + eps);
        Check.sameLength(owner, "yTrue", yTrue.length, "probabilities", probabilities.length);
        int k = Check.columns(owner, "probabilities", probabilities);
        Check.labels(owner, "yTrue", yTrue, k);
        double total = 0;
        for (int i = 0; i < yTrue.length; i++) {
            double rowSum = 0;
            for (int c = 0; c < k; c++) {
                double p = probabilities[i][c];
                Check.require(p >= 0, owner, "probabilities[" + i + "][" + c + "] = " + p + " is negative");
                rowSum += clip(p, eps);
            }
            total -= Math.log(clip(probabilities[i][yTrue[i]], eps) / rowSum);
        }
        return total / yTrue.length;
    }

    /** Binary log loss: labels 0/1 and the probability of class 1 per example, clipped at {@link #DEFAULT_EPS}. */
    public static double binary(int[] yTrue, double[] positiveProbabilities) {
        return binary(yTrue, positiveProbabilities, DEFAULT_EPS);
    }

    /** Binary log loss with clipping bound {@code eps}: the two-class loss of rows {@code [1 - p', p']} with p' clipped. */
    public static double binary(int[] yTrue, double[] positiveProbabilities, double eps) {
        Check.sameLength("LogLoss", "yTrue", yTrue.length, "positiveProbabilities", positiveProbabilities.length);
        Check.binaryLabels("LogLoss", "yTrue", yTrue);
        double[][] rows = new double[positiveProbabilities.length][];
        for (int i = 0; i < rows.length; i++) {
            double p = positiveProbabilities[i];
            Check.require(p >= 0 && p <= 1, "LogLoss", "positiveProbabilities[" + i + "] = " + p + " is not in [0, 1]");
            double clipped = clip(p, eps); // scikit-learn clips p before forming 1 - p
            rows[i] = new double[] {1 - clipped, clipped};
        }
        return of(yTrue, rows, eps);
    }

    private static double clip(double p, double eps) {
        return Math.min(Math.max(p, eps), 1 - eps);
    }
}

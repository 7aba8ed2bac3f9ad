package kiln.nn.metrics;

import java.util.Arrays;

/**
 * The confusion counts of a binary scorer at every distinct score, highest first: predicting "positive"
 * when {@code score >= thresholds[i]} yields {@code truePositives[i]} true and {@code falsePositives[i]}
 * false positives. Tied scores form one threshold (one step of the curve), as in scikit-learn's
 * {@code _binary_clf_curve}; the last threshold (the lowest score) predicts everything positive.
 *
 * <p>How: sort the positives' and the negatives' scores separately, then walk both from the top,
 * taking each distinct score with all its ties at once.
 */
final class ThresholdCounts {
    final double[] thresholds;
    final int[] truePositives;
    final int[] falsePositives;
    final int positives;
    final int negatives;

    private ThresholdCounts(double[] thresholds, int[] truePositives, int[] falsePositives, int positives, int negatives) {
        this.thresholds = thresholds;
        this.truePositives = truePositives;
        this.falsePositives = falsePositives;
        this.positives = positives;
        this.negatives = negatives;
    }

    /** Counts for labels {@code yTrue} (0 or 1) and real {@code scores} (no NaN), checked for {@code owner}. */
    static ThresholdCounts of(String owner, int[] yTrue, double[] scores) {
        Check.sameLength(owner, "yTrue", yTrue.length, "scores", scores.length);
        Check.nonEmpty(owner, yTrue.length);
        Check.binaryLabels(owner, "yTrue", yTrue);
        Check.notNaN(owner, "scores", scores);
        int positives = 0;
        for (int y : yTrue) {
            positives += y;
        }
        double[] positiveScores = new double[positives];
        double[] negativeScores = new double[yTrue.length - positives];
        for (int i = 0, p = 0, q = 0; i < yTrue.length; i++) {
            if (yTrue[i] == 1) {
                positiveScores[p++] = scores[i];
            } else {
                negativeScores[q++] = scores[i];
            }
        }
        Arrays.sort(positiveScores);
        Arrays.sort(negativeScores);

        double[] thresholds = new double[yTrue.length];
        int[] tp = new int[yTrue.length];
        int[] fp = new int[yTrue.length];
        int distinct = 0;
        int p = positiveScores.length; // positiveScores[p..] are at or above the current threshold
        int q = negativeScores.length;
        while (p > 0 || q > 0) {
            double threshold = p == 0 ? negativeScores[q - 1]
                    : q == 0 ? positiveScores[p - 1]
                    : Math.max(positiveScores[p - 1], negativeScores[q - 1]);
            // == also merges -0.0 with 0.0, which are one score
            while (p > 0 && positiveScores[p - 1] == threshold) {
                p--;
            }
            while (q > 0 && negativeScores[q - 1] == threshold) {
                q--;
            }
            thresholds[distinct] = threshold;
            tp[distinct] = positiveScores.length - p;
            fp[distinct] = negativeScores.length - q;
            distinct++;
        }
        return new ThresholdCounts(Arrays.copyOf(thresholds, distinct), Arrays.copyOf(tp, distinct),
                Arrays.copyOf(fp, distinct), positives, negativeScores.length);
    }

    int size() {
        return thresholds.length;
    }
}

package kiln.nn.data;

import java.util.HashMap;
import java.util.Map;

import kiln.engine.Generator;

/**
 * Draws examples with replacement, example {@code i} with probability {@code weights[i] / sum(weights)}:
 * the usual cure for class imbalance, where rare classes get larger weights so that batches see every
 * class about equally often ({@link #classBalancedWeights}).
 *
 * <p>Each draw picks a uniform point on {@code [0, sum)} and finds, by binary search over the running
 * sums of the weights, the example whose interval contains it: O(log n) per draw.
 */
public final class WeightedRandomSampler implements Sampler {
    private final double[] cumulative;   // cumulative[i] = weights[0] + ... + weights[i]
    private final int lastPositive;      // the last example with a weight above 0
    private final int numSamples;
    private final long seed;

    public WeightedRandomSampler(double[] weights, int numSamples, long seed) {
        if (weights.length == 0) {
            throw new IllegalArgumentException("WeightedRandomSampler: weights is empty");
        }
        if (numSamples < 0) {
            throw new IllegalArgumentException("WeightedRandomSampler: numSamples must be >= 0, got " + numSamples);
        }
        cumulative = new double[weights.length];
        double sum = 0;
        int lastPositiveSeen = -1;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("WeightedRandomSampler: weight " + i + " is " + weights[i]
                        + "; weights must be finite and >= 0");
            }
            sum += weights[i];
            cumulative[i] = sum;
            if (weights[i] > 0) {
                lastPositiveSeen = i;
            }
        }
        if (sum == 0) {
            throw new IllegalArgumentException("WeightedRandomSampler: every weight is 0; at least one must be positive");
        }
        this.lastPositive = lastPositiveSeen;
        this.numSamples = numSamples;
        this.seed = seed;
    }

    /**
     * Weights that balance the classes: each example gets 1 / (how many examples share its label), so every
     * class carries the same total weight and is drawn with the same probability.
     */
    public static double[] classBalancedWeights(long[] labels) {
        Map<Long, Integer> counts = new HashMap<>();
        for (long label : labels) {
            counts.merge(label, 1, Integer::sum);
        }
        double[] weights = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            weights[i] = 1.0 / counts.get(labels[i]);
        }
        return weights;
    }

    @Override
    public int length() {
        return numSamples;
    }

    @Override
    public int[] order(int epoch) {
        Generator rng = Seeds.forEpoch("WeightedRandomSampler", seed, epoch);
        double total = cumulative[lastPositive];
        int[] order = new int[numSamples];
        for (int i = 0; i < numSamples; i++) {
            order[i] = firstAbove(rng.nextDouble() * total);
        }
        return order;
    }

    /**
     * The first index whose running sum exceeds {@code point}: zero-weight examples are never chosen. A
     * point rounded up to the total itself lands on the last positive weight.
     */
    private int firstAbove(double point) {
        int low = 0;
        int high = lastPositive;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (cumulative[mid] > point) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }
}

package kiln.nn.data;

import java.util.Arrays;

import kiln.engine.Generator;

/**
 * Visits examples in a random order that changes every epoch: a fresh permutation (without replacement)
 * or independent uniform draws (with replacement). The order of epoch {@code e} depends only on the
 * seed and {@code e}.
 */
public final class RandomSampler implements Sampler {
    private final int size;
    private final long seed;
    private final boolean replacement;
    private final int numSamples;

    /** Every example once per epoch, shuffled. */
    public RandomSampler(int size, long seed) {
        this(size, seed, false, size);
    }

    /**
     * {@code numSamples} indices per epoch. Without replacement they are the first {@code numSamples} of
     * a random permutation (so at most {@code size}); with replacement each is drawn uniformly from all
     * {@code size} examples, repeats allowed.
     */
    public RandomSampler(int size, long seed, boolean replacement, int numSamples) {
        if (size < 0) {
            throw new IllegalArgumentException("RandomSampler: size must be >= 0, got " + size);
        }
        if (numSamples < 0) {
            throw new IllegalArgumentException("RandomSampler: numSamples must be >= 0, got " + numSamples);
        }
        if (!replacement && numSamples > size) {
            throw new IllegalArgumentException("RandomSampler: numSamples " + numSamples + " exceeds the dataset size "
                    + size + "; without replacement no example can be drawn twice (use replacement = true)");
        }
        if (replacement && size == 0 && numSamples > 0) {
            throw new IllegalArgumentException("RandomSampler: cannot draw " + numSamples + " samples from an empty dataset");
        }
        this.size = size;
        this.seed = seed;
        this.replacement = replacement;
        this.numSamples = numSamples;
    }

    @Override
    public int length() {
        return numSamples;
    }

    @Override
    public int[] order(int epoch) {
        Generator rng = Seeds.forEpoch("RandomSampler", seed, epoch);
        if (!replacement) {
            return Arrays.copyOf(permutation(size, rng), numSamples);
        }
        int[] order = new int[numSamples];
        for (int i = 0; i < numSamples; i++) {
            order[i] = (int) rng.nextLong(size);
        }
        return order;
    }

    /**
     * A uniformly random permutation of {@code 0 .. n−1} by the Fisher–Yates shuffle (Durstenfeld's
     * version): position {@code i} takes a value chosen uniformly among those not yet placed. Each of the
     * n! orders has probability exactly 1/n! because {@link Generator#nextLong(long)} has no modulo bias;
     * choosing among all n positions at every step instead (a common slip) would not be uniform.
     */
    public static int[] permutation(int n, Generator rng) {
        if (n < 0) {
            throw new IllegalArgumentException("RandomSampler.permutation: n must be >= 0, got " + n);
        }
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int j = i + (int) rng.nextLong(n - i);   // uniform in [i, n)
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
        return values;
    }
}

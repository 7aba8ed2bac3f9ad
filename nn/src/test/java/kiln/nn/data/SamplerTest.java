package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;

/**
 * Samplers. Statistical checks use Hoeffding's bound for a binomial count: the observed frequency of an
 * event of probability p over N independent draws leaves [p − t, p + t] with probability at most
 * 2·exp(−2·N·t²). Each tolerance below is chosen to make that at most 10⁻⁶ (and the draws are seeded,
 * so a passing test keeps passing).
 */
class SamplerTest {
    /** The Hoeffding half-width t for N draws at false-alarm probability 10⁻⁶. */
    private static double tolerance(int draws) {
        return Math.sqrt(Math.log(2 / 1e-6) / (2.0 * draws));
    }

    @Test
    void sequentialSamplerCountsUp() {
        assertArrayEquals(new int[] {0, 1, 2, 3}, new SequentialSampler(4).order(5));
        assertEquals(0, new SequentialSampler(0).order(0).length);
    }

    @Test
    void fisherYatesMakesEveryPermutationEquallyLikely() {
        // For n = 3 the six orders must each come up with probability 1/6. The common slip of swapping
        // with any of the n positions gives some orders 5/27 (0.185) and others 4/27 (0.148): far outside
        // the tolerance of 0.0087 for 60,000 draws.
        int draws = 60_000;
        Generator rng = new Generator(11);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            counts.merge(Arrays.toString(RandomSampler.permutation(3, rng)), 1, Integer::sum);
        }
        assertEquals(6, counts.size());
        for (var entry : counts.entrySet()) {
            double frequency = entry.getValue() / (double) draws;
            assertEquals(1.0 / 6, frequency, tolerance(draws), entry.getKey());
        }
    }

    @Test
    void randomSamplerWithoutReplacementDrawsDistinctExamplesAnewEachEpoch() {
        RandomSampler sampler = new RandomSampler(100, 5, false, 30);
        int[] epoch0 = sampler.order(0);
        assertEquals(30, epoch0.length);
        assertEquals(30, Arrays.stream(epoch0).distinct().count(), "no repeats without replacement");
        assertTrue(Arrays.stream(epoch0).allMatch(i -> i >= 0 && i < 100));
        assertArrayEquals(epoch0, sampler.order(0), "the same epoch gives the same order");
        assertArrayEquals(epoch0, new RandomSampler(100, 5, false, 30).order(0), "a pure function of seed and epoch");
        assertFalse(Arrays.equals(epoch0, sampler.order(1)));
        assertFalse(Arrays.equals(epoch0, new RandomSampler(100, 6, false, 30).order(0)));
    }

    @Test
    void randomSamplerWithReplacementDrawsUniformlyWithRepeats() {
        int draws = 40_000;
        int[] order = new RandomSampler(4, 9, true, draws).order(0);
        int[] counts = new int[4];
        for (int i : order) {
            counts[i]++;
        }
        for (int count : counts) {
            assertEquals(0.25, count / (double) draws, tolerance(draws));
        }
        // With replacement, 20 draws from 4 examples must repeat (pigeonhole).
        assertTrue(Arrays.stream(new RandomSampler(4, 9, true, 20).order(0)).distinct().count() <= 4);
    }

    @Test
    void randomSamplerRefusesImpossibleRequests() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RandomSampler(10, 1, false, 11));
        assertTrue(e.getMessage().contains("numSamples 11 exceeds the dataset size 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomSampler(0, 1, true, 3));
        assertThrows(IllegalArgumentException.class, () -> new RandomSampler(10, 1).order(-1));
    }

    /** 900 examples of class 0, 90 of class 1, 10 of class 2. */
    private static long[] imbalancedLabels() {
        long[] labels = new long[1000];
        Arrays.fill(labels, 900, 990, 1);
        Arrays.fill(labels, 990, 1000, 2);
        return labels;
    }

    private static double[] classFrequencies(int[] order, long[] labels, int classes) {
        double[] frequencies = new double[classes];
        for (int i : order) {
            frequencies[(int) labels[i]] += 1.0 / order.length;
        }
        return frequencies;
    }

    @Test
    void classBalancedWeightsDrawEveryClassEquallyOften() {
        long[] labels = imbalancedLabels();
        double[] weights = WeightedRandomSampler.classBalancedWeights(labels);
        assertEquals(1.0 / 900, weights[0], 1e-15);
        assertEquals(1.0 / 90, weights[950], 1e-15);
        assertEquals(1.0 / 10, weights[995], 1e-15);

        int draws = 30_000;
        WeightedRandomSampler sampler = new WeightedRandomSampler(weights, draws, 3);
        for (int epoch = 0; epoch < 3; epoch++) {
            double[] frequencies = classFrequencies(sampler.order(epoch), labels, 3);
            for (int c = 0; c < 3; c++) {
                assertEquals(1.0 / 3, frequencies[c], tolerance(draws), "class " + c + ", epoch " + epoch);
            }
        }
        // The control: drawing uniformly keeps the imbalance (class 2 near 1%), so the check above can fail.
        double[] uniform = classFrequencies(new RandomSampler(1000, 3, true, draws).order(0), labels, 3);
        assertTrue(Math.abs(uniform[2] - 1.0 / 3) > tolerance(draws), "uniform draws give class 2 " + uniform[2]);
    }

    @Test
    void weightsSetProbabilitiesAndZeroWeightsAreNeverDrawn() {
        int draws = 40_000;
        int[] order = new WeightedRandomSampler(new double[] {0, 1, 0, 3, 0}, draws, 8).order(2);
        int[] counts = new int[5];
        for (int i : order) {
            counts[i]++;
        }
        assertEquals(0, counts[0] + counts[2] + counts[4], "examples of weight 0 are never drawn");
        assertEquals(0.25, counts[1] / (double) draws, tolerance(draws));
        assertEquals(0.75, counts[3] / (double) draws, tolerance(draws));
    }

    @Test
    void badWeightsAreRefusedWithTheirIndex() {
        var e = assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[] {1, -2}, 5, 0));
        assertTrue(e.getMessage().contains("weight 1 is -2.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[] {1, Double.NaN}, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[] {Double.POSITIVE_INFINITY}, 5, 0));
        e = assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[] {0, 0}, 5, 0));
        assertTrue(e.getMessage().contains("every weight is 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WeightedRandomSampler(new double[0], 5, 0));
    }
}

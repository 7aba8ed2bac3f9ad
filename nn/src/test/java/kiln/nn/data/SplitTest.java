package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class SplitTest {

    /** The three sets together are exactly 0 .. n−1, each once, and each set is sorted. */
    static void assertPartition(int n, int[]... sets) {
        int[] all = Arrays.stream(sets).flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(IntStream.range(0, n).toArray(), all, "the sets must be disjoint and cover every example");
        for (int[] set : sets) {
            assertArrayEquals(IntStream.of(set).sorted().toArray(), set, "each set in increasing order");
        }
    }

    @Test
    void randomSplitPartitionsInTheGivenProportions() {
        Split split = Split.random(1000, 0.8, 0.1, 0.1, 1);
        assertPartition(1000, split.train(), split.validation(), split.test());
        assertEquals(800, split.train().length);
        assertEquals(100, split.validation().length);
        assertEquals(100, split.test().length);
    }

    @Test
    void roundsValidationAndTestToTheNearestCountAndGivesTrainingTheRest() {
        // 7 · 0.25 = 1.75 rounds to 2 for validation and for test; training keeps 3.
        Split split = Split.random(7, 0.5, 0.25, 0.25, 3);
        assertEquals(3, split.train().length);
        assertEquals(2, split.validation().length);
        assertEquals(2, split.test().length);
        // 10 · 0.15 = 1.5: halves round up.
        Split halves = Split.random(10, 0.7, 0.15, 0.15, 3);
        assertEquals(2, halves.validation().length);
        assertEquals(6, halves.train().length);
    }

    @Test
    void trainValidationOnlyLeavesTheTestSetEmpty() {
        Split split = Split.random(50, 0.9, 0.1, 0, 4);
        assertPartition(50, split.train(), split.validation(), split.test());
        assertEquals(0, split.test().length);
        assertEquals(5, split.validation().length);
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        Split a = Split.random(200, 0.6, 0.2, 0.2, 42);
        Split b = Split.random(200, 0.6, 0.2, 0.2, 42);
        Split c = Split.random(200, 0.6, 0.2, 0.2, 43);
        assertArrayEquals(a.train(), b.train());
        assertArrayEquals(a.validation(), b.validation());
        assertArrayEquals(a.test(), b.test());
        assertFalse(Arrays.equals(a.validation(), c.validation()), "another seed must choose other examples");
        // And the choice is a shuffle, not the first 60% in order.
        assertFalse(Arrays.equals(IntStream.range(0, 120).toArray(), a.train()));
    }

    @Test
    void stratifiedSplitDividesEveryClassInTheGivenProportions() {
        int[] classSizes = {50, 31, 7, 1, 112};
        long[] labels = interleavedLabels(classSizes);
        double[] fractions = {0.7, 0.2, 0.1};
        Split split = Split.stratified(labels, fractions[0], fractions[1], fractions[2], 9);
        assertPartition(labels.length, split.train(), split.validation(), split.test());
        int[][] sets = {split.train(), split.validation(), split.test()};
        for (int c = 0; c < classSizes.length; c++) {
            for (int s = 0; s < 3; s++) {
                long count = countLabel(labels, sets[s], c);
                double expected = classSizes[c] * fractions[s];
                assertTrue(Math.abs(count - expected) <= 1, "class " + c + " set " + s + ": " + count + " examples, expected about " + expected);
            }
        }
        // By hand for the class of 31: validation round(6.2) = 6, test round(3.1) = 3, train 22.
        assertEquals(22, countLabel(labels, split.train(), 1));
        assertEquals(6, countLabel(labels, split.validation(), 1));
        assertEquals(3, countLabel(labels, split.test(), 1));
    }

    @Test
    void stratifiedSplitIsSeededToo() {
        long[] labels = interleavedLabels(new int[] {40, 60});
        assertArrayEquals(Split.stratified(labels, 0.5, 0.5, 0, 5).train(), Split.stratified(labels, 0.5, 0.5, 0, 5).train());
        assertFalse(Arrays.equals(Split.stratified(labels, 0.5, 0.5, 0, 5).train(), Split.stratified(labels, 0.5, 0.5, 0, 6).train()));
    }

    @Test
    void refusesFractionsThatDoNotDescribeAPartition() {
        assertRefused(0.8, 0.3, 0.1, "sum");
        assertRefused(0.8, 0.1, 0.05, "sum");
        assertRefused(1.2, -0.1, -0.1, "-0.1");
        assertRefused(0, 0.5, 0.5, "train=0.0");
        assertRefused(Double.NaN, 0.5, 0.5, "NaN");
        assertThrows(IllegalArgumentException.class, () -> Split.random(-1, 0.8, 0.1, 0.1, 0));
    }

    private static void assertRefused(double train, double validation, double test, String mentioned) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Split.random(10, train, validation, test, 0));
        assertTrue(e.getMessage().startsWith("Split.random") && e.getMessage().contains(mentioned), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Split.stratified(new long[10], train, validation, test, 0));
    }

    @Test
    void subsetsViewTheDatasetTheSplitWasMadeFor() {
        try (TensorDataset data = SubsetTest.numbered(10)) {
            Split split = Split.random(10, 0.6, 0.2, 0.2, 2);
            Subset validation = split.validationOf(data);
            assertEquals(2, validation.size());
            try (Batch batch = validation.gather(new int[] {0, 1})) {
                long[] expected = Arrays.stream(split.validation()).asLongStream().toArray(); // label i is example i
                assertArrayEquals(expected, batch.targets().toLongArray());
            }
            assertEquals(6, split.trainOf(data).size());
            assertEquals(2, split.testOf(data).size());
            try (TensorDataset other = SubsetTest.numbered(11)) {
                assertThrows(IllegalArgumentException.class, () -> split.trainOf(other));
            }
        }
    }

    /** Labels of classes of these sizes, interleaved rather than grouped. */
    static long[] interleavedLabels(int[] classSizes) {
        int n = IntStream.of(classSizes).sum();
        long[] labels = new long[n];
        int[] left = classSizes.clone();
        int position = 0;
        while (position < n) {
            for (int c = 0; c < left.length; c++) {
                if (left[c] > 0) {
                    labels[position++] = c;
                    left[c]--;
                }
            }
        }
        return labels;
    }

    static long countLabel(long[] labels, int[] positions, long label) {
        return Arrays.stream(positions).filter(i -> labels[i] == label).count();
    }
}

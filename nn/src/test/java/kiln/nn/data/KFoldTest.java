package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class KFoldTest {

    /** Validation folds are disjoint and cover everything; each fold trains on exactly the rest. */
    static void assertCrossValidation(int n, List<KFold.Fold> folds) {
        int[] validated = folds.stream().flatMapToInt(f -> Arrays.stream(f.validation())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, n).toArray(), validated, "every example validated exactly once");
        for (KFold.Fold fold : folds) {
            SplitTest.assertPartition(n, fold.train(), fold.validation());
        }
    }

    @Test
    void plainFoldsAreConsecutiveBlocksWithTheLargerOnesFirst() {
        List<KFold.Fold> folds = KFold.split(10, 3);
        assertEquals(3, folds.size());
        assertArrayEquals(new int[] {0, 1, 2, 3}, folds.get(0).validation());
        assertArrayEquals(new int[] {4, 5, 6}, folds.get(1).validation());
        assertArrayEquals(new int[] {7, 8, 9}, folds.get(2).validation());
        assertArrayEquals(new int[] {0, 1, 2, 3, 7, 8, 9}, folds.get(1).train());
        assertCrossValidation(10, folds);
    }

    @Test
    void shuffledFoldsAreSeeded() {
        List<KFold.Fold> a = KFold.split(100, 5, 7);
        assertCrossValidation(100, a);
        for (KFold.Fold fold : a) {
            assertEquals(20, fold.validation().length);
        }
        assertArrayEquals(a.get(2).validation(), KFold.split(100, 5, 7).get(2).validation());
        assertFalse(Arrays.equals(a.get(2).validation(), KFold.split(100, 5, 8).get(2).validation()));
        assertFalse(Arrays.equals(a.get(0).validation(), KFold.split(100, 5).get(0).validation()), "shuffled, not blocks");
    }

    @Test
    void stratifiedFoldsDealEachClassInTurn() {
        // Class 0 at 0, 2, 4, 5 and class 1 at 1, 3, lined up 0 2 4 5 1 3 and dealt to folds 0 1 0 1 0 1.
        List<KFold.Fold> folds = KFold.stratified(new long[] {0, 1, 0, 1, 0, 0}, 2);
        assertArrayEquals(new int[] {0, 1, 4}, folds.get(0).validation());
        assertArrayEquals(new int[] {2, 3, 5}, folds.get(1).validation());
    }

    @Test
    void stratifiedFoldsKeepEveryClassWithinOneOfItsShare() {
        int[] classSizes = {23, 9, 4, 61};
        long[] labels = SplitTest.interleavedLabels(classSizes);
        int k = 5;
        for (List<KFold.Fold> folds : List.of(KFold.stratified(labels, k), KFold.stratified(labels, k, 3))) {
            assertCrossValidation(labels.length, folds);
            for (KFold.Fold fold : folds) {
                double share = (double) labels.length / k;
                assertTrue(Math.abs(fold.validation().length - share) < 1, "fold size " + fold.validation().length);
                for (int c = 0; c < classSizes.length; c++) {
                    long count = SplitTest.countLabel(labels, fold.validation(), c);
                    assertTrue(Math.abs(count - (double) classSizes[c] / k) < 1, "class " + c + ": " + count + " in a fold");
                }
            }
        }
        long[] grouped = new long[40];
        Arrays.fill(grouped, 20, 40, 1);
        assertFalse(Arrays.equals(KFold.stratified(grouped, 4, 1).get(0).validation(), KFold.stratified(grouped, 4, 2).get(0).validation()));
        assertArrayEquals(KFold.stratified(grouped, 4, 1).get(3).validation(), KFold.stratified(grouped, 4, 1).get(3).validation());
    }

    @Test
    void refusesKOutsideTwoToTheNumberOfExamples() {
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> KFold.split(10, 1));
        assertTrue(one.getMessage().contains("got 1"), one.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KFold.split(10, 11, 0));
        assertThrows(IllegalArgumentException.class, () -> KFold.stratified(new long[3], 4));
    }
}

package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;

class ClassLabelsTest {

    @Test
    void readsLabelsOfATensorDatasetAndOfAnyDatasetChunkByChunk() {
        int n = 9000;                       // more than two chunks of 4096 when read through gather
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i * 7L) % 5;
        }
        try (TensorDataset data = new TensorDataset(Tensor.zeros(n, 1), Tensor.fromArray(labels, n))) {
            assertArrayEquals(labels, ClassLabels.of(data));
            int[] reversed = new int[n];
            long[] reversedLabels = new long[n];
            for (int i = 0; i < n; i++) {
                reversed[i] = n - 1 - i;
                reversedLabels[i] = labels[n - 1 - i];
            }
            assertArrayEquals(reversedLabels, ClassLabels.of(new Subset(data, reversed)));
        }
    }

    @Test
    void refusesTargetsThatAreNotClassIndices() {
        try (TensorDataset regression = new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(3, 1))) {
            assertThrows(IllegalArgumentException.class, () -> ClassLabels.of(regression));
        }
    }

    @Test
    void groupsPositionsByIncreasingLabel() {
        int[][] groups = ClassLabels.groupByClass(new long[] {7, -2, 7, 0, -2});
        assertArrayEquals(new int[][] {{1, 4}, {3}, {0, 2}}, groups);
    }
}

package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;

class SubsetTest {

    /** Example i has features (10·i, 10·i + 1) and label i. */
    static TensorDataset numbered(int n) {
        float[] features = new float[2 * n];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            features[2 * i] = 10 * i;
            features[2 * i + 1] = 10 * i + 1;
            labels[i] = i;
        }
        return new TensorDataset(Tensor.fromArray(features, n, 2), Tensor.fromArray(labels, n));
    }

    @Test
    void gatherTranslatesPositionsToTheBase() {
        try (TensorDataset base = numbered(6)) {
            Subset subset = new Subset(base, new int[] {4, 1, 4});
            assertEquals(3, subset.size());
            assertArrayEquals(new int[] {2}, subset.featureShape());
            try (Batch batch = subset.gather(new int[] {2, 1, 0})) {
                assertArrayEquals(new long[] {4, 1, 4}, batch.targets().toLongArray());
                assertArrayEquals(new float[] {40, 41, 10, 11, 40, 41}, batch.features().toFloatArray());
            }
        }
    }

    @Test
    void aSubsetOfASubsetComposesTheIndices() {
        try (TensorDataset base = numbered(6)) {
            Subset inner = new Subset(new Subset(base, new int[] {5, 3, 1}), new int[] {2, 0});
            try (Batch batch = inner.gather(new int[] {0, 1})) {
                assertArrayEquals(new long[] {1, 5}, batch.targets().toLongArray());
            }
        }
    }

    @Test
    void keepsItsOwnCopyOfTheIndices() {
        try (TensorDataset base = numbered(3)) {
            int[] indices = {0, 1};
            Subset subset = new Subset(base, indices);
            indices[0] = 2;
            assertArrayEquals(new int[] {0, 1}, subset.indices());
            assertEquals(base, subset.base());
        }
    }

    @Test
    void refusesPositionsOutsideTheBaseOrItself() {
        try (TensorDataset base = numbered(3)) {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Subset(base, new int[] {0, 3}));
            assertTrue(bad.getMessage().contains("index 3"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Subset(base, new int[] {-1}));
            Subset subset = new Subset(base, new int[] {2});
            assertThrows(IndexOutOfBoundsException.class, () -> subset.gather(new int[] {1}));
        }
    }
}

package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

class EmbeddingTest {

    @Test
    void lookupAndGradientMatchPyTorch() {
        // Exact: a lookup copies, and the gradient of index 1 (used twice) is one float32 addition in both.
        try (Embedding layer = new Embedding(10, 4, new Generator(1))) {
            LayerGolden.check("embedding.txt", layer, 0);
        }
    }

    @Test
    void anIndexTensorOfAnyShapeGetsAFeatureAxis() {
        try (MemoryScope scope = MemoryScope.open(); Embedding embedding = new Embedding(5, 3, new Generator(2))) {
            float[] table = embedding.weight().value().toFloatArray();
            Tensor y = embedding.forward(Tensor.fromArray(new long[] {4, 0, 2, 2, 1, 3, 0, 4}, 2, 2, 2));
            assertArrayEquals(new int[] {2, 2, 2, 3}, y.dims());
            assertArrayEquals(Arrays.copyOfRange(table, 3 * 3, 4 * 3), y.select(0, 1).select(0, 0).select(0, 1).toFloatArray(), "y[1][0][1] is row 3");
            Tensor one = embedding.forward(Tensor.scalar(4, DType.INT64));
            assertArrayEquals(new int[] {3}, one.dims());
            assertArrayEquals(Arrays.copyOfRange(table, 12, 15), one.toFloatArray());
        }
    }

    @Test
    void weightsStartStandardNormal() {
        try (MemoryScope scope = MemoryScope.open(); Embedding embedding = new Embedding(1000, 16, new Generator(3))) {
            Tensor w = embedding.weight().value();
            // 16000 draws: the mean's standard deviation is 1/√16000 ≈ 0.008, the standard deviation's ≈ 0.0056; bounds ≈ 5 of them.
            assertEquals(0, w.mean().item(), 0.04);
            assertEquals(1, w.std().item(), 0.03);
        }
    }

    @Test
    void refusesIndicesOutOfRangeOrNotIntegers() {
        try (MemoryScope scope = MemoryScope.open(); Embedding embedding = new Embedding(10, 4, new Generator(4))) {
            var high = assertThrows(IndexOutOfBoundsException.class, () -> embedding.forward(Tensor.fromArray(new long[] {1, 10, 3}, 3)));
            assertTrue(high.getMessage().startsWith("Embedding(10, 4): index 10 is out of range [0, 9]"), high.getMessage());
            var low = assertThrows(IndexOutOfBoundsException.class, () -> embedding.forward(Tensor.fromArray(new long[] {-1, 2}, 2)));
            assertTrue(low.getMessage().contains("index -1"), low.getMessage());
            var floats = assertThrows(IllegalArgumentException.class, () -> embedding.forward(Tensor.zeros(2)));
            assertTrue(floats.getMessage().contains("indices must be int64") && floats.getMessage().contains("float32"), floats.getMessage());
        }
        assertEquals("Embedding: sizes must be positive, got numEmbeddings=0, dim=4",
                assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 4, new Generator(5))).getMessage());
    }
}

package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** cat, stack, split and chunk. */
class JoiningTest {

    private static Tensor iota(int start, int... dims) {
        try (Tensor flat = Tensor.arange(start, start + Check.numel(dims), 1, DType.FLOAT32)) {
            return flat.reshape(dims);
        }
    }

    @Test
    void catJoinsAlongAnExistingAxis() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = iota(0, 2, 3);
            Tensor b = iota(100, 1, 3);
            Tensor rows = Tensor.cat(0, a, b);
            assertEquals(Shape.of(3, 3), rows.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 100, 101, 102}, rows.toFloatArray());

            Tensor c = iota(10, 2, 2);
            Tensor cols = Tensor.cat(1, a, c);
            assertEquals(Shape.of(2, 5), cols.shape());
            assertArrayEquals(new float[] {0, 1, 2, 10, 11, 3, 4, 5, 12, 13}, cols.toFloatArray());
            assertArrayEquals(cols.toFloatArray(), Tensor.cat(-1, List.of(a, c)).toFloatArray());

            // Strided inputs (a transpose) are read through their strides.
            Tensor t = iota(0, 3, 2).t();       // [2, 3]: [[0, 2, 4], [1, 3, 5]]
            assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5, 0, 1, 2, 3, 4, 5}, Tensor.cat(0, t, a).toFloatArray());

            // Empty parts contribute nothing; a single part is a copy.
            assertArrayEquals(a.toFloatArray(), Tensor.cat(0, a, Tensor.zeros(0, 3)).toFloatArray());
            Tensor single = Tensor.cat(0, a);
            assertArrayEquals(a.toFloatArray(), single.toFloatArray());
            assertTrue(single.segment().address() != a.segment().address(), "cat returns new memory");
        }
    }

    @Test
    void catPromotesDtypes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor ints = Tensor.fromArray(new int[] {1, 2}, 2);
            Tensor floats = Tensor.fromArray(new float[] {0.5f}, 1);
            Tensor joined = Tensor.cat(0, ints, floats);
            assertEquals(DType.FLOAT32, joined.dtype());
            assertArrayEquals(new float[] {1, 2, 0.5f}, joined.toFloatArray());
            Tensor longs = Tensor.cat(0, ints, Tensor.fromArray(new long[] {(1L << 40)}, 1));
            assertEquals(DType.INT64, longs.dtype());
            assertArrayEquals(new long[] {1, 2, 1L << 40}, longs.toLongArray());
            Tensor doubles = Tensor.cat(0, floats, Tensor.fromArray(new double[] {0.1}, 1));
            assertEquals(DType.FLOAT64, doubles.dtype());
            assertArrayEquals(new double[] {0.5, 0.1}, doubles.toDoubleArray());
            Tensor bools = Tensor.cat(0, Tensor.fromArray(new boolean[] {true}, 1), Tensor.fromArray(new boolean[] {false}, 1));
            assertEquals(DType.BOOL, bools.dtype());
            assertArrayEquals(new boolean[] {true, false}, bools.toBooleanArray());
        }
    }

    @Test
    void stackJoinsAlongANewAxis() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = iota(0, 2, 3);
            Tensor b = iota(10, 2, 3);
            Tensor s0 = Tensor.stack(0, a, b);
            assertEquals(Shape.of(2, 2, 3), s0.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}, s0.toFloatArray());
            Tensor s1 = Tensor.stack(1, a, b);
            assertEquals(Shape.of(2, 2, 3), s1.shape());
            assertArrayEquals(new float[] {0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15}, s1.toFloatArray());
            Tensor s2 = Tensor.stack(-1, List.of(a, b));
            assertEquals(Shape.of(2, 3, 2), s2.shape());
            assertArrayEquals(new float[] {0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}, s2.toFloatArray());
            Tensor scalars = Tensor.stack(0, Tensor.scalar(1), Tensor.scalar(2), Tensor.scalar(3));
            assertEquals(Shape.of(3), scalars.shape());
            assertArrayEquals(new float[] {1, 2, 3}, scalars.toFloatArray());
        }
    }

    @Test
    void splitCutsViewsWithASmallerLastPart() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(0, 7, 2);
            List<Tensor> parts = x.split(3, 0);
            assertEquals(3, parts.size());
            assertEquals(Shape.of(3, 2), parts.get(0).shape());
            assertEquals(Shape.of(3, 2), parts.get(1).shape());
            assertEquals(Shape.of(1, 2), parts.get(2).shape());
            assertArrayEquals(new float[] {12, 13}, parts.get(2).toFloatArray());
            assertEquals(x.segment().address(), parts.get(1).segment().address(), "parts are views");
            assertArrayEquals(x.toFloatArray(), Tensor.cat(0, parts).toFloatArray(), "the parts join back");

            List<Tensor> cols = x.split(1, -1);
            assertEquals(2, cols.size());
            assertArrayEquals(new float[] {1, 3, 5, 7, 9, 11, 13}, cols.get(1).toFloatArray());
            assertEquals(1, x.split(10, 0).size(), "a size beyond the axis gives one part");
        }
    }

    @Test
    void chunkSplitsAsEquallyAsPossibleLikeTorch() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.arange(0, 10, 1, DType.FLOAT32);
            List<Tensor> three = x.chunk(3, 0);            // torch.chunk(10, 3): sizes 4, 4, 2
            assertEquals(3, three.size());
            assertEquals(4, three.get(0).numel());
            assertEquals(4, three.get(1).numel());
            assertEquals(2, three.get(2).numel());
            assertArrayEquals(new float[] {8, 9}, three.get(2).toFloatArray());
            List<Tensor> even = x.chunk(5, 0);
            assertEquals(5, even.size());
            for (Tensor part : even) {
                assertEquals(2, part.numel());
            }
            // torch.chunk(6 elements, 4) gives 3 chunks of 2: possibly fewer than asked.
            assertEquals(3, Tensor.arange(0, 6, 1, DType.FLOAT32).chunk(4, 0).size());
            List<Tensor> many = Tensor.arange(0, 3, 1, DType.FLOAT32).chunk(5, 0);
            assertEquals(3, many.size(), "never an empty chunk");
            List<Tensor> cols = Tensor.zeros(2, 5).chunk(2, 1);
            assertEquals(Shape.of(2, 3), cols.get(0).shape());
            assertEquals(Shape.of(2, 2), cols.get(1).shape());
        }
    }
}

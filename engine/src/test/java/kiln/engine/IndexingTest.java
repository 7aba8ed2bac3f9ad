package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** gather, scatterAdd, indexSelect and oneHot against hand-worked examples (those of the PyTorch docs where there is one). */
class IndexingTest {

    @Test
    void gatherAlongAxisOneAsInThePyTorchDocs() {
        try (MemoryScope s = MemoryScope.open()) {
            // torch.gather(torch.tensor([[1, 2], [3, 4]]), 1, torch.tensor([[0, 0], [1, 0]])) = [[1, 1], [4, 3]]
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor index = Tensor.fromArray(new long[] {0, 0, 1, 0}, 2, 2);
            Tensor out = x.gather(1, index);
            assertEquals(DType.FLOAT32, out.dtype());
            assertEquals(Shape.of(2, 2), out.shape());
            assertArrayEquals(new float[] {1, 1, 4, 3}, out.toFloatArray());
            assertArrayEquals(new float[] {1, 1, 4, 3}, x.gather(-1, index).toFloatArray(), "negative axis");
        }
    }

    @Test
    void gatherAlongAxisZeroWithASmallerIndex() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            // out[i][j] = x[index[i][j]][j]
            Tensor index = Tensor.fromArray(new int[] {1, 0, 1}, 1, 3);
            assertArrayEquals(new float[] {4, 2, 6}, x.gather(0, index).toFloatArray());
            // The index may be smaller than the input along the other axes: [2, 2] from [2, 3].
            Tensor small = Tensor.fromArray(new int[] {1, 1, 0, 1}, 2, 2);
            assertArrayEquals(new float[] {4, 5, 1, 5}, x.gather(0, small).toFloatArray());
            // Picking one label's probability per row, the classic use: out[i] = p[i][label[i]].
            Tensor p = Tensor.fromArray(new double[] {0.1, 0.7, 0.2, 0.5, 0.25, 0.25}, 2, 3);
            Tensor labels = Tensor.fromArray(new long[] {1, 2}, 2, 1);
            assertArrayEquals(new double[] {0.7, 0.25}, p.gather(1, labels).toDoubleArray());
        }
    }

    @Test
    void gatherReadsStridedInputsAndIndicesOfEveryDtype() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.arange(0, 12, 1, DType.INT64).reshape(3, 4).t();     // [4, 3], x[i][j] = 4·j + i
            Tensor index = Tensor.fromArray(new long[] {3, 0, 1, 2, 2, 3}, 3, 2).t();   // [2, 3] strided
            // out[i][j] = x[index[i][j]][j]: index rows are [3, 1, 2] and [0, 2, 3].
            assertArrayEquals(new long[] {3, 5, 10, 0, 6, 11}, x.gather(0, index).toLongArray());
            Tensor bools = Tensor.fromArray(new boolean[] {true, false, false, true}, 2, 2);
            assertArrayEquals(new boolean[] {false, true, true, true},
                    bools.gather(1, Tensor.fromArray(new int[] {1, 0, 1, 1}, 2, 2)).toBooleanArray());
            Tensor i32 = Tensor.fromArray(new int[] {10, 20, 30}, 3);
            assertArrayEquals(new int[] {30, 10, 30}, i32.gather(0, Tensor.fromArray(new int[] {2, 0, 2}, 3)).toIntArray());
        }
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor base = Tensor.zeros(3);
            Tensor index = Tensor.fromArray(new long[] {0, 1, 0, 0}, 4);
            Tensor src = Tensor.fromArray(new float[] {1, 2, 3, 4}, 4);
            Tensor out = base.scatterAdd(0, index, src);
            assertArrayEquals(new float[] {8, 2, 0}, out.toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0}, base.toFloatArray(), "the input is not modified");

            // Along axis 1 of a matrix: out[i][index[i][j]] += src[i][j].
            Tensor m = Tensor.ones(DType.FLOAT64, 2, 3);
            Tensor idx = Tensor.fromArray(new int[] {2, 2, 0, 1, 1, 1}, 2, 3);
            Tensor vals = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertArrayEquals(new double[] {4, 1, 4, 1, 16, 1}, m.scatterAdd(1, idx, vals).toDoubleArray());

            // Along axis 0: out[index[i][j]][j] += src[i][j]; src larger than index is allowed.
            Tensor z = Tensor.zeros(DType.INT64, 2, 2);
            Tensor rows = Tensor.fromArray(new long[] {1, 0, 1, 1}, 2, 2);
            Tensor big = Tensor.fromArray(new long[] {1, 2, 9, 3, 4, 9, 9, 9, 9}, 3, 3);
            assertArrayEquals(new long[] {0, 2, 4, 4}, z.scatterAdd(0, rows, big).toLongArray());

            // A float src into an int tensor is converted to the tensor's type.
            Tensor counts = Tensor.zeros(DType.INT32, 2).scatterAdd(0, Tensor.fromArray(new int[] {1, 1, 1}, 3), Tensor.ones(3));
            assertEquals(DType.INT32, counts.dtype());
            assertArrayEquals(new int[] {0, 3}, counts.toIntArray());
        }
    }

    @Test
    void indexSelectPicksWholeSlices() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.arange(0, 12, 1, DType.FLOAT32).reshape(3, 4);
            Tensor rows = x.indexSelect(0, Tensor.fromArray(new long[] {2, 0, 2}, 3));
            assertEquals(Shape.of(3, 4), rows.shape());
            assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, rows.toFloatArray());
            Tensor cols = x.indexSelect(1, Tensor.fromArray(new int[] {3, 1}, 2));
            assertEquals(Shape.of(3, 2), cols.shape());
            assertArrayEquals(new float[] {3, 1, 7, 5, 11, 9}, cols.toFloatArray());
            Tensor none = x.indexSelect(-1, Tensor.zeros(DType.INT64, 0));
            assertEquals(Shape.of(3, 0), none.shape());
            // An embedding lookup: rows of a table by token id.
            Tensor table = Tensor.arange(0, 10, 1, DType.FLOAT64).reshape(5, 2);
            assertArrayEquals(new double[] {8, 9, 2, 3}, table.indexSelect(0, Tensor.fromArray(new long[] {4, 1}, 2)).toDoubleArray());
        }
    }

    @Test
    void indexSelectOfAViewAndOfAMiddleAxisMatchesGather() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.arange(0, 24, 1, DType.FLOAT32).reshape(2, 3, 4);
            Tensor index = Tensor.fromArray(new int[] {2, 2, 0}, 3);
            Tensor wide = index.reshape(1, 3, 1).expand(2, 3, 4);
            // Contiguous input: the bulk slice copies.
            assertArrayEquals(x.gather(1, wide).toFloatArray(), x.indexSelect(1, index).toFloatArray());
            // A transposed (non-contiguous) input: the element-wise gather.
            Tensor t = x.transpose(0, 2);                                 // [4, 3, 2]
            assertFalse(t.isContiguous());
            Tensor expected = t.contiguous().indexSelect(1, index);
            assertArrayEquals(expected.toFloatArray(), t.indexSelect(1, index).toFloatArray());
            assertArrayEquals(new int[] {4, 3, 2}, t.indexSelect(1, index).dims());
        }
    }

    @Test
    void indexSelectRefusesAnIndexOutOfRange() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.zeros(3, 4);
            var e = assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.fromArray(new long[] {1, 3}, 2)));
            assertTrue(e.getMessage().contains("indexSelect: index 3 is out of range for axis 0 of size 3"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(1, Tensor.fromArray(new long[] {-1}, 1)));
        }
    }

    @Test
    void oneHotEncodesLabels() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor labels = Tensor.fromArray(new long[] {0, 2, 1}, 3);
            Tensor hot = Tensor.oneHot(labels, 3);
            assertEquals(DType.INT64, hot.dtype());
            assertEquals(Shape.of(3, 3), hot.shape());
            assertArrayEquals(new long[] {1, 0, 0, 0, 0, 1, 0, 1, 0}, hot.toLongArray());
            Tensor grid = Tensor.oneHot(Tensor.fromArray(new int[] {3, 0, 1, 3}, 2, 2), 4);
            assertEquals(Shape.of(2, 2, 4), grid.shape());
            assertArrayEquals(new long[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, grid.toLongArray());
            assertEquals(Shape.of(0, 5), Tensor.oneHot(Tensor.zeros(DType.INT64, 0), 5).shape());
        }
    }

    @Test
    void outOfRangeIndicesNameTheIndexAndTheValidRange() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Check.assertThrowsWith(IndexOutOfBoundsException.class,
                    () -> x.gather(1, Tensor.fromArray(new long[] {0, 3}, 1, 2)), "gather", "index 3", "[0, 2]");
            Check.assertThrowsWith(IndexOutOfBoundsException.class,
                    () -> x.gather(0, Tensor.fromArray(new long[] {-1}, 1, 1)), "gather", "index -1", "[0, 1]");
            Check.assertThrowsWith(IndexOutOfBoundsException.class,
                    () -> Tensor.zeros(3).scatterAdd(0, Tensor.fromArray(new long[] {0, 7}, 2), Tensor.ones(2)),
                    "scatterAdd", "index 7", "[0, 2]");
            Check.assertThrowsWith(IndexOutOfBoundsException.class,
                    () -> x.indexSelect(0, Tensor.fromArray(new long[] {1, 2}, 2)), "index 2", "[0, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class,
                    () -> Tensor.oneHot(Tensor.fromArray(new long[] {0, 5}, 2), 3), "oneHot", "label 5", "[0, 2]");
            Check.assertThrowsWith(IllegalArgumentException.class,
                    () -> Tensor.oneHot(Tensor.fromArray(new long[] {-2, 1}, 2), 3), "oneHot", "label -2");
            Check.assertThrowsWith(IllegalArgumentException.class,
                    () -> x.gather(0, Tensor.fromArray(new float[] {0}, 1, 1)), "gather", "int32 or int64", "float32");
            Check.assertThrowsWith(IllegalArgumentException.class,
                    () -> x.gather(0, Tensor.fromArray(new long[] {0}, 1)), "gather", "same rank", "[1]", "[2, 3]");
            Check.assertThrowsWith(IllegalArgumentException.class,
                    () -> x.gather(0, Tensor.zeros(DType.INT64, 1, 4)), "gather", "[1, 4]", "[2, 3]", "axis 1");
        }
    }

    @Test
    void aFailedIndexOperationLeavesNoMemoryBehind() throws InterruptedException {
        try (Tensor x = Tensor.zeros(64, 64); Tensor bad = Tensor.fromArray(new long[] {0, 99}, 1, 2);
             Tensor vector = Tensor.zeros(64); Tensor badFlat = Tensor.fromArray(new long[] {99}, 1);
             Tensor src = Tensor.ones(1)) {
            long before = NativeMemory.settledLiveBytes();
            for (int i = 0; i < 10; i++) {
                try {
                    x.gather(1, bad);
                } catch (IndexOutOfBoundsException expected) {
                    // the output allocated for the result must be released
                }
                try {
                    vector.scatterAdd(0, badFlat, src);
                } catch (IndexOutOfBoundsException expected) {
                    // likewise the copy scatterAdd writes into
                }
            }
            assertEquals(before, NativeMemory.liveBytes(), "a failed gather or scatterAdd leaked its output");
        }
    }
}

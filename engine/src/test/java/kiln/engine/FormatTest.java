package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** toString: PyTorch's layout (nested brackets, aligned columns, summaries of large tensors). */
class FormatTest {

    @Test
    void scalar() {
        try (MemoryScope s = MemoryScope.open()) {
            assertEquals("tensor(3.5000, dtype=float32)", Tensor.scalar(3.5).toString());
            assertEquals("tensor(-7, dtype=int64)", Tensor.scalar(-7, DType.INT64).toString());
            assertEquals("tensor(true, dtype=bool)", Tensor.scalar(1, DType.BOOL).toString());
        }
    }

    @Test
    void vectorColumnsAreAligned() {
        try (MemoryScope s = MemoryScope.open()) {
            assertEquals("tensor([ 1.0000, -2.5000,  3.0000], dtype=float32)",
                    Tensor.fromArray(new float[] {1, -2.5f, 3}, 3).toString());
            assertEquals("tensor([0.1000, 0.2000], dtype=float64)", Tensor.fromArray(new double[] {0.1, 0.2}, 2).toString());
            assertEquals("tensor([], dtype=float32)", Tensor.zeros(0).toString());
        }
    }

    @Test
    void matrixRowsLineUpUnderTheFirst() {
        try (MemoryScope s = MemoryScope.open()) {
            assertEquals("""
                    tensor([[ 0.5000, -1.2500],
                            [ 3.0000,  4.0000]], dtype=float32)""",
                    Tensor.fromArray(new float[] {0.5f, -1.25f, 3, 4}, 2, 2).toString());
            // A transposed view prints its logical (not storage) order.
            assertEquals("""
                    tensor([[1, 3],
                            [2, 4]], dtype=int32)""",
                    Tensor.fromArray(new int[] {1, 2, 3, 4}, 2, 2).t().toString());
        }
    }

    @Test
    void rankThreeSeparatesBlocksWithABlankLine() {
        try (MemoryScope s = MemoryScope.open()) {
            assertEquals("""
                    tensor([[[ 0,  1,  2],
                             [ 3,  4,  5]],

                            [[ 6,  7,  8],
                             [ 9, 10, 11]]], dtype=int64)""",
                    Tensor.arange(12).reshape(2, 2, 3).toString());
        }
    }

    @Test
    void boolAndIntegers() {
        try (MemoryScope s = MemoryScope.open()) {
            assertEquals("tensor([ true, false,  true], dtype=bool)", Tensor.fromArray(new boolean[] {true, false, true}, 3).toString());
            assertEquals("tensor([  1, -20, 300], dtype=int64)", Tensor.fromArray(new long[] {1, -20, 300}, 3).toString());
            assertEquals("tensor([    9007199254740993, -9223372036854775807], dtype=int64)",
                    Tensor.fromArray(new long[] {(1L << 53) + 1, -Long.MAX_VALUE}, 2).toString(),
                    "int64 values print exactly, not rounded through double");
        }
    }

    @Test
    void nanAndInfinities() {
        try (MemoryScope s = MemoryScope.open()) {
            assertEquals("tensor([   nan,    inf,   -inf, 1.0000], dtype=float32)",
                    Tensor.fromArray(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1}, 4).toString());
        }
    }

    @Test
    void verySmallOrLargeMagnitudesUseScientificNotation() {
        try (MemoryScope s = MemoryScope.open()) {
            assertEquals("tensor([1.0000e-05, 1.0000e+00], dtype=float64)", Tensor.fromArray(new double[] {1e-5, 1}, 2).toString());
            assertEquals("tensor([1.0000e+09], dtype=float32)", Tensor.fromArray(new float[] {1e9f}, 1).toString());
        }
    }

    @Test
    void largeTensorsAreSummarizedWithTheirShape() {
        try (MemoryScope s = MemoryScope.open()) {
            String text = Tensor.arange(0, 2000, 1, DType.FLOAT32).toString();
            assertEquals("tensor([   0.0000,    1.0000,    2.0000, ..., 1997.0000, 1998.0000, 1999.0000],"
                    + " dtype=float32, shape=[2000])", text);

            String matrix = Tensor.arange(0, 2000, 1, DType.INT32).reshape(40, 50).toString();
            assertEquals("""
                    tensor([[   0,    1,    2, ...,   47,   48,   49],
                            [  50,   51,   52, ...,   97,   98,   99],
                            [ 100,  101,  102, ...,  147,  148,  149],
                            ...,
                            [1850, 1851, 1852, ..., 1897, 1898, 1899],
                            [1900, 1901, 1902, ..., 1947, 1948, 1949],
                            [1950, 1951, 1952, ..., 1997, 1998, 1999]], dtype=int32, shape=[40, 50])""", matrix);

            // 1000 elements are printed whole; 1001 are summarized.
            assertFalse(Tensor.zeros(1000).toString().contains("..."));
            assertTrue(Tensor.zeros(1001).toString().contains("..."));
            assertTrue(Tensor.zeros(1001).toString().endsWith("shape=[1001])"));
        }
    }

    @Test
    void summarizedRankThreeKeepsBlankLinesAroundTheEllipsis() {
        try (MemoryScope s = MemoryScope.open()) {
            String text = Tensor.arange(0, 8 * 2 * 70, 1, DType.INT32).reshape(8, 2, 70).toString();
            String[] lines = text.split("\n", -1);
            int ellipsis = -1;
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].trim().equals("...,")) {
                    ellipsis = i;
                }
            }
            assertTrue(ellipsis > 0, text);
            assertEquals("", lines[ellipsis - 1], "a blank line before the \"...\" between blocks:\n" + text);
            assertEquals("", lines[ellipsis + 1], "a blank line after it:\n" + text);
            assertTrue(text.endsWith("dtype=int32, shape=[8, 2, 70])"));
        }
    }

    @Test
    void closedTensorsSaySo() {
        Tensor t = Tensor.ones(2).named("w");
        t.close();
        assertEquals("tensor(<closed> 'w' float32[2])", t.toString());
    }
}

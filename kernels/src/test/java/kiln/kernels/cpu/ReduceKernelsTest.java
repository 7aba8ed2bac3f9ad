package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static kiln.kernels.cpu.UnaryKernelsTest.IN_OFF;
import static kiln.kernels.cpu.UnaryKernelsTest.LANES;
import static kiln.kernels.cpu.UnaryKernelsTest.OUT_OFF;
import static kiln.kernels.cpu.UnaryKernelsTest.SENTINEL;
import static kiln.kernels.cpu.UnaryKernelsTest.assertUntouchedOutside;
import static kiln.kernels.cpu.UnaryKernelsTest.filled;
import static kiln.kernels.cpu.UnaryKernelsTest.floats;
import static kiln.kernels.cpu.UnaryKernelsTest.random;
import static kiln.kernels.cpu.UnaryKernelsTest.read;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static kiln.kernels.cpu.UnaryKernelsTest.withThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reductions over a run and over rows: SIMD against the reference, hand values, edge cases, determinism. */
class ReduceKernelsTest {

    private static final double U = 0x1p-24; // unit roundoff of float

    /** Sizes of a run: those of every kernel test plus several blocks and a ragged last block. */
    static IntStream sizes() {
        return IntStream.concat(UnaryKernelsTest.sizes(), IntStream.of(3 * ReduceKernels.BLOCK + 17));
    }

    /**
     * Bound on |SIMD − reference| for a float-accumulated sum of terms t: each of the 2·lanes chains
     * of a block adds at most BLOCK/(2·lanes) terms, so the error is ≤ (that + 4)·u·Σ|t| (the
     * reference, in double, is exact by comparison).
     */
    private static double sumBound(int n, double absSum) {
        return (Math.min(n, ReduceKernels.BLOCK) / (2.0 * LANES) + 4) * U * absSum;
    }

    private static double absSum(MemorySegment s, long off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.abs(s.getAtIndex(JAVA_FLOAT, off + i));
        }
        return sum;
    }

    // ---------------------------------------------------------------------------------------- sum

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("sizes")
    void sumSimdMatchesScalar(int n) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, n, n, -1f, 3f);
            double scalar = withSimd(false, () -> ReduceKernels.sum(in, IN_OFF, n));
            double simd = withSimd(true, () -> ReduceKernels.sum(in, IN_OFF, n));
            assertEquals(scalar, simd, sumBound(n, absSum(in, IN_OFF, n)), "n=" + n);
            double plain = 0; // the reference is a plain double sum (up to the block order of additions)
            for (int i = 0; i < n; i++) {
                plain += in.getAtIndex(JAVA_FLOAT, IN_OFF + i);
            }
            assertEquals(plain, scalar, 1e-12 * Math.max(1, absSum(in, IN_OFF, n)));
        }
    }

    /** The two-run kernel gives each block the bits {@link ReduceKernels#sumSimd} gives it alone. */
    @Test
    void twoBlocksAtOnceSumEachAsAlone() {
        int n = 2 * ReduceKernels.BLOCK + 5;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, n, n, -1f, 3f);
            for (long off : new long[] {IN_OFF, IN_OFF + 5}) {
                double[] sums = new double[3];
                ReduceKernels.sumTwoRunsSimd(in, off, ReduceKernels.BLOCK, sums, 1);
                assertEquals(0.0, sums[0], "only sums[at] and sums[at + 1] are written");
                assertEquals(ReduceKernels.sumSimd(in, off, ReduceKernels.BLOCK), sums[1], "off = " + off);
                assertEquals(ReduceKernels.sumSimd(in, off + ReduceKernels.BLOCK, ReduceKernels.BLOCK), sums[2], "off = " + off);
            }
        }
    }

    /** Whole sums of 1 to 5 blocks, full or ragged: the block sums added in block order, with or without pairing. */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {2 * (1 << 15), 2 * (1 << 15) + 1, 3 * (1 << 15), 3 * (1 << 15) + 9, 4 * (1 << 15) - 1, 5 * (1 << 15) + 16})
    void sumIsTheBlockSumsInBlockOrder(int n) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, n, n, -1f, 3f);
            double expected = 0;
            for (int from = 0; from < n; from += ReduceKernels.BLOCK) {
                double block = ReduceKernels.sumSimd(in, IN_OFF + from, Math.min(ReduceKernels.BLOCK, n - from));
                expected = from == 0 ? block : expected + block;
            }
            double simd = withSimd(true, () -> ReduceKernels.sum(in, IN_OFF, n));
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(simd), expected + " vs " + simd);
        }
    }

    @Test
    void sumOfOneToAHundredIs5050() {
        float[] x = new float[100];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = floats(arena, x);
            assertEquals(5050.0, withSimd(false, () -> ReduceKernels.sum(in, 0, 100)));
            assertEquals(5050.0, withSimd(true, () -> ReduceKernels.sum(in, 0, 100)));
            assertEquals(0.0, ReduceKernels.sum(in, 0, 0), "empty sum");
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {100_003, (1 << 20) + 7})
    void sumIsBitIdenticalForOneAndTwoThreads(int n) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, n, n, -1f, 1f);
            for (boolean simd : new boolean[] {false, true}) {
                double one = withSimd(simd, () -> withThreads(1, () -> ReduceKernels.sum(in, IN_OFF, n)));
                double two = withSimd(simd, () -> withThreads(2, () -> ReduceKernels.sum(in, IN_OFF, n)));
                assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(two), "simd=" + simd + ": " + one + " vs " + two);
            }
        }
    }

    // ------------------------------------------------------------------------------- max and min

    /** Exact: max and min lanes follow Math.max and min. A NaN at the start, in a vector, in the tail, or absent. */
    @ParameterizedTest(name = "n = {0}")
    @MethodSource("sizes")
    void maxAndMinSimdMatchScalarAndPropagateNaN(int n) {
        if (n == 0) {
            return;
        }
        for (int nanAt : new int[] {-1, 0, n / 2, n - 1}) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = random(arena, IN_OFF, n, n, -5f, 5f);
                if (nanAt >= 0) {
                    in.setAtIndex(JAVA_FLOAT, IN_OFF + nanAt, Float.NaN);
                }
                float expectedMax = Float.NEGATIVE_INFINITY;
                float expectedMin = Float.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    expectedMax = Math.max(expectedMax, in.getAtIndex(JAVA_FLOAT, IN_OFF + i));
                    expectedMin = Math.min(expectedMin, in.getAtIndex(JAVA_FLOAT, IN_OFF + i));
                }
                for (boolean simd : new boolean[] {false, true}) {
                    String what = "n=" + n + " NaN at " + nanAt + " simd=" + simd;
                    assertEquals(expectedMax, withSimd(simd, () -> ReduceKernels.max(in, IN_OFF, n)), what);
                    assertEquals(expectedMin, withSimd(simd, () -> ReduceKernels.min(in, IN_OFF, n)), what);
                }
            }
        }
    }

    @Test
    void extremesOfNothingThrowNamingTheOp() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = floats(arena, 1f);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ReduceKernels.max(in, 0, 0)).getMessage().contains("max"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ReduceKernels.min(in, 0, 0)).getMessage().contains("min"));
            assertThrows(IllegalArgumentException.class, () -> ReduceKernels.argmax(in, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> ReduceKernels.argmin(in, 0, 0));
            MemorySegment out = floats(arena, 0f, 0f);
            assertThrows(IllegalArgumentException.class, () -> ReduceKernels.reduceRows(ReduceOp.MAX, out, 0, in, 0, 2, 0, 1));
        }
    }

    // --------------------------------------------------------------------------- argmax and argmin

    /** Small integers, so the extreme repeats and the first one must win; NaN counts as the extreme. */
    @ParameterizedTest(name = "n = {0}")
    @MethodSource("sizes")
    void argExtremesFindTheFirstExtreme(int n) {
        if (n == 0) {
            return;
        }
        for (boolean withNaN : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = filled(arena, IN_OFF + n, 0f);
                SplittableRandom random = new SplittableRandom(n);
                for (int i = 0; i < n; i++) {
                    in.setAtIndex(JAVA_FLOAT, IN_OFF + i, random.nextInt(-3, 4));
                }
                if (withNaN) {
                    in.setAtIndex(JAVA_FLOAT, IN_OFF + n - 1 - n / 3, Float.NaN);
                }
                int firstMax = 0;
                int firstMin = 0;
                for (int i = 0; i < n; i++) { // one pass, torch's rule: strictly better, or the first NaN
                    float x = in.getAtIndex(JAVA_FLOAT, IN_OFF + i);
                    float max = in.getAtIndex(JAVA_FLOAT, IN_OFF + firstMax);
                    float min = in.getAtIndex(JAVA_FLOAT, IN_OFF + firstMin);
                    if (!Float.isNaN(max) && (x > max || Float.isNaN(x))) {
                        firstMax = i;
                    }
                    if (!Float.isNaN(min) && (x < min || Float.isNaN(x))) {
                        firstMin = i;
                    }
                }
                for (boolean simd : new boolean[] {false, true}) {
                    String what = "n=" + n + " NaN=" + withNaN + " simd=" + simd;
                    assertEquals(firstMax, withSimd(simd, () -> ReduceKernels.argmax(in, IN_OFF, n)), what);
                    assertEquals(firstMin, withSimd(simd, () -> ReduceKernels.argmin(in, IN_OFF, n)), what);
                }
            }
        }
    }

    @Test
    void argmaxTreatsMinusZeroAsEqualToZero() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = floats(arena, -1f, -0f, 0f, -2f);
            assertEquals(1, ReduceKernels.argmax(in, 0, 4));
            assertEquals(3, ReduceKernels.argmin(in, 0, 4));
        }
    }

    // ------------------------------------------------------------------------ variance and logSumExp

    @ParameterizedTest(name = "n = {0}")
    @MethodSource("sizes")
    void sumSquaredDeviationsSimdMatchesScalar(int n) {
        try (Arena arena = Arena.ofShared()) {
            // An offset mean: E[x²] − E[x]² would lose most digits here, two passes do not.
            MemorySegment in = random(arena, IN_OFF, n, n, 999f, 1001f);
            double mean = ReduceKernels.sum(in, IN_OFF, n) / Math.max(1, n);
            double scalar = withSimd(false, () -> ReduceKernels.sumSquaredDeviations(in, IN_OFF, n, mean));
            double simd = withSimd(true, () -> ReduceKernels.sumSquaredDeviations(in, IN_OFF, n, mean));
            // Each term (x − m)² is within 3u of exact in float (m rounded to float costs n·δ², negligible here).
            assertEquals(scalar, simd, sumBound(n, scalar) + 3 * U * scalar + 1e-9, "n=" + n);
        }
    }

    @Test
    void varianceAndStdOfOneToFour() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = floats(arena, 1f, 2f, 3f, 4f);
            MemorySegment out = filled(arena, OUT_OFF + 8, SENTINEL);
            for (boolean simd : new boolean[] {false, true}) {
                assertEquals(1.6666666f, rowsOf(simd, ReduceOp.VAR, out, in, 0, 1, 4, 1)[0], "unbiased variance");
                assertEquals(1.25f, rowsOf(simd, ReduceOp.VAR, out, in, 0, 1, 4, 0)[0], "population variance");
                assertEquals(1.2909944f, rowsOf(simd, ReduceOp.STD, out, in, 0, 1, 4, 1)[0], "unbiased std");
                assertEquals(2.5f, rowsOf(simd, ReduceOp.MEAN, out, in, 0, 1, 4, 1)[0], "mean");
                assertTrue(Float.isNaN(rowsOf(simd, ReduceOp.VAR, out, in, 0, 1, 1, 1)[0]), "unbiased variance of one value is NaN (0/0)");
                assertEquals(0f, rowsOf(simd, ReduceOp.VAR, out, in, 0, 1, 1, 0)[0], "population variance of one value");
            }
        }
    }

    /** Bound: the SIMD sum of e^(x − m) is within sumBound (+ exp's 2 ulp per term; measured 1) relatively, so log of it absolutely. */
    @ParameterizedTest(name = "n = {0}")
    @MethodSource("sizes")
    void logSumExpSimdMatchesScalar(int n) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, n, n, -20f, 20f);
            double scalar = withSimd(false, () -> ReduceKernels.logSumExp(in, IN_OFF, n));
            double simd = withSimd(true, () -> ReduceKernels.logSumExp(in, IN_OFF, n));
            if (n == 0) {
                assertEquals(Double.NEGATIVE_INFINITY, scalar);
                assertEquals(Double.NEGATIVE_INFINITY, simd);
                return;
            }
            assertEquals(scalar, simd, sumBound(n, 1) + 4 * U, "n=" + n);
            double exact = 0; // against float64 math, unshifted (safe for |x| ≤ 20)
            for (int i = 0; i < n; i++) {
                exact += Math.exp(in.getAtIndex(JAVA_FLOAT, IN_OFF + i));
            }
            assertEquals(Math.log(exact), scalar, 1e-12 * Math.abs(Math.log(exact)) + 1e-12);
        }
    }

    @Test
    void logSumExpEdgeValues() {
        try (Arena arena = Arena.ofShared()) {
            float inf = Float.POSITIVE_INFINITY;
            for (boolean simd : new boolean[] {false, true}) {
                MemorySegment big = floats(arena, 1000f, 1001f);
                assertEquals(1001.3132616875182, withSimd(simd, () -> ReduceKernels.logSumExp(big, 0, 2)), 1e-4, "no overflow");
                float[] minusInf = new float[2 * LANES + 1];
                java.util.Arrays.fill(minusInf, -inf);
                MemorySegment none = floats(arena, minusInf);
                assertEquals(Double.NEGATIVE_INFINITY, withSimd(simd, () -> ReduceKernels.logSumExp(none, 0, minusInf.length)), "all −∞");
                MemorySegment withInf = floats(arena, 1f, inf, 2f);
                assertEquals(Double.POSITIVE_INFINITY, withSimd(simd, () -> ReduceKernels.logSumExp(withInf, 0, 3)));
                MemorySegment withNaN = floats(arena, 1f, Float.NaN, 2f);
                assertTrue(Double.isNaN(withSimd(simd, () -> ReduceKernels.logSumExp(withNaN, 0, 3))));
                MemorySegment oneTwoThree = floats(arena, 1f, 2f, 3f);
                assertEquals(3.40760596444438, withSimd(simd, () -> ReduceKernels.logSumExp(oneTwoThree, 0, 3)), 1e-6);
            }
        }
    }

    // ------------------------------------------------------------------------------------- rows

    /** (rows, len): empty shapes, one element, lane edges, primes, a row longer than a block, many short rows. */
    private static Stream<int[]> shapeList() {
        return Stream.of(new int[] {0, 5}, new int[] {1, 1}, new int[] {4, LANES - 1}, new int[] {5, 37},
                new int[] {7, 1009}, new int[] {2, 100_003}, new int[] {3000, 3}, new int[] {3, 0});
    }

    /** Every op with every shape, except MAX and MIN of empty rows (they throw, tested apart). */
    static Stream<Arguments> shapes() {
        return Stream.of(ReduceOp.values()).flatMap(op -> shapeList()
                .filter(s -> s[1] > 0 || s[0] == 0 || op != ReduceOp.MAX && op != ReduceOp.MIN)
                .map(s -> Arguments.of(op, s[0], s[1])));
    }

    static Stream<Arguments> nonEmptyShapes() {
        return shapeList().filter(s -> s[1] > 0).map(s -> Arguments.of(s[0], s[1]));
    }

    /** reduceRows equals the single-run functions applied row by row, on both paths, exactly. */
    @ParameterizedTest(name = "{0}, {1} x {2}")
    @MethodSource("shapes")
    void reduceRowsEqualsPerRowReductions(ReduceOp op, int rows, int len) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, rows * len, rows, -2f, 2f);
            MemorySegment out = filled(arena, OUT_OFF + rows + 8, SENTINEL);
            for (boolean simd : new boolean[] {false, true}) {
                float[] actual = rowsOf(simd, op, out, in, IN_OFF, rows, len, 1);
                assertUntouchedOutside(out, OUT_OFF, rows);
                for (int r = 0; r < rows; r++) {
                    long row = IN_OFF + (long) r * len;
                    double sum = withSimd(simd, () -> ReduceKernels.sum(in, row, len));
                    double var = withSimd(simd, () -> ReduceKernels.sumSquaredDeviations(in, row, len, sum / len)) / Math.max(0, len - 1);
                    double expected = switch (op) {
                        case SUM -> sum;
                        case MEAN -> sum / len;
                        case MAX -> withSimd(simd, () -> ReduceKernels.max(in, row, len));
                        case MIN -> withSimd(simd, () -> ReduceKernels.min(in, row, len));
                        case VAR -> var;
                        case STD -> Math.sqrt(var);
                        case LOG_SUM_EXP -> withSimd(simd, () -> ReduceKernels.logSumExp(in, row, len));
                    };
                    assertEquals((float) expected, actual[r], op + " row " + r + " simd=" + simd);
                }
            }
        }
    }

    /** SUM, MEAN, VAR, MAX and LOG_SUM_EXP bit for bit (VectorMath.exp gives the same bits compiled or not). */
    @ParameterizedTest
    @EnumSource(value = ReduceOp.class, names = {"SUM", "MEAN", "VAR", "MAX", "LOG_SUM_EXP"})
    void reduceRowsIsBitIdenticalForOneAndTwoThreads(ReduceOp op) {
        int[][] shapes = {{64, 100_003}, {5000, 37}, {1, 1 << 20}};
        for (int[] shape : shapes) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = random(arena, IN_OFF, shape[0] * shape[1], 9, -2f, 2f);
                MemorySegment out = filled(arena, OUT_OFF + shape[0] + 8, SENTINEL);
                for (boolean simd : new boolean[] {false, true}) {
                    float[] one = withThreads(1, () -> rowsOf(simd, op, out, in, IN_OFF, shape[0], shape[1], 1));
                    float[] two = withThreads(2, () -> rowsOf(simd, op, out, in, IN_OFF, shape[0], shape[1], 1));
                    assertArrayEquals(one, two, op + " " + shape[0] + "x" + shape[1] + " simd=" + simd);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("nonEmptyShapes")
    void argRowsEqualsPerRowArgExtremes(int rows, int len) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, rows * len, rows, -2f, 2f);
            MemorySegment out = arena.allocate(4L * (OUT_OFF + rows), 64);
            for (boolean max : new boolean[] {false, true}) {
                for (boolean simd : new boolean[] {false, true}) {
                    withSimd(simd, () -> ReduceKernels.argRows(max, out, OUT_OFF, in, IN_OFF, rows, len));
                    for (int r = 0; r < rows; r++) {
                        long row = IN_OFF + (long) r * len;
                        int expected = max ? ReduceKernels.argmax(in, row, len) : ReduceKernels.argmin(in, row, len);
                        assertEquals(expected, out.getAtIndex(JAVA_INT, OUT_OFF + r), "row " + r + " max=" + max + " simd=" + simd);
                    }
                }
            }
        }
    }

    @Test
    void emptyRowsFollowTorch() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = floats(arena, 1f);
            MemorySegment out = filled(arena, OUT_OFF + 8, SENTINEL);
            assertArrayEquals(new float[] {0f, 0f}, rowsOf(true, ReduceOp.SUM, out, in, 0, 2, 0, 1), "sum of nothing");
            assertTrue(Float.isNaN(rowsOf(true, ReduceOp.MEAN, out, in, 0, 2, 0, 1)[0]), "mean of nothing");
            assertEquals(Float.NEGATIVE_INFINITY, rowsOf(true, ReduceOp.LOG_SUM_EXP, out, in, 0, 2, 0, 1)[0]);
        }
    }

    // -------------------------------------------------------------------------------- column sums

    static Stream<Arguments> columnShapes() {
        int[] rows = {0, 1, 2, 7, 128, ReduceKernels.COLUMN_BLOCK + 3};
        int[] cols = {0, 1, LANES - 1, LANES + 1, 37, ReduceKernels.COLUMN_TILE + LANES + 5, 256};
        return IntStream.of(rows).boxed().flatMap(r -> IntStream.of(cols).mapToObj(c -> Arguments.of(r, c)));
    }

    @ParameterizedTest
    @MethodSource("columnShapes")
    void sumColumnsSimdMatchesTheReferenceBitForBitOnAnyThreadCount(int rows, int cols) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, rows * cols, 31L * rows + cols, -3f, 5f);
            float[] expected = columnSums(false, 1, in, rows, cols);
            // the reference: each column's rows in order, in float per block, blocks in double
            for (int j = 0; j < cols; j++) {
                double total = 0;
                for (int r0 = 0; r0 < rows; r0 += ReduceKernels.COLUMN_BLOCK) {
                    float partial = 0;
                    for (int r = r0; r < Math.min(rows, r0 + ReduceKernels.COLUMN_BLOCK); r++) {
                        partial += in.getAtIndex(JAVA_FLOAT, IN_OFF + (long) r * cols + j);
                    }
                    total += partial;
                }
                assertEquals((float) total, expected[j], "column " + j);
            }
            for (int threads : new int[] {1, 2, 3}) {
                assertArrayEquals(expected, columnSums(true, threads, in, rows, cols), "simd, " + threads + " threads");
            }
        }
    }

    @Test
    void sumColumnsLeavesTheRestOfOutAlone() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = floats(arena, 1, 2, 3, 4, 5, 6);
            MemorySegment out = filled(arena, OUT_OFF + 3 + 8, SENTINEL);
            ReduceKernels.sumColumns(out, OUT_OFF, in, 0, 2, 3);
            assertArrayEquals(new float[] {5, 7, 9}, read(out, OUT_OFF, 3));
            assertUntouchedOutside(out, OUT_OFF, 3);
            assertThrows(IllegalArgumentException.class, () -> ReduceKernels.sumColumns(out, 0, in, 0, -1, 3));
        }
    }

    private static float[] columnSums(boolean simd, int threads, MemorySegment in, int rows, int cols) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment out = filled(arena, OUT_OFF + cols + 8, SENTINEL);
            withThreads(threads, () -> {
                withSimd(simd, () -> ReduceKernels.sumColumns(out, OUT_OFF, in, IN_OFF, rows, cols));
                return null;
            });
            assertUntouchedOutside(out, OUT_OFF, cols);
            return read(out, OUT_OFF, cols);
        }
    }

    /** Runs reduceRows into out[OUT_OFF, OUT_OFF + rows) and returns those values. */
    private static float[] rowsOf(boolean simd, ReduceOp op, MemorySegment out, MemorySegment in, long inOff,
                                  int rows, int len, int correction) {
        withSimd(simd, () -> ReduceKernels.reduceRows(op, out, OUT_OFF, in, inOff, rows, len, correction));
        return read(out, OUT_OFF, rows);
    }
}

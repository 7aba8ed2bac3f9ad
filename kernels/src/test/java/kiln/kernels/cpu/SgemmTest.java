package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sgemm: the fast path against the scalar reference and against float64 arithmetic, on awkward sizes,
 * strides, offsets and both accumulate modes; bit-identical results for 1 and 2 threads.
 *
 * <p>Tolerance. Summing K products in float with unit roundoff u = eps/2 = 2<sup>-24</sup> gives an
 * error of at most γ<sub>K</sub>·Σ_p |a<sub>ip</sub>|·|b<sub>pj</sub>|, γ<sub>K</sub> = K·u/(1 − K·u)
 * (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), whatever the order of the sum and
 * whether products are fused. Adding the old C (accumulate) and the fast path's extra additions of
 * partial sums per K block each add one rounding, at most u·|C|. Two such results, each within that
 * bound of the exact value, differ by at most twice it; with K·u far below 1, γ<sub>K</sub> ≤ 2·K·u =
 * K·eps, so |fast − reference| ≤ 2·(K + 2)·eps·(Σ_p |a||b| + |C<sub>old</sub>|), and a result against
 * exact (float64) arithmetic is within half of that.
 */
class SgemmTest {
    private static final float EPS = Math.ulp(1f);
    private static final float SENTINEL = -7777f;

    /** An operand in a segment: element (r, c) at off + r·rowStride + c·colStride, with sentinel padding around. */
    record Matrix(MemorySegment seg, long off, long rowStride, long colStride, int rows, int cols) {
        float get(int r, int c) {
            return seg.getAtIndex(JAVA_FLOAT, off + r * rowStride + c * colStride);
        }

        void set(int r, int c, float v) {
            seg.setAtIndex(JAVA_FLOAT, off + r * rowStride + c * colStride, v);
        }

        /** A rows×cols matrix stored row-major, or transposed (column-major), at offset off, with random values. */
        static Matrix random(Arena arena, int rows, int cols, boolean transposed, long off, SplittableRandom rng) {
            long rowStride = transposed ? 1 : cols, colStride = transposed ? rows : 1;
            MemorySegment seg = arena.allocate((off + (long) rows * cols + 5) * Float.BYTES, 64);
            seg.fill((byte) 0);
            Matrix x = new Matrix(seg, off, rowStride, colStride, rows, cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    x.set(r, c, (float) rng.nextDouble(-1, 1));
                }
            }
            return x;
        }

        /** An output C: rows×cols with row stride ldc ≥ cols, sentinels everywhere else. */
        static Matrix output(Arena arena, int rows, int cols, long ldc, long off, SplittableRandom rng) {
            MemorySegment seg = arena.allocate((off + rows * ldc + 3) * Float.BYTES, 64);
            for (long i = 0; i < seg.byteSize() / Float.BYTES; i++) {
                seg.setAtIndex(JAVA_FLOAT, i, SENTINEL);
            }
            Matrix x = new Matrix(seg, off, ldc, 1, rows, cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    x.set(r, c, (float) rng.nextDouble(-1, 1));
                }
            }
            return x;
        }

        Matrix copy(Arena arena) {
            MemorySegment s = arena.allocate(seg.byteSize(), 64);
            s.copyFrom(seg);
            return new Matrix(s, off, rowStride, colStride, rows, cols);
        }

        float[] all() {
            return seg.toArray(JAVA_FLOAT);
        }
    }

    /** C = A·B (or +=) with the fast path ({@code simd}) or the reference. */
    private static void multiply(boolean simd, Matrix c, Matrix a, Matrix b, boolean accumulate) {
        multiply(simd, c, a, b, accumulate, null, false);
    }

    /** C = relu?((C +) A·B + bias), bias (values from offset 2 of its segment) null for none. */
    private static void multiply(boolean simd, Matrix c, Matrix a, Matrix b, boolean accumulate, MemorySegment bias, boolean relu) {
        boolean was = Simd.enabled();
        Simd.setEnabled(simd);
        try {
            Sgemm.sgemm(c.seg(), c.off(), c.rowStride(), a.seg(), a.off(), a.rowStride(), a.colStride(),
                    b.seg(), b.off(), b.rowStride(), b.colStride(), a.rows(), b.cols(), a.cols(), accumulate, bias, 2, relu);
        } finally {
            Simd.setEnabled(was);
        }
    }

    static Stream<Arguments> shapes() {
        int[][] mnk = {
            {1, 1, 1}, {1, 17, 5}, {7, 1, 9},
            {3, 40, 33}, {4, 45, 33}, {8, 70, 100}, {9, 31, 50},  // the unpacked paths for few rows, and just past them
            {15, 15, 15}, {16, 16, 16}, {17, 17, 17}, {12, 32, 64}, {13, 33, 65},
            {31, 33, 37}, {61, 127, 37}, {127, 61, 200}, {1, 300, 257}, {300, 1, 257},
            {300, 257, 513},       // larger than a task tile (96×128) in M and N
            {37, 45, 2100},        // K split in blocks: 2100 = 700 + 700 + 700
            {24, 64, 40}, {20, 70, 2100},  // B read in place (M ≤ 24, row-major B): whole slivers, an edge one, K in blocks
            {1030, 70, 20},        // M past one A block (MC = 1024)
            {1030, 40, 1100},      // packed, a row-major A read in place: M past one A block, K in two blocks
            {300, 100, 1024},      // packed, a row-major A whose rows, 4 KiB apart, share a cache set: packed all the same
            {0, 5, 7}, {5, 0, 7}, {5, 7, 0}, {0, 0, 0},
        };
        return Stream.of(mnk).flatMap(s -> Stream.of(false, true).flatMap(acc -> Stream.of(
                Arguments.of(s[0], s[1], s[2], acc, false, false),
                Arguments.of(s[0], s[1], s[2], acc, true, false),
                Arguments.of(s[0], s[1], s[2], acc, false, true),
                Arguments.of(s[0], s[1], s[2], acc, true, true))));
    }

    /**
     * Every path (the layouts pick it: Aᵀ and Bᵀ) against the reference, with and without accumulation;
     * half the cases add a bias in the epilogue, so that each layout meets it with and without, and
     * about a quarter (those with a bias and M + K even) apply the ReLU after it.
     */
    @ParameterizedTest(name = "M={0} N={1} K={2} accumulate={3} Aᵀ={4} Bᵀ={5}")
    @MethodSource("shapes")
    void fastPathMatchesReference(int m, int n, int k, boolean accumulate, boolean transposeA, boolean transposeB) {
        SplittableRandom rng = new SplittableRandom(31L * m + 17L * n + k);
        boolean withBias = accumulate ^ transposeA ^ transposeB, relu = withBias && (m + k) % 2 == 0;
        try (Arena arena = Arena.ofShared()) {
            Matrix a = Matrix.random(arena, m, k, transposeA, 3, rng);
            Matrix b = Matrix.random(arena, k, n, transposeB, 5, rng);
            Matrix fast = Matrix.output(arena, m, n, n + 3, 7, rng);  // ldc > n, offset 7
            Matrix ref = fast.copy(arena);
            Matrix old = fast.copy(arena);
            MemorySegment bias = null;
            if (withBias) {
                bias = arena.allocate((n + 2) * Float.BYTES, 64);
                for (int j = 0; j < n + 2; j++) {
                    bias.setAtIndex(JAVA_FLOAT, j, (float) rng.nextDouble(-2, 2));
                }
            }
            multiply(true, fast, a, b, accumulate, bias, relu);
            multiply(false, ref, a, b, accumulate, bias, relu);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double bound = 0;  // Σ_p |a||b| (+ |C_old|) (+ |bias|)
                    for (int p = 0; p < k; p++) {
                        bound += Math.abs(a.get(i, p) * b.get(p, j));
                    }
                    bound += accumulate ? Math.abs(old.get(i, j)) : 0;
                    bound += withBias ? Math.abs(bias.getAtIndex(JAVA_FLOAT, j + 2)) : 0;
                    double tolerance = 2.0 * (k + 2) * EPS * bound;
                    float diff = Math.abs(fast.get(i, j) - ref.get(i, j));
                    if (!(diff <= tolerance)) {
                        fail("C[" + i + "," + j + "]: fast " + fast.get(i, j) + ", reference " + ref.get(i, j) + ", tolerance " + tolerance);
                    }
                }
            }
            assertOnlyCWritten(fast, old);
            if (k == 0) {  // an empty sum is exact: C = 0 (or the bias), or C unchanged (plus the bias)
                assertArrayEquals(ref.all(), fast.all());
            }
        }
    }

    /** Every float of the segment outside the M×N view of C (offset, row padding, tail) is untouched. */
    private static void assertOnlyCWritten(Matrix after, Matrix before) {
        float[] x = after.all(), y = before.all();
        for (int idx = 0; idx < x.length; idx++) {
            long rel = idx - after.off();
            boolean inside = rel >= 0 && rel / after.rowStride() < after.rows() && rel % after.rowStride() < after.cols();
            if (!inside) {
                assertEquals(y[idx], x[idx], "float " + idx + " outside C was written");
            }
        }
    }

    @Test
    void aRowMajorAIsReadInPlaceUnlessItsRowsShareCacheSets() {
        boolean wideKernel = Sgemm.MR == GemmDirect.ROWS_KERNEL;  // 512-bit vectors
        assertEquals(wideKernel, Sgemm.readsARowsInPlace(784, 1), "rows 3136 bytes apart start in 12 different sets");
        assertEquals(wideKernel, Sgemm.readsARowsInPlace(1100, 1));
        assertFalse(Sgemm.readsARowsInPlace(1024, 1), "rows 4 KiB apart: one set");
        assertFalse(Sgemm.readsARowsInPlace(2048, 1));
        assertFalse(Sgemm.readsARowsInPlace(512, 1), "rows 2 KiB apart: two sets");
        assertFalse(Sgemm.readsARowsInPlace(1, 784), "an A by columns is packed");
    }

    /** Both paths against float64 arithmetic: |C − exact| ≤ (K + 2)·eps·Σ_p |a||b|. */
    @Test
    void bothPathsMatchFloat64() {
        int m = 45, n = 70, k = 1500;
        SplittableRandom rng = new SplittableRandom(7);
        try (Arena arena = Arena.ofShared()) {
            Matrix a = Matrix.random(arena, m, k, false, 0, rng);
            Matrix b = Matrix.random(arena, k, n, false, 0, rng);
            for (boolean simd : new boolean[] {true, false}) {
                Matrix c = Matrix.output(arena, m, n, n, 0, rng);
                multiply(simd, c, a, b, false);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double exact = 0, bound = 0;
                        for (int p = 0; p < k; p++) {
                            exact += (double) a.get(i, p) * b.get(p, j);
                            bound += Math.abs((double) a.get(i, p) * b.get(p, j));
                        }
                        assertEquals(exact, c.get(i, j), (k + 2) * EPS * bound, (simd ? "fast" : "reference") + " C[" + i + "," + j + "]");
                    }
                }
            }
        }
    }

    /**
     * Operands strided both ways (every other row and every third column of a larger array) take the
     * packing's gathering loop, for A and for B, which rows or columns side by side never reach.
     */
    @Test
    void packsOperandsStridedBothWays() {
        int m = 50, n = 70, k = 90;
        SplittableRandom rng = new SplittableRandom(11);
        try (Arena arena = Arena.ofShared()) {
            Matrix a = everyOtherRowEveryThirdColumn(arena, m, k, rng), b = everyOtherRowEveryThirdColumn(arena, k, n, rng);
            Matrix fast = Matrix.output(arena, m, n, n, 0, rng), ref = fast.copy(arena);
            multiply(true, fast, a, b, false);
            multiply(false, ref, a, b, false);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double bound = 0;
                    for (int p = 0; p < k; p++) {
                        bound += Math.abs(a.get(i, p) * b.get(p, j));
                    }
                    assertEquals(ref.get(i, j), fast.get(i, j), 2.0 * (k + 2) * EPS * bound, "C[" + i + "," + j + "]");
                }
            }
        }
    }

    private static Matrix everyOtherRowEveryThirdColumn(Arena arena, int rows, int cols, SplittableRandom rng) {
        long rowStride = 2L * 3 * cols;
        MemorySegment seg = arena.allocate(rows * rowStride * Float.BYTES, 64);
        Matrix x = new Matrix(seg, 1, rowStride, 3, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                x.set(r, c, (float) rng.nextDouble(-1, 1));
            }
        }
        return x;
    }

    /** [[1,2,3],[4,5,6]] · [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]; then += the same again. */
    @Test
    void handWorkedExample() {
        for (boolean simd : new boolean[] {true, false}) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment a = arena.allocateFrom(JAVA_FLOAT, 1, 2, 3, 4, 5, 6);
                MemorySegment b = arena.allocateFrom(JAVA_FLOAT, 7, 8, 9, 10, 11, 12);
                MemorySegment c = arena.allocateFrom(JAVA_FLOAT, 99, 99, 99, 99);
                Matrix ma = new Matrix(a, 0, 3, 1, 2, 3), mb = new Matrix(b, 0, 2, 1, 3, 2), mc = new Matrix(c, 0, 2, 1, 2, 2);
                multiply(simd, mc, ma, mb, false);
                assertArrayEquals(new float[] {58, 64, 139, 154}, c.toArray(JAVA_FLOAT), "simd=" + simd);
                multiply(simd, mc, ma, mb, true);
                assertArrayEquals(new float[] {116, 128, 278, 308}, c.toArray(JAVA_FLOAT), "simd=" + simd);
                // Aᵀ as a strided view of the 3×2 array [[1,4],[2,5],[3,6]]: the same product.
                MemorySegment at = arena.allocateFrom(JAVA_FLOAT, 1, 4, 2, 5, 3, 6);
                multiply(simd, mc, new Matrix(at, 0, 1, 2, 2, 3), mb, false);
                assertArrayEquals(new float[] {58, 64, 139, 154}, c.toArray(JAVA_FLOAT), "simd=" + simd + ", Aᵀ view");
            }
        }
    }

    /** The split into blocks and tasks depends on the sizes only, so any thread count gives the same bits. */
    @Test
    void oneAndTwoThreadsAreBitIdentical() {
        int before = Parallel.threads();
        SplittableRandom rng = new SplittableRandom(3);
        try (Arena arena = Arena.ofShared()) {
            // {M, N, K, B transposed}: the packed path (M·N·K above the parallel threshold), the two
            // unpacked ones for few rows (dot products with Bᵀ, row updates with B), then GemmDirect's
            // dot and broadcast kernels (a linear layer's shapes, just past the parallel threshold).
            for (int[] s : new int[][] {{300, 257, 513, 1}, {200, 300, 2100, 0}, {1030, 300, 100, 1}, {8, 1600, 2000, 1}, {3, 4100, 2050, 0},
                    {131, 259, 787, 1}, {131, 259, 787, 0}}) {
                Matrix a = Matrix.random(arena, s[0], s[2], false, 1, rng);
                Matrix b = Matrix.random(arena, s[2], s[1], s[3] == 1, 2, rng);
                Matrix one = Matrix.output(arena, s[0], s[1], s[1] + 1, 3, rng);
                Matrix two = one.copy(arena);
                Parallel.setThreads(1);
                multiply(true, one, a, b, true);
                Parallel.setThreads(2);
                multiply(true, two, a, b, true);
                assertArrayEquals(one.all(), two.all(), "M=" + s[0] + " N=" + s[1] + " K=" + s[2]);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void rejectsBadArguments() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = arena.allocate(16 * Float.BYTES, 64);
            assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(s, 0, 4, s, 0, 4, 1, s, 0, 4, 1, -1, 4, 4, false));
            assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(s, 0, 4, s, 0, -4, 1, s, 0, 4, 1, 4, 4, 4, false));
            assertThrows(IllegalArgumentException.class, () -> Sgemm.sgemm(s, 0, 3, s, 0, 4, 1, s, 0, 4, 1, 4, 4, 4, false));
            // A 4×5 A does not fit in 16 floats.
            assertThrows(IndexOutOfBoundsException.class, () -> Sgemm.sgemm(s, 0, 4, s, 0, 5, 1, s, 0, 4, 1, 4, 4, 5, false));
            assertThrows(IndexOutOfBoundsException.class, () -> Sgemm.sgemmReference(s, 1, 4, s, 0, 4, 1, s, 0, 4, 1, 4, 4, 4, false));
        }
    }
}

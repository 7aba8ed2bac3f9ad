package kiln.kernels.cpu;

import static kiln.kernels.cpu.UnaryKernelsTest.IN_OFF;
import static kiln.kernels.cpu.UnaryKernelsTest.LANES;
import static kiln.kernels.cpu.UnaryKernelsTest.OUT_OFF;
import static kiln.kernels.cpu.UnaryKernelsTest.SENTINEL;
import static kiln.kernels.cpu.UnaryKernelsTest.assertUlps;
import static kiln.kernels.cpu.UnaryKernelsTest.assertUntouchedOutside;
import static kiln.kernels.cpu.UnaryKernelsTest.filled;
import static kiln.kernels.cpu.UnaryKernelsTest.floats;
import static kiln.kernels.cpu.UnaryKernelsTest.random;
import static kiln.kernels.cpu.UnaryKernelsTest.read;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Softmax and log-softmax rows: hand values, overflow safety, SIMD against the reference, edge cases. */
class SoftmaxKernelsTest {

    private static final double U = 0x1p-24; // unit roundoff of float
    private static final float INF = Float.POSITIVE_INFINITY;

    static int[] colSizes() {
        return UnaryKernelsTest.sizes().filter(n -> n > 0).toArray();
    }

    private static float[] softmax(boolean simd, boolean log, float... row) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = floats(arena, row);
            withSimd(simd, () -> {
                if (log) {
                    SoftmaxKernels.logSoftmaxRows(s, 0, s, 0, 1, row.length);
                } else {
                    SoftmaxKernels.softmaxRows(s, 0, s, 0, 1, row.length);
                }
            });
            return read(s, 0, row.length);
        }
    }

    /** [1, 2, 3] followed by −∞ (masked) entries, so that the SIMD loop, not only its tail, sees the row. */
    private static float[] oneTwoThreeMasked() {
        float[] row = new float[3 + 2 * LANES];
        Arrays.fill(row, -INF);
        row[0] = 1f;
        row[1] = 2f;
        row[2] = 3f;
        return row;
    }

    @Test
    void handWorkedValues() {
        for (boolean simd : new boolean[] {false, true}) {
            String what = "simd=" + simd;
            assertUlps(new float[] {0.09003057f, 0.24472847f, 0.66524096f}, softmax(simd, false, 1f, 2f, 3f), 1, what);
            assertUlps(new float[] {-2.4076059f, -1.4076059f, -0.40760595f}, softmax(simd, true, 1f, 2f, 3f), 1, what);
            float[] masked = softmax(simd, false, oneTwoThreeMasked());
            assertUlps(new float[] {0.09003057f, 0.24472847f, 0.66524096f, 0f}, Arrays.copyOf(masked, 4), 2, what + " masked");
            float[] maskedLog = softmax(simd, true, oneTwoThreeMasked());
            assertUlps(new float[] {-2.4076059f, -1.4076059f, -0.40760595f, -INF}, Arrays.copyOf(maskedLog, 4), 2, what + " masked");
        }
    }

    @Test
    void largeValuesDoNotOverflow() {
        for (boolean simd : new boolean[] {false, true}) {
            assertUlps(new float[] {0.26894142f, 0.7310586f}, softmax(simd, false, 1000f, 1001f), 1, "simd=" + simd);
            assertUlps(new float[] {-1.3132616f, -0.3132617f}, softmax(simd, true, 1000f, 1001f), 1, "simd=" + simd);
            float[] big = new float[2 * LANES + 1];
            Arrays.fill(big, 3e38f);
            for (float y : softmax(simd, false, big)) {
                assertEquals(1f / big.length, y, 1e-7f, "softmax of equal huge values, simd=" + simd);
            }
        }
    }

    @Test
    void rowOfMinusInfinityGivesNaNAsPyTorch() {
        float[] row = new float[2 * LANES + 1];
        Arrays.fill(row, -INF);
        for (boolean simd : new boolean[] {false, true}) {
            for (float y : softmax(simd, false, row)) {
                assertTrue(Float.isNaN(y), "simd=" + simd);
            }
        }
    }

    /**
     * Relative bound for softmax: x − m rounded in float (an error of u·|x − m| ≤ 16u in the exponent
     * for inputs in [−8, 8], which exp turns into a relative error), VectorMath.exp (2u; measured 1u),
     * the float sum of a block ((cols/lanes + 2)u: one accumulator per lane), 1/s and the product (u
     * each), and the reference's own two roundings (2u).
     */
    @ParameterizedTest(name = "3 x {0}")
    @MethodSource("colSizes")
    void softmaxSimdMatchesScalar(int cols) {
        int rows = 3;
        double depth = Math.min(cols, ReduceKernels.BLOCK) / (double) LANES + 2;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, rows * cols, cols, -8f, 8f);
            MemorySegment scalarOut = filled(arena, OUT_OFF + rows * cols + 8, SENTINEL);
            MemorySegment simdOut = filled(arena, OUT_OFF + rows * cols + 8, SENTINEL);
            withSimd(false, () -> SoftmaxKernels.softmaxRows(scalarOut, OUT_OFF, in, IN_OFF, rows, cols));
            withSimd(true, () -> SoftmaxKernels.softmaxRows(simdOut, OUT_OFF, in, IN_OFF, rows, cols));
            float[] expected = read(scalarOut, OUT_OFF, rows * cols);
            float[] actual = read(simdOut, OUT_OFF, rows * cols);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], (depth + 22) * U * expected[i], "element " + i);
            }
            assertUntouchedOutside(simdOut, OUT_OFF, rows * cols);
            assertUntouchedOutside(scalarOut, OUT_OFF, rows * cols);
            for (int r = 0; r < rows; r++) { // the reference against float64 math: two roundings, and rows sum to 1
                float[] x = read(in, IN_OFF + (long) r * cols, cols);
                double max = Double.NEGATIVE_INFINITY;
                double sum = 0;
                for (float v : x) {
                    max = Math.max(max, v);
                }
                for (float v : x) {
                    sum += Math.exp(v - max);
                }
                double total = 0;
                for (int j = 0; j < cols; j++) {
                    double exact = Math.exp(x[j] - max) / sum;
                    total += expected[r * cols + j];
                    assertEquals(exact, expected[r * cols + j], 2 * U * exact + 1e-45, "reference row " + r + " col " + j);
                }
                assertEquals(1.0, total, cols * U, "row " + r + " sums to 1");
            }
        }
    }

    /**
     * Absolute bound for log-softmax (x − m) − log s: u·|x − m| and u·|out| for the two float
     * subtractions, u·log s for rounding log s, and the relative error of the float sum s.
     */
    @ParameterizedTest(name = "3 x {0}")
    @MethodSource("colSizes")
    void logSoftmaxSimdMatchesScalar(int cols) {
        int rows = 3;
        double depth = Math.min(cols, ReduceKernels.BLOCK) / (double) LANES + 4;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = random(arena, IN_OFF, rows * cols, cols, -8f, 8f);
            MemorySegment scalarOut = filled(arena, OUT_OFF + rows * cols + 8, SENTINEL);
            MemorySegment simdOut = filled(arena, OUT_OFF + rows * cols + 8, SENTINEL);
            withSimd(false, () -> SoftmaxKernels.logSoftmaxRows(scalarOut, OUT_OFF, in, IN_OFF, rows, cols));
            withSimd(true, () -> SoftmaxKernels.logSoftmaxRows(simdOut, OUT_OFF, in, IN_OFF, rows, cols));
            float[] expected = read(scalarOut, OUT_OFF, rows * cols);
            float[] actual = read(simdOut, OUT_OFF, rows * cols);
            double logSum = Math.log(cols);
            for (int i = 0; i < expected.length; i++) {
                double tolerance = U * (2 * Math.abs(expected[i]) + 2 * logSum + depth);
                if (Math.abs(expected[i] - actual[i]) > tolerance) {
                    fail("element " + i + ": " + actual[i] + " vs reference " + expected[i] + " (tolerance " + tolerance + ")");
                }
            }
            assertUntouchedOutside(simdOut, OUT_OFF, rows * cols);
        }
    }

    @Test
    void inPlaceEqualsOutOfPlace() {
        int rows = 4;
        int cols = 1009;
        for (boolean log : new boolean[] {false, true}) {
            for (boolean simd : new boolean[] {false, true}) {
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment x = random(arena, IN_OFF, rows * cols, 5, -3f, 3f);
                    MemorySegment out = filled(arena, IN_OFF + rows * cols, 0f);
                    withSimd(simd, () -> {
                        for (MemorySegment target : new MemorySegment[] {out, x}) {
                            if (log) {
                                SoftmaxKernels.logSoftmaxRows(target, IN_OFF, x, IN_OFF, rows, cols);
                            } else {
                                SoftmaxKernels.softmaxRows(target, IN_OFF, x, IN_OFF, rows, cols);
                            }
                        }
                    });
                    assertArrayEquals(read(out, IN_OFF, rows * cols), read(x, IN_OFF, rows * cols), "log=" + log + " simd=" + simd);
                }
            }
        }
    }

    @Test
    void emptyShapesDoNothing() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = filled(arena, 4, SENTINEL);
            SoftmaxKernels.softmaxRows(s, 0, s, 0, 0, 4);
            SoftmaxKernels.softmaxRows(s, 0, s, 0, 3, 0);
            SoftmaxKernels.logSoftmaxRows(s, 0, s, 0, 0, 4);
            SoftmaxKernels.logSoftmaxRows(s, 0, s, 0, 3, 0);
            assertUntouchedOutside(s, 0, 0);
        }
    }
}

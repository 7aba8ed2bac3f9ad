package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static kiln.kernels.cpu.UnaryKernelsTest.IN_OFF;
import static kiln.kernels.cpu.UnaryKernelsTest.LANES;
import static kiln.kernels.cpu.UnaryKernelsTest.OUT_OFF;
import static kiln.kernels.cpu.UnaryKernelsTest.SENTINEL;
import static kiln.kernels.cpu.UnaryKernelsTest.assertUntouchedOutside;
import static kiln.kernels.cpu.UnaryKernelsTest.filled;
import static kiln.kernels.cpu.UnaryKernelsTest.floats;
import static kiln.kernels.cpu.UnaryKernelsTest.read;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static kiln.kernels.cpu.UnaryKernelsTest.withThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Softmax cross-entropy rows: the scalar reference against the formula in double, SIMD against the
 * reference over awkward row lengths (the masked last vector), ignored rows, extreme logits, thread
 * counts, and nothing written outside the outputs.
 */
class CrossEntropyKernelsTest {

    private static final double U = 0x1p-24; // unit roundoff of float
    private static final long IGNORE = -100;

    static Stream<Arguments> shapes() {
        int[] cols = UnaryKernelsTest.sizes().filter(n -> n > 0 && n < 100_000).toArray();
        return Stream.of(1, 7).flatMap(rows -> java.util.Arrays.stream(cols).mapToObj(c -> Arguments.of(rows, c)));
    }

    /** One problem: logits at IN_OFF, labels (every third row ignored), an upstream gradient at IN_OFF. */
    private record Problem(MemorySegment logits, long[] labels, MemorySegment upstream, int rows, int cols) {
        static Problem random(Arena arena, int rows, int cols, long seed, float spread) {
            SplittableRandom rng = new SplittableRandom(seed);
            long[] labels = new long[rows];
            for (int r = 0; r < rows; r++) {
                labels[r] = r % 3 == 1 ? IGNORE : rng.nextInt(cols);
            }
            return new Problem(UnaryKernelsTest.random(arena, IN_OFF, rows * cols, seed, -spread, spread), labels,
                    UnaryKernelsTest.random(arena, IN_OFF, rows, seed + 1, -2, 2), rows, cols);
        }

        /** loss, logsumexp and dx, each in a fresh SENTINEL-filled segment at OUT_OFF. */
        Result run(Arena arena, boolean simd) {
            MemorySegment loss = filled(arena, OUT_OFF + rows + 8, SENTINEL);
            MemorySegment lse = filled(arena, OUT_OFF + rows + 8, SENTINEL);
            MemorySegment dx = filled(arena, OUT_OFF + (long) rows * cols + 8, SENTINEL);
            withSimd(simd, () -> {
                CrossEntropyKernels.forward(loss, OUT_OFF, lse, OUT_OFF, logits, IN_OFF, labels, IGNORE, rows, cols);
                CrossEntropyKernels.backward(dx, OUT_OFF, upstream, IN_OFF, logits, IN_OFF, labels, IGNORE, lse, OUT_OFF, rows, cols);
            });
            assertUntouchedOutside(loss, OUT_OFF, rows);
            assertUntouchedOutside(lse, OUT_OFF, rows);
            assertUntouchedOutside(dx, OUT_OFF, rows * cols);
            return new Result(read(loss, OUT_OFF, rows), read(lse, OUT_OFF, rows), read(dx, OUT_OFF, rows * cols));
        }

        float logit(int r, int c) {
            return logits.getAtIndex(JAVA_FLOAT, IN_OFF + (long) r * cols + c);
        }
    }

    private record Result(float[] loss, float[] logSumExp, float[] dx) {}

    @ParameterizedTest(name = "rows = {0}, cols = {1}")
    @MethodSource("shapes")
    void scalarReferenceComputesTheFormulaInDouble(int rows, int cols) {
        try (Arena arena = Arena.ofShared()) {
            Problem p = Problem.random(arena, rows, cols, 5L * cols + rows, 8);
            Result got = p.run(arena, false);
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, p.logit(r, c));
                }
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += Math.exp(p.logit(r, c) - max);
                }
                double lse = max + Math.log(sum);
                boolean ignored = p.labels()[r] == IGNORE;
                assertEquals((float) lse, got.logSumExp()[r], "lse row " + r);
                assertEquals(ignored ? 0f : (float) (lse - p.logit(r, (int) p.labels()[r])), got.loss()[r], 2 * U * Math.abs(lse), "loss row " + r);
                double g = p.upstream().getAtIndex(JAVA_FLOAT, IN_OFF + r);
                for (int c = 0; c < cols; c++) {
                    double want = ignored ? 0 : g * (Math.exp(p.logit(r, c) - lse) - (c == p.labels()[r] ? 1 : 0));
                    // lse was saved as a float: |lse|·u in the exponent, then one rounding of dx.
                    assertEquals(want, got.dx()[r * cols + c], Math.abs(g) * 2 * U * (1 + Math.abs(lse)) + U * Math.abs(want),
                            "dx row " + r + " col " + c);
                }
            }
        }
    }

    /** SIMD against the reference over awkward row lengths (tolerances: {@link #assertSimdMatches}). */
    @ParameterizedTest(name = "rows = {0}, cols = {1}")
    @MethodSource("shapes")
    void simdMatchesTheReference(int rows, int cols) {
        try (Arena arena = Arena.ofShared()) {
            Problem p = Problem.random(arena, rows, cols, 11L * cols + rows, 8);
            assertSimdMatches(p, p.run(arena, false), p.run(arena, true));
        }
    }

    /** The same once C2 has compiled the kernels (a cold Vector API loop runs a lane-by-lane Java fallback). */
    @Test
    void compiledSimdMatchesTheReference() {
        try (Arena arena = Arena.ofShared()) {
            for (int cols : new int[] {10, 37}) {
                Problem p = Problem.random(arena, 128, cols, cols, 8);
                Result got = null;
                for (int round = 0; round < 2000; round++) {
                    try (Arena scratch = Arena.ofShared()) {
                        got = p.run(scratch, true);
                    }
                }
                assertSimdMatches(p, p.run(arena, false), got);
            }
        }
    }

    /**
     * SIMD against the reference. The SIMD sum of a row adds about cols/lanes exponentials (each
     * within 2 ulp, at most 1) into each float lane: lse is within (cols/lanes + 4)·u absolute, the
     * loss within that plus its own rounding. dx: e^(x − lse) with x − lse rounded in float (|x − lse|·u
     * relative, and p·|log p| ≤ 1/e) and 2 ulp of exp: within 4·u·|g| plus the rounding of dx.
     */
    private static void assertSimdMatches(Problem p, Result want, Result got) {
        double sumError = (p.cols() / (double) LANES + 4) * U;
        for (int r = 0; r < p.rows(); r++) {
            assertClose(want.logSumExp()[r], got.logSumExp()[r], sumError, "lse row " + r);
            assertClose(want.loss()[r], got.loss()[r], sumError, "loss row " + r);
            double g = Math.abs(p.upstream().getAtIndex(JAVA_FLOAT, IN_OFF + r));
            for (int c = 0; c < p.cols(); c++) {
                int i = r * p.cols() + c;
                assertClose(want.dx()[i], got.dx()[i], 4 * U * g, "cols " + p.cols() + " dx row " + r + " col " + c);
            }
        }
    }

    /** |got − want| ≤ atol + 2u·|want|: the absolute bound plus a float rounding of each side. */
    private static void assertClose(float want, float got, double atol, String what) {
        if (!(Math.abs(got - want) <= atol + 2 * U * Math.abs(want))) {
            fail(what + ": " + got + ", expected " + want + " within " + atol);
        }
    }

    /** Logits of ±1000 do not overflow; a row of −∞ but for the label has loss 0 and gradient 0. */
    @Test
    void extremeLogitsStayFinite() {
        for (boolean simd : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofShared()) {
                float inf = Float.POSITIVE_INFINITY;
                float[] row = new float[2 * LANES + 3];
                java.util.Arrays.fill(row, -inf);
                row[LANES + 1] = 1000f;
                float[] both = new float[2 * row.length];
                System.arraycopy(row, 0, both, 0, row.length);
                both[row.length] = 1000f;
                both[row.length + 1] = -1000f;
                for (int c = 2; c < row.length; c++) {
                    both[row.length + c] = 999f;
                }
                MemorySegment logits = floats(arena, both);
                MemorySegment g = floats(arena, 1f, 1f);
                MemorySegment loss = floats(arena, 0, 0);
                MemorySegment lse = floats(arena, 0, 0);
                MemorySegment dx = filled(arena, both.length, SENTINEL);
                long[] labels = {LANES + 1, 0};
                withSimd(simd, () -> {
                    CrossEntropyKernels.forward(loss, 0, lse, 0, logits, 0, labels, IGNORE, 2, row.length);
                    CrossEntropyKernels.backward(dx, 0, g, 0, logits, 0, labels, IGNORE, lse, 0, 2, row.length);
                });
                float[] losses = read(loss, 0, 2);
                assertEquals(0f, losses[0], 0, "simd=" + simd);
                // Row two: 1000 against (n − 2) logits of 999: log(1 + (n − 2)/e), the −1000 adds nothing.
                assertEquals(Math.log(1 + (row.length - 2) / Math.E), losses[1], 1e-4, "simd=" + simd);
                float[] gradient = read(dx, 0, both.length);
                for (int c = 0; c < row.length; c++) {
                    assertEquals(0f, gradient[c], 0, "simd=" + simd + " dx[0, " + c + "]");
                }
                assertEquals(0f, gradient[row.length + 1], 0, "simd=" + simd + ": e^(−2000) is 0");
            }
        }
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        int rows = 3 * ReduceKernels.BLOCK / 100 + 7;      // several row groups
        try (Arena arena = Arena.ofShared()) {
            Problem p = Problem.random(arena, rows, 100, 3, 5);
            Result one = withThreads(1, () -> p.run(arena, true));
            Result two = withThreads(2, () -> p.run(arena, true));
            assertArrayEquals(one.loss(), two.loss());
            assertArrayEquals(one.logSumExp(), two.logSumExp());
            assertArrayEquals(one.dx(), two.dx());
        }
    }

    @Test
    void labelsMustMatchTheRows() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = filled(arena, 16, 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CrossEntropyKernels.forward(s, 0, s, 0, s, 0, new long[3], IGNORE, 2, 4));
            assertEquals("CrossEntropyKernels.forward: needs rows, cols >= 0 and one label per row, got rows=2, cols=4, 3 labels",
                    e.getMessage());
        }
    }
}

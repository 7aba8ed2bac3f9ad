package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
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
import static kiln.kernels.cpu.UnaryKernelsTest.sizes;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** zip, compare and where: SIMD against the scalar reference for every op, size and step pattern. */
class BinaryKernelsTest {

    /** Steps (a, b): both rows, b broadcast, a broadcast, both broadcast. */
    private static final int[][] STEPS = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};

    static Stream<Arguments> zipCases() {
        return Stream.of(BinaryOp.values()).flatMap(op -> Stream.of(STEPS).flatMap(
                steps -> sizes().mapToObj(n -> Arguments.of(op, steps[0], steps[1], n))));
    }

    /** Every op is a single correctly rounded IEEE operation or exact; POW is the scalar reference on both paths. */
    @ParameterizedTest(name = "{0}, steps {1} {2}, n = {3}")
    @MethodSource("zipCases")
    void zipSimdMatchesScalar(BinaryOp op, int aStep, int bStep, int n) {
        try (Arena arena = Arena.ofShared()) {
            // pow: positive bases; div: divisors away from 0 (both signs come from a); relu's gradient: both signs of b.
            MemorySegment a = random(arena, IN_OFF, n, n, op == BinaryOp.POW ? 0.1f : -4f, 4f);
            float bLow = switch (op) {
                case POW, RELU_GRAD -> -3f;
                default -> 0.5f;
            };
            MemorySegment b = random(arena, OUT_OFF, n, n + 1, bLow, 3f);
            MemorySegment scalarOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
            MemorySegment simdOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
            withSimd(false, () -> BinaryKernels.zip(op, scalarOut, OUT_OFF, a, IN_OFF, aStep, b, OUT_OFF, bStep, n));
            withSimd(true, () -> BinaryKernels.zip(op, simdOut, OUT_OFF, a, IN_OFF, aStep, b, OUT_OFF, bStep, n));
            float[] expected = read(scalarOut, OUT_OFF, n);
            assertUlps(expected, read(simdOut, OUT_OFF, n), 0, op + " n=" + n);
            assertUntouchedOutside(simdOut, OUT_OFF, n);
            for (int i = 0; i < n; i++) { // the reference itself, element by element
                float x = a.getAtIndex(JAVA_FLOAT, IN_OFF + (long) i * aStep);
                float y = b.getAtIndex(JAVA_FLOAT, OUT_OFF + (long) i * bStep);
                assertEquals(op.apply(x, y), expected[i], op + "(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void referenceMatchesHandWorkedValues() {
        assertEquals(5f, BinaryOp.ADD.apply(2f, 3f));
        assertEquals(-1f, BinaryOp.SUB.apply(2f, 3f));
        assertEquals(6f, BinaryOp.MUL.apply(2f, 3f));
        assertEquals(0.6666667f, BinaryOp.DIV.apply(2f, 3f));
        assertEquals(Float.POSITIVE_INFINITY, BinaryOp.DIV.apply(1f, 0f));
        assertTrue(Float.isNaN(BinaryOp.DIV.apply(0f, 0f)));
        assertEquals(8f, BinaryOp.POW.apply(2f, 3f));
        assertEquals(3f, BinaryOp.MAX.apply(2f, 3f));
        assertEquals(2f, BinaryOp.MIN.apply(2f, 3f));
        assertEquals(2f, BinaryOp.RELU_GRAD.apply(2f, 3f));
        assertEquals(0f, BinaryOp.RELU_GRAD.apply(2f, -3f));
        assertEquals(0f, BinaryOp.RELU_GRAD.apply(2f, 0f));          // relu'(0) = 0, as PyTorch
        assertEquals(0f, BinaryOp.RELU_GRAD.apply(2f, Float.NaN));
        assertEquals(0f, BinaryOp.RELU_GRAD.apply(Float.POSITIVE_INFINITY, -1f));  // selected, not multiplied by 0
    }

    /** MAX and MIN propagate NaN from either side (torch.maximum), through the SIMD loop and the tail. */
    @ParameterizedTest
    @EnumSource(value = BinaryOp.class, names = {"MAX", "MIN"})
    void maxAndMinPropagateNaN(BinaryOp op) {
        int n = 2 * LANES + 3;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 3 == 0 ? Float.NaN : i;
            y[i] = i % 3 == 1 ? Float.NaN : -i;
        }
        for (boolean simd : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment a = floats(arena, x);
                MemorySegment b = floats(arena, y);
                MemorySegment out = arena.allocate(4L * n, 64);
                withSimd(simd, () -> BinaryKernels.zip(op, out, 0, a, 0, 1, b, 0, 1, n));
                for (int i = 0; i < n; i++) {
                    float want = i % 3 == 2 ? (op == BinaryOp.MAX ? i : -i) : Float.NaN;
                    assertEquals(want, out.getAtIndex(JAVA_FLOAT, i), op + " element " + i + ", simd=" + simd);
                }
            }
        }
    }

    static Stream<Arguments> compareCases() {
        return Stream.of(CompareOp.values()).flatMap(op -> Stream.of(STEPS).flatMap(
                steps -> sizes().mapToObj(n -> Arguments.of(op, steps[0], steps[1], n))));
    }

    /** Exact: 0 or 1 per element. Inputs are small integers, so ties are common, with NaN sprinkled in. */
    @ParameterizedTest(name = "{0}, steps {1} {2}, n = {3}")
    @MethodSource("compareCases")
    void compareSimdMatchesScalar(CompareOp op, int aStep, int bStep, int n) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = smallIntegers(arena, IN_OFF, n, n);
            MemorySegment b = smallIntegers(arena, OUT_OFF, n, n + 1);
            MemorySegment scalarOut = arena.allocate(OUT_OFF + n + 8, 64);
            MemorySegment simdOut = arena.allocate(OUT_OFF + n + 8, 64);
            scalarOut.fill((byte) 7);
            simdOut.fill((byte) 7);
            withSimd(false, () -> BinaryKernels.compare(op, scalarOut, OUT_OFF, a, IN_OFF, aStep, b, OUT_OFF, bStep, n));
            withSimd(true, () -> BinaryKernels.compare(op, simdOut, OUT_OFF, a, IN_OFF, aStep, b, OUT_OFF, bStep, n));
            assertArrayEquals(scalarOut.toArray(JAVA_BYTE), simdOut.toArray(JAVA_BYTE), op + " n=" + n);
            for (int i = 0; i < n; i++) {
                float x = a.getAtIndex(JAVA_FLOAT, IN_OFF + (long) i * aStep);
                float y = b.getAtIndex(JAVA_FLOAT, OUT_OFF + (long) i * bStep);
                assertEquals(op.test(x, y) ? 1 : 0, simdOut.get(JAVA_BYTE, OUT_OFF + i), x + " " + op + " " + y);
            }
            assertEquals(7, simdOut.get(JAVA_BYTE, OUT_OFF - 1), "byte before the run written");
            assertEquals(7, simdOut.get(JAVA_BYTE, OUT_OFF + n), "byte after the run written");
        }
    }

    /** Values in {−2, …, 2} with one in eight NaN, at [off, off + n). */
    private static MemorySegment smallIntegers(Arena arena, long off, int n, long seed) {
        MemorySegment s = filled(arena, off + n + 8, SENTINEL);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, off + i, random.nextInt(8) == 0 ? Float.NaN : random.nextInt(-2, 3));
        }
        return s;
    }

    @Test
    void comparisonsWithNaNAreFalseExceptNotEqual() {
        for (CompareOp op : CompareOp.values()) {
            assertEquals(op == CompareOp.NE, op.test(Float.NaN, 1f), op + " with NaN");
            assertEquals(op == CompareOp.NE, op.test(Float.NaN, Float.NaN), op + " of NaN and NaN");
        }
        assertTrue(CompareOp.EQ.test(-0f, 0f), "−0 == +0");
    }

    static Stream<Arguments> whereCases() {
        return Stream.of(0, 1).flatMap(condStep -> Stream.of(STEPS).flatMap(
                steps -> sizes().mapToObj(n -> Arguments.of(condStep, steps[0], steps[1], n))));
    }

    /** Exact: where only copies. */
    @ParameterizedTest(name = "cond step {0}, steps {1} {2}, n = {3}")
    @MethodSource("whereCases")
    void whereSimdMatchesScalar(int condStep, int aStep, int bStep, int n) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment cond = arena.allocate(IN_OFF + n + 8, 64);
            SplittableRandom random = new SplittableRandom(n);
            for (int i = 0; i < n; i++) {
                cond.set(JAVA_BYTE, IN_OFF + i, (byte) random.nextInt(2));
            }
            MemorySegment a = random(arena, IN_OFF, n, n, -4f, 4f);
            MemorySegment b = random(arena, OUT_OFF, n, n + 1, 10f, 20f);
            MemorySegment scalarOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
            MemorySegment simdOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
            withSimd(false, () -> {
                BinaryKernels.where(scalarOut, OUT_OFF, cond, IN_OFF, condStep, a, IN_OFF, aStep, b, OUT_OFF, bStep, n);
            });
            withSimd(true, () -> {
                BinaryKernels.where(simdOut, OUT_OFF, cond, IN_OFF, condStep, a, IN_OFF, aStep, b, OUT_OFF, bStep, n);
            });
            float[] expected = read(scalarOut, OUT_OFF, n);
            assertUlps(expected, read(simdOut, OUT_OFF, n), 0, "where n=" + n);
            assertUntouchedOutside(simdOut, OUT_OFF, n);
            for (int i = 0; i < n; i++) {
                boolean c = cond.get(JAVA_BYTE, IN_OFF + (long) i * condStep) != 0;
                float want = c ? a.getAtIndex(JAVA_FLOAT, IN_OFF + (long) i * aStep) : b.getAtIndex(JAVA_FLOAT, OUT_OFF + (long) i * bStep);
                assertEquals(want, expected[i], "where element " + i);
            }
        }
    }

    @Test
    void inPlaceAddEqualsOutOfPlace() {
        for (boolean simd : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofShared()) {
                int n = 1009;
                MemorySegment x = random(arena, IN_OFF, n, 3, -5f, 5f);
                MemorySegment y = random(arena, IN_OFF, n, 4, -5f, 5f);
                MemorySegment out = filled(arena, IN_OFF + n, 0f);
                withSimd(simd, () -> {
                    BinaryKernels.zip(BinaryOp.ADD, out, IN_OFF, x, IN_OFF, 1, y, IN_OFF, 1, n);
                    BinaryKernels.zip(BinaryOp.ADD, x, IN_OFF, x, IN_OFF, 1, y, IN_OFF, 1, n);
                });
                assertUlps(read(out, IN_OFF, n), read(x, IN_OFF, n), 0, "in place, simd=" + simd);
            }
        }
    }

    @Test
    void stepsOtherThanZeroOrOneAreRejected() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = floats(arena, 1f, 2f, 3f, 4f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BinaryKernels.zip(BinaryOp.ADD, s, 0, s, 0, 2, s, 0, 1, 2));
            assertTrue(e.getMessage().contains("aStep"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> BinaryKernels.where(s, 0, s, 0, -1, s, 0, 1, s, 0, 1, 2));
        }
    }
}

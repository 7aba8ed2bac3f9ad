package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SIMD path against the scalar reference at awkward sizes, the reference against float64 math
 * and hand-worked values, and edge values. Also holds the small helpers the other kernel tests share.
 *
 * <p>Segments come from shared arenas: a kernel spreads long runs over the {@link Parallel} pool, and
 * a confined segment may only be touched by the thread that made it (WrongThreadException).
 */
class UnaryKernelsTest {

    // ------------------------------------------------------------------- helpers shared by the tests

    static final int LANES = FloatVector.SPECIES_PREFERRED.length();
    /** Offsets that are not multiples of the lane count, so vector loads and stores are unaligned. */
    static final long IN_OFF = 3;
    static final long OUT_OFF = 5;
    /** Fills memory around an output run: a kernel that writes outside its run is caught. */
    static final float SENTINEL = -12345.5f;

    /** 0, the lane edges, primes, and one size above the parallel chunk. */
    static IntStream sizes() {
        return IntStream.of(0, 1, LANES - 1, LANES, LANES + 1, 2 * LANES + 3, 37, 101, 1009, 100_003);
    }

    /** A 64-byte aligned segment of off + n + 8 floats, [off, off + n) uniform in [lo, hi), SENTINEL elsewhere. */
    static MemorySegment random(Arena arena, long off, int n, long seed, float lo, float hi) {
        MemorySegment s = filled(arena, off + n + 8, SENTINEL);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, off + i, (float) (lo + (hi - lo) * random.nextDouble()));
        }
        return s;
    }

    /** A 64-byte aligned segment of {@code count} floats, all {@code value}. */
    static MemorySegment filled(Arena arena, long count, float value) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(JAVA_FLOAT, i, value);
        }
        return s;
    }

    /** A 64-byte aligned segment holding {@code values} from element 0. */
    static MemorySegment floats(Arena arena, float... values) {
        MemorySegment s = arena.allocate(Math.max(1, values.length) * (long) Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, JAVA_FLOAT, 0, values.length);
        return s;
    }

    static float[] read(MemorySegment s, long off, int n) {
        float[] values = new float[n];
        MemorySegment.copy(s, JAVA_FLOAT, off * Float.BYTES, values, 0, n);
        return values;
    }

    /** Distance in units in the last place; 0 for two NaNs and for −0 vs +0. */
    static long ulps(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        }
        return a == b ? 0 : Math.abs(ordered(a) - ordered(b));
    }

    /** Float bits mapped to a line on which adjacent floats are adjacent integers. */
    private static long ordered(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits < 0 ? -(long) (bits & 0x7fffffff) : bits;
    }

    static void assertUlps(float[] expected, float[] actual, long maxUlps, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (ulps(expected[i], actual[i]) > maxUlps) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]
                        + " within " + maxUlps + " ulp (" + ulps(expected[i], actual[i]) + ")");
            }
        }
    }

    /** Checks that a kernel wrote nothing outside [off, off + n) of a segment made by {@link #random} or filled. */
    static void assertUntouchedOutside(MemorySegment s, long off, int n) {
        for (long i = 0; i < s.byteSize() / Float.BYTES; i++) {
            if ((i < off || i >= off + n) && s.getAtIndex(JAVA_FLOAT, i) != SENTINEL) {
                fail("element " + i + " outside the run [" + off + ", " + (off + n) + ") was written");
            }
        }
    }

    /** Runs {@code body} with the SIMD switch set as asked, restoring it afterwards. */
    static <T> T withSimd(boolean on, Supplier<T> body) {
        boolean before = Simd.enabled();
        Simd.setEnabled(on);
        try {
            return body.get();
        } finally {
            Simd.setEnabled(before);
        }
    }

    static void withSimd(boolean on, Runnable body) {
        withSimd(on, () -> {
            body.run();
            return null;
        });
    }

    /** Runs {@code body} on {@code threads} threads, restoring the pool size afterwards. */
    static <T> T withThreads(int threads, Supplier<T> body) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            return body.get();
        } finally {
            Parallel.setThreads(before);
        }
    }

    // --------------------------------------------------------------------------- SIMD vs reference

    static Stream<Arguments> opsAndSizes() {
        return Stream.of(UnaryOp.values()).flatMap(op -> sizes().mapToObj(n -> Arguments.of(op, n)));
    }

    /** Inputs where the op is defined and interesting; exp stays below its overflow at 88.7. */
    private static float[] range(UnaryOp op) {
        return switch (op) {
            case LOG, SQRT, RSQRT -> new float[] {1e-3f, 100f};
            case EXP -> new float[] {-80f, 80f};
            case SIGMOID -> new float[] {-30f, 30f};
            default -> new float[] {-10f, 10f};
        };
    }

    /**
     * Tolerance of the SIMD path against the reference (itself within about 0.5 ulp of exact): NEG,
     * ABS, SQRT, RELU are exact (one correctly rounded operation or none); RSQRT rounds twice in float
     * (measured 1 over 4M random inputs). The rest are measured over every float (see
     * {@link VectorMath}): EXP, LOG, TANH 1 and SIN, COS 2 (allow 2); SIGMOID 2 (allow 3); GELU chains
     * ~16 float roundings, most in the degree-10 polynomial (measured 8, allow 10).
     */
    private static long tolerance(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SQRT, RELU -> 0;
            case RSQRT -> 1;
            case EXP, LOG, TANH, SIN, COS -> 2;
            case SIGMOID -> 3;
            case GELU -> 10;
        };
    }

    @ParameterizedTest(name = "{0}, n = {1}")
    @MethodSource("opsAndSizes")
    void mapSimdMatchesScalar(UnaryOp op, int n) {
        try (Arena arena = Arena.ofShared()) {
            float[] r = range(op);
            MemorySegment in = random(arena, IN_OFF, n, 42 + n, r[0], r[1]);
            MemorySegment scalarOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
            MemorySegment simdOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
            withSimd(false, () -> UnaryKernels.map(op, scalarOut, OUT_OFF, in, IN_OFF, n));
            withSimd(true, () -> UnaryKernels.map(op, simdOut, OUT_OFF, in, IN_OFF, n));
            assertUlps(read(scalarOut, OUT_OFF, n), read(simdOut, OUT_OFF, n), tolerance(op), op + " n=" + n);
            assertUntouchedOutside(simdOut, OUT_OFF, n);
            assertUntouchedOutside(scalarOut, OUT_OFF, n);
        }
    }

    /**
     * The same check once the loops are hot. A cold loop runs the Vector API's Java fallback, lane by
     * lane; only C2 emits vector instructions, and that is the code that runs in production, so
     * repeat until it has been compiled. (VectorMathTest checks that both give the same bits.)
     */
    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void compiledMapSimdMatchesScalar(UnaryOp op) {
        int n = 4099;
        try (Arena arena = Arena.ofShared()) {
            float[] r = range(op);
            MemorySegment in = random(arena, 0, n, 99, r[0], r[1]);
            MemorySegment scalarOut = arena.allocate(4L * n, 64);
            MemorySegment simdOut = arena.allocate(4L * n, 64);
            UnaryKernels.mapScalar(op, scalarOut, 0, in, 0, n);
            for (int repeat = 0; repeat < 3000; repeat++) {
                UnaryKernels.mapSimd(op, simdOut, 0, in, 0, n);
            }
            assertUlps(read(scalarOut, 0, n), read(simdOut, 0, n), tolerance(op), op + " compiled");
        }
    }

    /** Special values, repeated to fill whole vectors so that the SIMD loop (not its scalar tail) sees them. */
    private static final float[] SPECIALS = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, Float.MIN_VALUE,
        Float.MAX_VALUE, -Float.MAX_VALUE, 100f, -100f, 1e-30f, -1e-30f, 30f, -30f,
    };

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void specialValuesAgreeBetweenPaths(UnaryOp op) {
        int n = 4 * Math.max(LANES, SPECIALS.length);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = SPECIALS[i % SPECIALS.length];
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment in = floats(arena, x);
            MemorySegment scalarOut = arena.allocate(4L * n, 64);
            MemorySegment simdOut = arena.allocate(4L * n, 64);
            withSimd(false, () -> UnaryKernels.map(op, scalarOut, 0, in, 0, n));
            withSimd(true, () -> UnaryKernels.map(op, simdOut, 0, in, 0, n));
            float[] expected = read(scalarOut, 0, n);
            float[] actual = read(simdOut, 0, n);
            for (int i = 0; i < n; i++) {
                // Results near or below the smallest normal float (1.2e-38) may differ in more bits.
                boolean loose = Math.abs(expected[i]) < 1e-37f;
                if (!loose && ulps(expected[i], actual[i]) > tolerance(op)) {
                    fail(op + "(" + x[i] + ") = " + actual[i] + ", reference " + expected[i]);
                }
                assertEquals(Float.isNaN(expected[i]), Float.isNaN(actual[i]), op + "(" + x[i] + ") NaN-ness");
            }
        }
    }

    @Test
    void inPlaceEqualsOutOfPlace() {
        for (boolean simd : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofShared()) {
                int n = 1009;
                MemorySegment x = random(arena, IN_OFF, n, 7, -5f, 5f);
                MemorySegment out = filled(arena, IN_OFF + n, 0f);
                withSimd(simd, () -> {
                    UnaryKernels.map(UnaryOp.TANH, out, IN_OFF, x, IN_OFF, n);
                    UnaryKernels.map(UnaryOp.TANH, x, IN_OFF, x, IN_OFF, n);
                });
                assertUlps(read(out, IN_OFF, n), read(x, IN_OFF, n), 0, "in place, simd=" + simd);
            }
        }
    }

    // ------------------------------------------------------------------- the reference, by hand

    @Test
    void referenceMatchesHandWorkedValues() {
        assertEquals(0.5f, UnaryOp.SIGMOID.apply(0f));
        assertEquals(0.7310586f, UnaryOp.SIGMOID.apply(1f));
        // Φ(1) = 0.841344746…: the nearest float is 0.84134477 (PyTorch prints 0.8413447, 1 ulp below).
        assertEquals(0.8413447f, UnaryOp.GELU.apply(1f), 6e-8f);
        assertEquals(-0.15865526f, UnaryOp.GELU.apply(-1f), 1e-8f);
        assertEquals(0f, UnaryOp.GELU.apply(0f));
        assertEquals(0f, UnaryOp.RELU.apply(-2f));
        assertEquals(3f, UnaryOp.RELU.apply(3f));
        assertEquals(0.5f, UnaryOp.RSQRT.apply(4f));
        assertEquals(2.7182817f, UnaryOp.EXP.apply(1f));
        assertEquals(0.46211717f, UnaryOp.TANH.apply(0.5f));
        assertEquals(Float.NEGATIVE_INFINITY, UnaryOp.LOG.apply(0f));
        assertTrue(Float.isNaN(UnaryOp.LOG.apply(-1f)));
        assertTrue(Float.isNaN(UnaryOp.SQRT.apply(-1f)));
        assertEquals(Float.POSITIVE_INFINITY, UnaryOp.RSQRT.apply(0f));
        assertEquals(0f, UnaryOp.SIGMOID.apply(Float.NEGATIVE_INFINITY));
        assertEquals(1f, UnaryOp.SIGMOID.apply(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, UnaryOp.GELU.apply(Float.POSITIVE_INFINITY));
        for (UnaryOp op : UnaryOp.values()) {
            assertTrue(Float.isNaN(op.apply(Float.NaN)), op + "(NaN) must be NaN");
        }
    }

    /** GELU's far tail, where an erf that is only accurate in absolute terms loses every digit (40-digit values). */
    @Test
    void geluTailIsRelativelyAccurate() {
        double[][] xAndGelu = {
            {-2, -0.0455002638964}, {-3, -0.00404969409489}, {-5, -1.4332578594e-6}, {-8, -4.97676845942e-15},
            {0.5, 0.345731230637}, {-0.5, -0.154268769363}, {2, 1.9544997361}, {3, 2.99595030591},
        };
        for (double[] p : xAndGelu) {
            float x = (float) p[0];
            assertEquals(p[1], UnaryOp.GELU.apply(x), 1e-7 * Math.abs(p[1]), "gelu(" + x + ")");
            try (Arena arena = Arena.ofShared()) {
                float[] xs = new float[2 * LANES];
                Arrays.fill(xs, x);
                MemorySegment s = floats(arena, xs);
                withSimd(true, () -> UnaryKernels.map(UnaryOp.GELU, s, 0, s, 0, xs.length));
                assertEquals(p[1], s.getAtIndex(JAVA_FLOAT, 0), 1e-6 * Math.abs(p[1]), "simd gelu(" + x + ")");
            }
        }
    }

    /** Φ against an independent float64 erf (its Taylor series, exact to ~1e-13 for |z| ≤ 3). */
    @Test
    void normalCdfMatchesTaylorSeriesErf() {
        for (double x = -4.2; x <= 4.2; x += 0.01) {
            double z = x / Math.sqrt(2);
            double term = z;
            double erf = z;
            for (int k = 1; k < 200; k++) {
                term *= -z * z / k;
                erf += term / (2 * k + 1);
            }
            erf *= 2 / Math.sqrt(Math.PI);
            double phi = 0.5 * (1 + erf);
            assertEquals(phi, UnaryOp.normalCdf(x), 6e-9 * phi + 1e-13, "Φ(" + x + ")");
        }
    }

    // ---------------------------------------------------------------------------- pow and clamp

    /**
     * 2 is exact (x·x, and x² is exact in double); 0.5 and −1 take √x and 1/x, which may differ from
     * the double-then-float reference by its double rounding (1 ulp; measured 0); others are the
     * scalar reference on both paths.
     */
    @ParameterizedTest
    @ValueSource(floats = {2f, 0.5f, -1f, 3f, 1.7f, -2.5f, 0f})
    void powSimdMatchesScalar(float exponent) {
        long tolerance = exponent == 0.5f || exponent == -1f ? 1 : 0;
        sizes().forEach(n -> {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = random(arena, IN_OFF, n, n, 0.01f, 20f);
                MemorySegment scalarOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
                MemorySegment simdOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
                withSimd(false, () -> UnaryKernels.pow(scalarOut, OUT_OFF, in, IN_OFF, exponent, n));
                withSimd(true, () -> UnaryKernels.pow(simdOut, OUT_OFF, in, IN_OFF, exponent, n));
                assertUlps(read(scalarOut, OUT_OFF, n), read(simdOut, OUT_OFF, n), tolerance, "pow " + exponent + " n=" + n);
                assertUntouchedOutside(simdOut, OUT_OFF, n);
            }
        });
    }

    @Test
    void powHandWorkedValues() {
        try (Arena arena = Arena.ofShared()) {
            for (boolean simd : new boolean[] {false, true}) {
                float[] x = new float[2 * LANES];
                Arrays.fill(x, 2f);
                x[1] = 9f;
                MemorySegment in = floats(arena, x);
                MemorySegment out = arena.allocate(4L * x.length, 64);
                float[] results = withSimd(simd, () -> {
                    UnaryKernels.pow(out, 0, in, 0, 10f, x.length);
                    float first = out.getAtIndex(JAVA_FLOAT, 0);
                    UnaryKernels.pow(out, 0, in, 0, 0.5f, x.length);
                    return new float[] {first, out.getAtIndex(JAVA_FLOAT, 1)};
                });
                assertEquals(1024f, results[0], "2^10, simd=" + simd);
                assertEquals(3f, results[1], "9^0.5, simd=" + simd);
            }
        }
    }

    @Test
    void clampIsExactAndFollowsTorch() {
        sizes().forEach(n -> {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment in = random(arena, IN_OFF, n, n, -3f, 3f);
                if (n > 2) {
                    in.setAtIndex(JAVA_FLOAT, IN_OFF + n / 2, Float.NaN);
                }
                MemorySegment scalarOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
                MemorySegment simdOut = filled(arena, OUT_OFF + n + 8, SENTINEL);
                withSimd(false, () -> UnaryKernels.clamp(scalarOut, OUT_OFF, in, IN_OFF, -1f, 2f, n));
                withSimd(true, () -> UnaryKernels.clamp(simdOut, OUT_OFF, in, IN_OFF, -1f, 2f, n));
                float[] expected = read(scalarOut, OUT_OFF, n);
                assertUlps(expected, read(simdOut, OUT_OFF, n), 0, "clamp n=" + n);
                float[] x = read(in, IN_OFF, n);
                for (int i = 0; i < n; i++) {
                    float want = Float.isNaN(x[i]) ? Float.NaN : Math.min(Math.max(x[i], -1f), 2f);
                    assertEquals(want, expected[i], "clamp(" + x[i] + ")");
                }
                assertUntouchedOutside(simdOut, OUT_OFF, n);
            }
        });
        assertEquals(2f, clampOne(5f, 3f, 2f), "lo > hi gives hi, as torch.clamp");
        assertEquals(2f, clampOne(-5f, 3f, 2f), "lo > hi gives hi, as torch.clamp");
    }

    private static float clampOne(float x, float lo, float hi) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = floats(arena, x);
            UnaryKernels.clamp(s, 0, s, 0, lo, hi, 1);
            return s.getAtIndex(JAVA_FLOAT, 0);
        }
    }

    @Test
    void negativeLengthIsRejected() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = floats(arena, 1f);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> UnaryKernels.map(UnaryOp.EXP, s, 0, s, 0, -1));
            assertTrue(e.getMessage().contains("-1"), e.getMessage());
        }
    }
}

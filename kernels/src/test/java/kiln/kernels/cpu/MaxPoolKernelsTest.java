package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Max pooling: the fast path (keys ranked without branches inside the image) against the reference,
 * bit for bit, forward and backward, on data full of ties, signed zeros, NaNs and −∞ (where the
 * first-maximum rule and the padding decide); both against hand-worked windows; and the key order
 * against float comparison.
 */
class MaxPoolKernelsTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(3, 28, 28, new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1)),   // LeNet's pooling
                Arguments.of(2, 5, 6, new WindowGeometry(3, 3, 2, 2, 1, 1, 1, 1)),
                Arguments.of(2, 5, 7, new WindowGeometry(2, 3, 1, 2, 0, 1, 2, 1)),
                Arguments.of(1, 9, 4, new WindowGeometry(3, 1, 1, 1, 1, 0, 1, 1)),
                Arguments.of(2, 7, 7, new WindowGeometry(2, 2, 3, 3, 0, 0, 1, 1)));    // stride past the kernel
    }

    /** Values from a small set (many ties), with some NaN and −∞. */
    private static MemorySegment awkward(Arena arena, int n, long seed) {
        MemorySegment s = arena.allocate((long) n * Float.BYTES);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] pool = {-1f, 0f, -0f, 2f, 2f, 3f, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0xFFC00001)};
        for (int i = 0; i < n; i++) {
            float v = rng.nextInt(60) == 0 ? Float.NaN : pool[rng.nextInt(pool.length)];
            s.setAtIndex(JAVA_FLOAT, i, v);
        }
        return s;
    }

    private static float[] read(MemorySegment s) {
        return s.toArray(JAVA_FLOAT);
    }

    @ParameterizedTest(name = "{0}x{1}x{2}, {3}")
    @MethodSource("cases")
    void fastPathEqualsTheReference(int planes, int h, int w, WindowGeometry window) {
        int outs = planes * window.outH(h) * window.outW(w);
        try (Arena arena = Arena.ofConfined()) {
            for (long seed = 0; seed < 4; seed++) {
                MemorySegment x = awkward(arena, planes * h * w, seed);
                MemorySegment g = awkward(arena, outs, seed + 100);
                float[][] y = new float[2][], dx = new float[2][];
                for (int fast = 0; fast < 2; fast++) {
                    MemorySegment out = arena.allocate((long) outs * Float.BYTES);
                    MemorySegment grad = arena.allocate((long) planes * h * w * Float.BYTES);
                    int[] winners = new int[outs];
                    withSimd(fast == 1, () -> {
                        MaxPoolKernels.forward(x, 0, planes, h, w, window, out, 0, winners, 0);
                        MaxPoolKernels.backward(g, 0, winners, 0, planes, h, w, window, grad, 0);
                    });
                    y[fast] = read(out);
                    dx[fast] = read(grad);
                }
                assertArrayEquals(y[0], y[1], window + " forward, seed " + seed);
                assertArrayEquals(dx[0], dx[1], window + " backward, seed " + seed);
            }
        }
    }

    /** y and dx (for g = 1, 2, 3, ...) of one plane by both paths. */
    private static float[][] pool(float[] plane, int h, int w, WindowGeometry window, boolean fast) {
        int outs = window.outH(h) * window.outW(w);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocateFrom(JAVA_FLOAT, plane);
            MemorySegment g = arena.allocate((long) outs * Float.BYTES);
            for (int i = 0; i < outs; i++) {
                g.setAtIndex(JAVA_FLOAT, i, i + 1);
            }
            MemorySegment y = arena.allocate((long) outs * Float.BYTES);
            MemorySegment dx = arena.allocate((long) plane.length * Float.BYTES);
            int[] winners = new int[outs];
            withSimd(fast, () -> {
                MaxPoolKernels.forward(x, 0, 1, h, w, window, y, 0, winners, 0);
                MaxPoolKernels.backward(g, 0, winners, 0, 1, h, w, window, dx, 0);
            });
            return new float[][] {read(y), read(dx)};
        }
    }

    @Test
    void firstMaximumWinsAndNaNBeatsEverything() {
        float nan = Float.NaN;
        float[] plane = {
            1, 5, 5, 0,
            5, 2, 0, 0,
            nan, 9, 3, 3,
            9, nan, 3, 3};
        for (boolean fast : new boolean[] {false, true}) {
            float[][] result = pool(plane, 4, 4, new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1), fast);
            assertArrayEquals(new float[] {5, 5, nan, 3}, result[0]);
            // Window 1's first 5 gets g = 1, window 2's gets 2, window 3's first NaN gets 3, window 4's first 3 gets 4.
            assertArrayEquals(new float[] {
                0, 1, 2, 0,
                0, 0, 0, 0,
                3, 0, 4, 0,
                0, 0, 0, 0}, result[1]);
        }
    }

    /** order(a) > order(b) exactly when b is not a winner over a: a > b, or a NaN and b not. Equal otherwise (ties). */
    @Test
    void keysRankFloatsAsTheFirstMaximumRuleDoes() {
        float[] values = {Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -1.5f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1f,
            Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xFFC00001), Float.intBitsToFloat(0x7F800001)};
        for (float a : values) {
            for (float b : values) {
                boolean aWins = a > b || Float.isNaN(a) && !Float.isNaN(b);
                boolean bWins = b > a || Float.isNaN(b) && !Float.isNaN(a);
                int ka = MaxPoolKernels.order(a), kb = MaxPoolKernels.order(b);
                String what = a + " vs " + b;
                assertEquals(aWins, ka > kb, what);
                assertEquals(bWins, kb > ka, what);
            }
        }
    }

    @Test
    void paddingIsMinusInfinityAndTakesNoGradient() {
        float inf = Float.NEGATIVE_INFINITY;
        // 3×3 windows, padding 1, stride 2 over a 2×2 plane: every window reaches into the padding.
        // The plane's −∞ never beats the padding tap that precedes it, so that window's gradient is dropped.
        float[] plane = {inf, inf, inf, 4};
        for (boolean fast : new boolean[] {false, true}) {
            float[][] result = pool(plane, 2, 2, new WindowGeometry(3, 3, 2, 2, 1, 1, 1, 1), fast);
            assertArrayEquals(new float[] {4}, result[0]);
            assertArrayEquals(new float[] {0, 0, 0, 1}, result[1]);
            float[][] allMinus = pool(new float[] {inf, inf, inf, inf}, 2, 2, new WindowGeometry(3, 3, 2, 2, 1, 1, 1, 1), fast);
            assertArrayEquals(new float[] {inf}, allMinus[0]);
            assertArrayEquals(new float[] {0, 0, 0, 0}, allMinus[1]);
        }
    }
}

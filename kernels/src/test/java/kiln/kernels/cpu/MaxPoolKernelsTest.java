package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Max pooling: the SIMD paths against the scalar references, bit for bit, forward and backward, on
 * data full of ties, signed zeros, NaNs and −∞ (where the first-maximum rule and the padding decide),
 * over rows of 1, lanes − 1, lanes, lanes + 1 and prime numbers of outputs, strides 1, 2 and 3,
 * padding, dilation, and planes that end exactly where x ends (the vector loads must stop short);
 * both against hand-worked windows.
 */
class MaxPoolKernelsTest {
    private static final int LANES = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(3, 28, 28, new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1)),   // LeNet's poolings
                Arguments.of(4, 10, 10, new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1)),
                Arguments.of(2, 7, 2 * LANES - 2, new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1)),   // lanes − 1 outputs a row
                Arguments.of(2, 6, 2 * LANES, new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1)),       // lanes
                Arguments.of(2, 5, 2 * LANES + 3, new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1)),   // lanes + 1, a column left over
                Arguments.of(3, 9, 2, new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1)),                // one output a row
                Arguments.of(2, 9, 62, new WindowGeometry(3, 2, 3, 2, 0, 0, 1, 1)),               // tall tiles, 31 outputs a row
                Arguments.of(2, 5, 6, new WindowGeometry(3, 3, 2, 2, 1, 1, 1, 1)),
                Arguments.of(2, 13, 4 * LANES + 9, new WindowGeometry(3, 3, 2, 2, 1, 1, 1, 1)),  // ResNet's stem pooling
                Arguments.of(2, 11, 37, new WindowGeometry(3, 3, 1, 1, 1, 1, 1, 1)),              // stride 1
                Arguments.of(2, 5, 7, new WindowGeometry(2, 3, 1, 2, 0, 1, 2, 1)),
                Arguments.of(2, 9, 41, new WindowGeometry(2, 3, 2, 2, 1, 1, 2, 2)),               // dilated, stride 2
                Arguments.of(1, 9, 4, new WindowGeometry(3, 1, 1, 1, 1, 0, 1, 1)),
                Arguments.of(2, 7, 7, new WindowGeometry(2, 2, 3, 3, 0, 0, 1, 1)));               // stride past the kernel
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

    /**
     * Both paths on the same data, the planes in two calls (plane 0, then the rest, at their offsets):
     * y, the winners and dx bit for bit. dx starts as garbage: the backward pass overwrites it.
     */
    @ParameterizedTest(name = "{0}x{1}x{2}, {3}")
    @MethodSource("cases")
    void simdEqualsTheReference(int planes, int h, int w, WindowGeometry window) {
        int plane = h * w, outs = window.outH(h) * window.outW(w);
        try (Arena arena = Arena.ofConfined()) {
            for (long seed = 0; seed < 4; seed++) {
                MemorySegment x = awkward(arena, planes * plane, seed);
                MemorySegment g = awkward(arena, planes * outs, seed + 100);
                float[][] y = new float[2][], dx = new float[2][];
                int[][] winners = new int[2][planes * outs];
                for (int simd = 0; simd < 2; simd++) {
                    MemorySegment out = arena.allocate((long) planes * outs * Float.BYTES);
                    MemorySegment grad = arena.allocate((long) planes * plane * Float.BYTES);
                    grad.fill((byte) 0x7F);
                    int[] won = winners[simd];
                    withSimd(simd == 1, () -> {
                        for (int[] part : new int[][] {{0, 1}, {1, planes - 1}}) {
                            int first = part[0], count = part[1];
                            MaxPoolKernels.forward(x, (long) first * plane, count, h, w, window, out, (long) first * outs, won, first * outs);
                            MaxPoolKernels.backward(g, (long) first * outs, won, first * outs, count, h, w, window, grad, (long) first * plane);
                        }
                    });
                    y[simd] = read(out);
                    dx[simd] = read(grad);
                }
                assertArrayEquals(y[0], y[1], window + " forward, seed " + seed);
                assertArrayEquals(winners[0], winners[1], window + " winners, seed " + seed);
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

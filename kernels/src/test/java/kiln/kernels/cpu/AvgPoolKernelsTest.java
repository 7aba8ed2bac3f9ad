package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import kiln.kernels.cpu.AvgPoolKernels.Axis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Average pooling: the SIMD path against the scalar reference, bit for bit, forward and backward,
 * for sliding windows (tiling, overlapping, padded, rectangular) and adaptive ones (even, uneven and
 * overlapping, larger than the input, global), over widths of 1, lanes − 1, lanes, lanes + 1 and primes;
 * both against the definition in double; the windows of {@link Axis} against PyTorch's formulas.
 */
class AvgPoolKernelsTest {
    private static final int LANES = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();

    /** planes, H, W, the row windows, the column windows. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(3, 28, 28, Axis.sliding(28, 2, 2, 0), Axis.sliding(28, 2, 2, 0)),            // LeNet-shaped 2×2
                Arguments.of(2, 9, LANES - 1, Axis.sliding(9, 3, 2, 1), Axis.sliding(LANES - 1, 3, 2, 1)),  // overlapping, padded
                Arguments.of(2, 7, LANES, Axis.sliding(7, 3, 1, 1), Axis.sliding(LANES, 3, 1, 1)),
                Arguments.of(2, 6, LANES + 1, Axis.sliding(6, 2, 1, 1), Axis.sliding(LANES + 1, 3, 2, 0)),   // rectangular
                Arguments.of(3, 7, 1, Axis.sliding(7, 1, 1, 0), Axis.sliding(1, 1, 1, 0)),                  // 1 column
                Arguments.of(2, 8, 37, Axis.sliding(8, 2, 3, 0), Axis.sliding(37, 2, 3, 1)),                // stride past the kernel
                Arguments.of(2, 7, 5, Axis.adaptive(7, 3), Axis.adaptive(5, 2)),                          // uneven, overlapping
                Arguments.of(2, 3, 2, Axis.adaptive(3, 4), Axis.adaptive(2, 4)),                          // more outputs than inputs
                Arguments.of(3, 13, 2 * LANES + 3, Axis.adaptive(13, 1), Axis.adaptive(2 * LANES + 3, 1)));  // global
    }

    private static MemorySegment random(Arena arena, int n, long seed) {
        MemorySegment s = arena.allocate((long) n * Float.BYTES);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, i, (float) rng.nextGaussian());
        }
        return s;
    }

    /** y and dx by one path; dx starts as garbage (the backward pass overwrites it); the planes in two calls. */
    private static float[][] run(MemorySegment x, MemorySegment g, int planes, int h, int w, Axis rows, Axis columns, boolean simd) {
        int plane = h * w, outs = rows.count() * columns.count();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y = arena.allocate((long) planes * outs * Float.BYTES);
            MemorySegment dx = arena.allocate((long) planes * plane * Float.BYTES);
            dx.fill((byte) 0x7F);
            withSimd(simd, () -> {
                for (int[] part : new int[][] {{0, 1}, {1, planes - 1}}) {
                    AvgPoolKernels.forward(x, (long) part[0] * plane, part[1], h, w, rows, columns, y, (long) part[0] * outs);
                    AvgPoolKernels.backward(g, (long) part[0] * outs, part[1], h, w, rows, columns, dx, (long) part[0] * plane);
                }
            });
            return new float[][] {y.toArray(JAVA_FLOAT), dx.toArray(JAVA_FLOAT)};
        }
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @MethodSource("cases")
    void simdEqualsTheReferenceAndTheDefinition(int planes, int h, int w, Axis rows, Axis columns) {
        int outH = rows.count(), outW = columns.count();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, planes * h * w, 1);
            MemorySegment g = random(arena, planes * outH * outW, 2);
            float[][] scalar = run(x, g, planes, h, w, rows, columns, false);
            float[][] simd = run(x, g, planes, h, w, rows, columns, true);
            assertArrayEquals(scalar[0], simd[0], "forward");
            assertArrayEquals(scalar[1], simd[1], "backward");
            // The definition in double, window by window; float32 sums of a few numbers of size 1.
            double[] y = new double[planes * outH * outW], dx = new double[planes * h * w];
            for (int p = 0; p < planes; p++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int o = (p * outH + oh) * outW + ow;
                        double divisor = (double) rows.divisor()[oh] * columns.divisor()[ow];
                        for (int ih = rows.start()[oh]; ih < rows.end()[oh]; ih++) {
                            for (int iw = columns.start()[ow]; iw < columns.end()[ow]; iw++) {
                                int e = (p * h + ih) * w + iw;
                                y[o] += x.getAtIndex(JAVA_FLOAT, e) / divisor;
                                dx[e] += g.getAtIndex(JAVA_FLOAT, o) / divisor;
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < y.length; i++) {
                assertEquals(y[i], simd[0][i], 1e-5, "y at " + i);
            }
            for (int i = 0; i < dx.length; i++) {
                assertEquals(dx[i], simd[1][i], 1e-5, "dx at " + i);
            }
        }
    }

    @Test
    void windowsFollowPyTorch() {
        // 5 elements, kernel 3, stride 2, padding 1: windows [-1, 2), [1, 4), [3, 6) clipped, each divided by 3.
        Axis sliding = Axis.sliding(5, 3, 2, 1);
        assertArrayEquals(new int[] {0, 1, 3}, sliding.start());
        assertArrayEquals(new int[] {2, 4, 5}, sliding.end());
        assertArrayEquals(new int[] {3, 3, 3}, sliding.divisor());
        // 7 elements into 3: [0, 3), [2, 5), [4, 7); 3 into 4: [0, 1), [0, 2), [1, 3), [2, 3).
        Axis adaptive = Axis.adaptive(7, 3);
        assertArrayEquals(new int[] {0, 2, 4}, adaptive.start());
        assertArrayEquals(new int[] {3, 5, 7}, adaptive.end());
        assertArrayEquals(new int[] {3, 3, 3}, adaptive.divisor());
        Axis more = Axis.adaptive(3, 4);
        assertArrayEquals(new int[] {0, 0, 1, 2}, more.start());
        assertArrayEquals(new int[] {1, 2, 3, 3}, more.end());
        assertArrayEquals(new int[] {1, 2, 2, 1}, more.divisor());
    }

    @Test
    void handWorkedWindows() {
        float[] plane = {
            1, 2, 3, 4,
            5, 6, 7, 8,
            9, 10, 11, 12,
            13, 14, 15, 16};
        for (boolean simd : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = arena.allocateFrom(JAVA_FLOAT, plane);
                MemorySegment g = arena.allocateFrom(JAVA_FLOAT, 4, 8, 12, 16);
                float[][] result = run(x, g, 1, 4, 4, Axis.sliding(4, 2, 2, 0), Axis.sliding(4, 2, 2, 0), simd);
                assertArrayEquals(new float[] {3.5f, 5.5f, 11.5f, 13.5f}, result[0]);
                assertArrayEquals(new float[] {
                    1, 1, 2, 2,
                    1, 1, 2, 2,
                    3, 3, 4, 4,
                    3, 3, 4, 4}, result[1]);
            }
        }
    }
}

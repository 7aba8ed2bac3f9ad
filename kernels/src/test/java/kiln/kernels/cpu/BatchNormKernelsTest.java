package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batch-norm passes over {@code [N, C, S]}: SIMD against the scalar reference, on features (S = 1,
 * a lane per channel) and runs (S > 1), with channel and run lengths of 1, lanes − 1, lanes, lanes + 1
 * and primes, over a block of channels in the middle (the channels outside it stay untouched): the
 * elementwise passes bit for bit, the sums within float rounding of the double reference; and the
 * same results whether the channels are done in one block or one at a time.
 */
class BatchNormKernelsTest {
    private static final int LANES = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();

    /** N, C, S */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(5, 3, 1), Arguments.of(7, LANES - 1, 1), Arguments.of(4, LANES, 1), Arguments.of(3, 2 * LANES + 1, 1),
                Arguments.of(4, 3, LANES - 1), Arguments.of(3, 4, LANES), Arguments.of(2, 3, LANES + 1), Arguments.of(3, 5, 97),
                Arguments.of(2, 2, 2), Arguments.of(1, 7, 1), Arguments.of(2, 3, BatchNormKernels.CHUNK + 5));
    }

    private static MemorySegment random(Arena arena, long n, long seed, double offset) {
        MemorySegment s = arena.allocate(n * Float.BYTES);
        SplittableRandom rng = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, i, (float) (offset + rng.nextGaussian()));
        }
        return s;
    }

    private static float[] randomArray(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest(name = "[{0}, {1}, {2}]")
    @MethodSource("shapes")
    void sumsAgreeWithTheDoubleReference(int n, int channels, int s) {
        int first = channels > 2 ? 1 : 0, end = channels > 2 ? channels - 1 : channels;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, (long) n * channels * s, 1, 3), b = random(arena, (long) n * channels * s, 2, -1);
            float[] alpha = randomArray(channels, 3), beta = randomArray(channels, 4);
            double[][] scalar = new double[2][channels], simd = new double[2][channels];
            withSimd(false, () -> BatchNormKernels.sums(scalar[0], scalar[1], a, 0, b, 0, alpha, beta, n, channels, s, first, end));
            withSimd(true, () -> BatchNormKernels.sums(simd[0], simd[1], a, 0, b, 0, alpha, beta, n, channels, s, first, end));
            // Float partial sums of at most CHUNK terms of size ≲ 5 (products ≲ 25): a few float ulps of the total's scale.
            double terms = (double) n * s;
            for (int c = 0; c < channels; c++) {
                boolean inside = c >= first && c < end;
                assertEquals(scalar[0][c], simd[0][c], inside ? 1e-5 * terms : 0, "Σ(a − α) of channel " + c);
                assertEquals(scalar[1][c], simd[1][c], inside ? 1e-4 * terms : 0, "Σ(a − α)(b − β) of channel " + c);
            }
            // Channel by channel: the same sums as in one block.
            double[][] single = new double[2][channels];
            withSimd(true, () -> {
                for (int c = first; c < end; c++) {
                    BatchNormKernels.sums(single[0], single[1], a, 0, b, 0, alpha, beta, n, channels, s, c, c + 1);
                }
            });
            assertArrayEquals(simd[0], single[0]);
            assertArrayEquals(simd[1], single[1]);
        }
    }

    @ParameterizedTest(name = "[{0}, {1}, {2}]")
    @MethodSource("shapes")
    void elementwisePassesGiveTheReferencesBits(int n, int channels, int s) {
        int first = channels > 2 ? 1 : 0, end = channels > 2 ? channels - 1 : channels;
        long size = (long) n * channels * s;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, size, 5, 0.5), g = random(arena, size, 6, 0);
            float[] scale = randomArray(channels, 7), shift = randomArray(channels, 8), mean = randomArray(channels, 9);
            float[] gMean = randomArray(channels, 10), k = randomArray(channels, 11);
            float[][] normalized = new float[2][], gradient = new float[2][];
            for (int simd = 0; simd < 2; simd++) {
                MemorySegment out = arena.allocate(size * Float.BYTES), dx = arena.allocate(size * Float.BYTES);
                withSimd(simd == 1, () -> {
                    BatchNormKernels.normalize(out, 0, x, 0, mean, scale, shift, n, channels, s, first, end);
                    BatchNormKernels.inputGradient(dx, 0, g, 0, x, 0, mean, gMean, k, scale, n, channels, s, first, end);
                });
                normalized[simd] = out.toArray(JAVA_FLOAT);
                gradient[simd] = dx.toArray(JAVA_FLOAT);
            }
            assertArrayEquals(normalized[0], normalized[1], "normalize");
            assertArrayEquals(gradient[0], gradient[1], "inputGradient");
            for (int i = 0; i < n; i++) {                    // the formulas, and nothing written outside the block
                for (int c = 0; c < channels; c++) {
                    for (int j = 0; j < s; j++) {
                        long at = ((long) i * channels + c) * s + j;
                        float xv = x.getAtIndex(JAVA_FLOAT, at), gv = g.getAtIndex(JAVA_FLOAT, at);
                        boolean inside = c >= first && c < end;
                        assertEquals(inside ? Math.fma(xv - mean[c], scale[c], shift[c]) : 0, normalized[1][(int) at], "normalize at " + at);
                        assertEquals(inside ? Math.fma(-(xv - mean[c]), k[c], gv - gMean[c]) * scale[c] : 0, gradient[1][(int) at],
                                "inputGradient at " + at);
                    }
                }
            }
        }
    }
}

package kiln.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The forward micro-kernels against each other: the narrow one, for the last positions of the wide
 * rows, must give the wide one's bits (the engine's ConvolutionTest checks both against the definition).
 */
class ImplicitGemmConvTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void theNarrowKernelGivesTheWideKernelsBits(int vectors) {
        int channels = 3, kernel = 3, paddedH = 9, paddedW = 11;
        int[] offsets = ImplicitGemmConv.offsets(channels, kernel, kernel, paddedH, paddedW);
        int taps = offsets.length;
        SplittableRandom random = new SplittableRandom(vectors);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment w = randomFloats(arena, 5L * taps, random);                     // 5 filters: the last row repeats
            MemorySegment xp = randomFloats(arena, (long) channels * paddedH * paddedW + ImplicitGemmConv.SLACK, random);
            float[] wide = new float[ImplicitGemmConv.ROWS * ImplicitGemmConv.COLS];
            float[] narrow = new float[wide.length];
            ImplicitGemmConv.forwardKernel(wide, w, 0, taps, 5, xp, 3, offsets);
            ImplicitGemmConv.forwardKernelNarrow(narrow, w, 0, taps, 5, xp, 3, offsets, vectors);
            for (int r = 0; r < ImplicitGemmConv.ROWS; r++) {
                for (int t = 0; t < vectors * L; t++) {
                    int at = r * ImplicitGemmConv.COLS + t;
                    assertEquals(Float.floatToRawIntBits(wide[at]), Float.floatToRawIntBits(narrow[at]), "row " + r + ", position " + t);
                }
            }
        }
    }

    private static MemorySegment randomFloats(Arena arena, long count, SplittableRandom random) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
        }
        return s;
    }
}

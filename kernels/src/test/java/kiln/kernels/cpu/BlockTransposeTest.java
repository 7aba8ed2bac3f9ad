package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The shuffle transpose against its scalar reference, bit for bit, over every awkward block shape, writing nothing else. */
class BlockTransposeTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();

    @Test
    void matchesTheReferenceForEveryShapeAndWritesNothingElse() {
        SplittableRandom random = new SplittableRandom(6);
        int[] sizes = {0, 1, 2, L / 2 - 1, L / 2, L / 2 + 1, L - 1, L};
        try (Arena arena = Arena.ofConfined()) {
            for (int lines : sizes) {
                for (int len : sizes) {
                    for (int width : sizes) {
                        if (width < lines) {
                            continue;
                        }
                        // Lines a prime number of floats apart, from an odd offset; rows of the result
                        // wider than width, so that a store past a row's width would show.
                        long at = 3, stride = L + 7, dstAt = 5, dstStride = width + 3;
                        MemorySegment src = arena.allocate((at + L * stride + L) * Float.BYTES);
                        for (long i = 0; i < src.byteSize() / Float.BYTES; i++) {
                            src.setAtIndex(JAVA_FLOAT, i, (float) random.nextGaussian());
                        }
                        long dstFloats = dstAt + L * dstStride + L;
                        MemorySegment fast = arena.allocate(dstFloats * Float.BYTES), reference = arena.allocate(dstFloats * Float.BYTES);
                        fast.fill((byte) 0x7f);   // a sentinel (3.4e38) wherever nothing should be written
                        reference.fill((byte) 0x7f);
                        BlockTranspose.transpose(src, at, stride, lines, len, fast, dstAt, dstStride, width);
                        BlockTranspose.transposeReference(src, at, stride, lines, len, reference, dstAt, dstStride, width);
                        for (long i = 0; i < dstFloats; i++) {
                            assertEquals(Float.floatToRawIntBits(reference.getAtIndex(JAVA_FLOAT, i)), Float.floatToRawIntBits(fast.getAtIndex(JAVA_FLOAT, i)),
                                    "lines " + lines + ", len " + len + ", width " + width + ": float " + i + " of the result");
                        }
                    }
                }
            }
        }
    }

    @Test
    void linesBecomeRows() {
        // Two lines of L values: 0, 1, 2, … and 100, 101, …; row q of the result is (q, 100 + q, 0).
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(2L * L * Float.BYTES), dst = arena.allocate(3L * L * Float.BYTES);
            for (int p = 0; p < L; p++) {
                src.setAtIndex(JAVA_FLOAT, p, p);
                src.setAtIndex(JAVA_FLOAT, L + p, 100 + p);
            }
            BlockTranspose.transpose(src, 0, L, 2, L, dst, 0, 3, 3);
            for (int q = 0; q < L; q++) {
                assertEquals(q, dst.getAtIndex(JAVA_FLOAT, 3L * q));
                assertEquals(100 + q, dst.getAtIndex(JAVA_FLOAT, 3L * q + 1));
                assertEquals(0, dst.getAtIndex(JAVA_FLOAT, 3L * q + 2));
            }
        }
    }
}

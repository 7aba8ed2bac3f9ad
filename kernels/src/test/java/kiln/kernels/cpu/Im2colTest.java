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
import org.junit.jupiter.api.Test;

/**
 * im2col and col2im: the fast paths against the scalar references, bit for bit, on awkward images
 * and windows (padding wider than a row's reach, strides past the kernel, dilation, 1×1, rows
 * longer than a vector and shorter than one), with data at an offset and sentinels around it; the
 * references against a hand-worked example; and col2im as the adjoint of im2col.
 */
class Im2colTest {
    private static final float SENTINEL = -7777f;
    private static final long OFF = 3;

    /** Image [C, H, W] and window: kernel, stride, padding, dilation as (h, w) pairs. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(1, 28, 28, new WindowGeometry(5, 5, 1, 1, 2, 2, 1, 1)),   // LeNet's first layer
                Arguments.of(6, 14, 14, new WindowGeometry(5, 5, 1, 1, 0, 0, 1, 1)),   // and its second
                Arguments.of(2, 7, 6, new WindowGeometry(3, 2, 2, 2, 1, 1, 1, 1)),
                Arguments.of(3, 9, 37, new WindowGeometry(2, 3, 1, 2, 2, 0, 2, 1)),
                Arguments.of(2, 5, 5, new WindowGeometry(2, 2, 3, 3, 0, 0, 1, 1)),
                Arguments.of(2, 4, 3, new WindowGeometry(3, 3, 1, 1, 3, 3, 1, 1)),     // windows entirely in the padding
                Arguments.of(3, 6, 19, new WindowGeometry(1, 1, 1, 1, 0, 0, 1, 1)),
                Arguments.of(1, 3, 40, new WindowGeometry(3, 5, 1, 1, 1, 4, 1, 3)));
    }

    private static MemorySegment random(Arena arena, long n, long seed) {
        MemorySegment s = filled(arena, OFF + n + 8);
        SplittableRandom rng = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, OFF + i, (float) rng.nextDouble(-1, 1));
        }
        return s;
    }

    private static MemorySegment filled(Arena arena, long floats) {
        MemorySegment s = arena.allocate(floats * Float.BYTES, 64);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(JAVA_FLOAT, i, SENTINEL);
        }
        return s;
    }

    private static float[] read(MemorySegment s, long floats) {
        float[] out = new float[(int) floats];
        MemorySegment.copy(s, JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    @ParameterizedTest(name = "{0}x{1}x{2}, {3}")
    @MethodSource("cases")
    void im2colFastPathEqualsTheReference(int c, int h, int w, WindowGeometry window) {
        long size = Im2col.columnsSize(c, h, w, window);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = random(arena, (long) c * h * w, 1);
            MemorySegment fast = filled(arena, OFF + size + 8), reference = filled(arena, OFF + size + 8);
            withSimd(true, () -> Im2col.im2col(image, OFF, c, h, w, window, -2.5f, fast, OFF));
            withSimd(false, () -> Im2col.im2col(image, OFF, c, h, w, window, -2.5f, reference, OFF));
            assertArrayEquals(read(reference, OFF + size + 8), read(fast, OFF + size + 8), window.toString());
        }
    }

    @ParameterizedTest(name = "{0}x{1}x{2}, {3}")
    @MethodSource("cases")
    void col2imFastPathEqualsTheReferenceAndIsTheAdjoint(int c, int h, int w, WindowGeometry window) {
        long size = Im2col.columnsSize(c, h, w, window);
        long pixels = (long) c * h * w;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment columns = random(arena, size, 2);
            MemorySegment fast = random(arena, pixels, 3), reference = random(arena, pixels, 3);   // adds to what is there
            withSimd(true, () -> Im2col.col2im(columns, OFF, c, h, w, window, fast, OFF));
            withSimd(false, () -> Im2col.col2im(columns, OFF, c, h, w, window, reference, OFF));
            assertArrayEquals(read(reference, OFF + pixels + 8), read(fast, OFF + pixels + 8), window.toString());

            // <im2col(x), g> = <x, col2im(g)> for any x and g: the gradient of a copy is the sum back.
            MemorySegment x = random(arena, pixels, 4);
            MemorySegment xColumns = filled(arena, OFF + size);
            MemorySegment back = filled(arena, OFF + pixels);
            back.asSlice(OFF * Float.BYTES).fill((byte) 0);
            Im2col.im2col(x, OFF, c, h, w, window, 0f, xColumns, OFF);
            Im2col.col2im(columns, OFF, c, h, w, window, back, OFF);
            double left = 0, right = 0, scale = 0;
            for (long i = 0; i < size; i++) {
                double term = (double) xColumns.getAtIndex(JAVA_FLOAT, OFF + i) * columns.getAtIndex(JAVA_FLOAT, OFF + i);
                left += term;
                scale += Math.abs(term);
            }
            for (long i = 0; i < pixels; i++) {
                right += (double) x.getAtIndex(JAVA_FLOAT, OFF + i) * back.getAtIndex(JAVA_FLOAT, OFF + i);
            }
            // col2im's float sums of at most kH·kW terms: relative error far below 1e-5 of Σ|terms|.
            assertEquals(left, right, 1e-5 * scale + 1e-12, window.toString());
        }
    }

    /** The 4×4 image of the Windows picture: a 2×2 kernel with stride 2 takes every other element per tap. */
    @Test
    void referencesMatchAHandWorkedExample() {
        WindowGeometry window = new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(16 * Float.BYTES);
            for (int i = 0; i < 16; i++) {
                image.setAtIndex(JAVA_FLOAT, i, i);             // a..p as 0..15
            }
            MemorySegment columns = arena.allocate(16 * Float.BYTES);
            Im2col.im2colReference(image, 0, 1, 4, 4, window, 0f, columns, 0);
            assertArrayEquals(new float[] {0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15}, read(columns, 16));
            // Padding 1 with a 3×3 kernel on a 1×1 image: only the centre tap reads it.
            MemorySegment one = arena.allocate(Float.BYTES);
            one.setAtIndex(JAVA_FLOAT, 0, 5f);
            MemorySegment taps = arena.allocate(9 * Float.BYTES);
            Im2col.im2colReference(one, 0, 1, 1, 1, new WindowGeometry(3, 3, 1, 1, 1, 1, 1, 1), -1f, taps, 0);
            assertArrayEquals(new float[] {-1, -1, -1, -1, 5, -1, -1, -1, -1}, read(taps, 9));
            // Its gradient: the centre tap's entry goes back, the padding's are dropped.
            MemorySegment grad = arena.allocate(Float.BYTES);
            for (int i = 0; i < 9; i++) {
                taps.setAtIndex(JAVA_FLOAT, i, i + 1);
            }
            Im2col.col2imReference(taps, 0, 1, 1, 1, new WindowGeometry(3, 3, 1, 1, 1, 1, 1, 1), grad, 0);
            assertEquals(5f, grad.getAtIndex(JAVA_FLOAT, 0));
        }
    }
}

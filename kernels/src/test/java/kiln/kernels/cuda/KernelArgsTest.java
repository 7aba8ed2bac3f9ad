package kiln.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Parameter i of a launch is a pointer to its value, at the width the kernel declares. */
class KernelArgsTest {
    @Test
    void eachParameterPointsAtItsValue() {
        try (Arena arena = Arena.ofConfined()) {
            KernelArgs args = KernelArgs.of(arena).pointer(0x1234_5678_9abcL).int32(-7).float32(2.5f).int64s(3, 4, 5).int64(1L << 40);
            assertEquals(5, args.count());
            MemorySegment params = args.parameters();
            assertEquals(0x1234_5678_9abcL, value(params, 0, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(-7, value(params, 1, 4).get(ValueLayout.JAVA_INT, 0));
            assertEquals(2.5f, value(params, 2, 4).get(ValueLayout.JAVA_FLOAT, 0));
            assertArrayEquals(new long[] {3, 4, 5}, value(params, 3, 24).toArray(ValueLayout.JAVA_LONG));
            assertEquals(1L << 40, value(params, 4, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0, args.clear().count());
        }
    }

    @Test
    void tooManyParametersAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            KernelArgs args = KernelArgs.of(arena);
            for (int i = 0; i < KernelArgs.MAX_ARGS; i++) {
                args.int32(i);
            }
            assertThrows(IllegalStateException.class, () -> args.int32(0));
            assertThrows(IllegalStateException.class, () -> args.int64s(1, 2));
        }
    }

    private static MemorySegment value(MemorySegment params, int index, long bytes) {
        return params.getAtIndex(ValueLayout.ADDRESS, index).reinterpret(bytes);
    }
}

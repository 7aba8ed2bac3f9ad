package kiln.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Large buffers start on a huge-page boundary and are ordinary, usable memory; small ones keep the 64-byte alignment. */
class HugePagesTest {

    @Test
    void largeBuffersAreHugePageAlignedAndSmallOnesCacheLineAligned() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = HugePages.allocate(arena, 1000);
            MemorySegment large = HugePages.allocate(arena, HugePages.SIZE + 12);
            assertEquals(1000, small.byteSize());
            assertEquals(0, small.address() % 64);
            assertEquals(HugePages.SIZE + 12, large.byteSize());
            assertEquals(0, large.address() % HugePages.SIZE);
            large.setAtIndex(ValueLayout.JAVA_FLOAT, large.byteSize() / Float.BYTES - 1, 3f);
            assertEquals(3f, large.getAtIndex(ValueLayout.JAVA_FLOAT, large.byteSize() / Float.BYTES - 1));
            HugePages.advise(large.address(), 100);   // less than a page: nothing to advise, no error
        }
    }
}

package kiln.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * The advice comes before the first touch, so Linux backs the buffer with huge pages as it is
     * written. (When the memory came zeroed from the arena, every page was touched first and the
     * buffer stayed on 4 KiB pages.) Needs Linux with transparent huge pages on request or always.
     */
    @Test
    void aLargeBufferIsBackedByHugePagesOnceWritten() throws IOException {
        Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        assumeTrue(Files.isReadable(setting) && !Files.readString(setting).contains("[never]"),
                "transparent huge pages are off or absent on this system");
        long bytes = 4 * HugePages.SIZE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = HugePages.allocate(arena, bytes);
            for (long at = 0; at < bytes; at += 4096) {
                buffer.set(ValueLayout.JAVA_BYTE, at, (byte) 1);
            }
            long hugeKb = anonHugePagesKb(buffer.address());
            assertTrue(hugeKb >= HugePages.SIZE / 1024, "only " + hugeKb + " kB of the 8 MiB buffer on huge pages");
        }
    }

    /** AnonHugePages of the mapping that holds {@code address}, from /proc/self/smaps. */
    private static long anonHugePagesKb(long address) throws IOException {
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                inside = Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16);
            } else if (inside && line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no mapping holds address " + Long.toHexString(address));
    }
}

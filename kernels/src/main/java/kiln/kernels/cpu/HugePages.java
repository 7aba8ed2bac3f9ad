package kiln.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Transparent huge pages for large buffers: memory of at least {@link #SIZE} starts on a huge-page
 * boundary and is offered to Linux for 2 MiB pages ({@code madvise(MADV_HUGEPAGE)}), as PyTorch's
 * CPU allocator does. Tensor blocks ({@code kiln.engine.NativeMemory}) and the GEMM's packing
 * buffers use it.
 *
 * <p>Why: a stream through 4 KiB pages stalls at every page boundary, where the hardware prefetchers
 * stop, and the TLB misses. Measured here with {@code ./kiln bench memory} (one core, 64 MiB operands):
 * sum 15.0 GB/s over 4 KiB pages and 23.6 over huge pages; add 18.2 and 22.7. Where Linux's setting
 * ({@code /sys/kernel/mm/transparent_hugepage/enabled}) is {@code never}, or on another system, the
 * advice is not given or changes nothing.
 */
public final class HugePages {
    /** One x86-64 huge page: 2 MiB. */
    public static final long SIZE = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;
    /** {@code int madvise(void *addr, size_t length, int advice)}, or null off Linux. */
    private static final MethodHandle MADVISE = madvise();

    private HugePages() {}

    /**
     * Asks Linux to back the whole huge pages of {@code [address, address + length)} with
     * transparent huge pages when they are first touched. Advice, not a request: a refusal leaves
     * 4 KiB pages, and madvise's result is ignored on purpose. {@code address} should be a multiple of {@link #SIZE}.
     */
    public static void advise(long address, long length) {
        long whole = length / SIZE * SIZE;
        if (MADVISE == null || whole == 0) {
            return;
        }
        try {
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(address), whole, MADV_HUGEPAGE);
        } catch (Throwable e) {
            throw new IllegalStateException("madvise failed", e);
        }
    }

    /**
     * {@code bytes} from {@code arena}, 64-byte aligned; from {@link #SIZE} up, huge-page aligned and
     * advised for huge pages.
     */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (bytes < SIZE) {
            return arena.allocate(bytes, 64);
        }
        MemorySegment segment = arena.allocate(bytes, SIZE);
        advise(segment.address(), bytes);
        return segment;
    }

    private static MethodHandle madvise() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("madvise").map(address -> linker.downcallHandle(address,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT))).orElse(null);
    }
}

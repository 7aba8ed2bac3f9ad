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
    /**
     * {@code void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)} and
     * {@code int munmap(void *addr, size_t length)}, or null off Linux.
     */
    private static final MethodHandle MMAP = linuxFunction("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = linuxFunction("munmap",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    /** Linux's values (the same on x86-64 and arm64): readable and writable private memory, backed by no file. */
    private static final int PROT_READ_WRITE = 0x1 | 0x2, MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;

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
     * {@code bytes} of zeroed memory that live as long as {@code arena}, 64-byte aligned; from
     * {@link #SIZE} up on Linux, fresh pages {@link #map mapped} for huge pages.
     *
     * <p>Why not {@code arena.allocate} for the large ones too? It zeroes the memory, which touches
     * every page before the advice can be given, so Linux backs the buffer with 4 KiB pages (seen:
     * 16 of a 64 MiB buffer's MiB on huge pages, and those only once khugepaged had gathered them).
     */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (bytes < SIZE || !maps()) {
            return arena.allocate(bytes, 64);
        }
        long address = map(bytes);
        if (address == 0) {
            throw new OutOfMemoryError("kiln: mmap could not map " + bytes + " bytes for a huge-page buffer");
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, unused -> unmap(address, bytes));
    }

    /** Whether {@link #map} can be used: on Linux. */
    public static boolean maps() {
        return MMAP != null && MUNMAP != null;
    }

    /**
     * Maps fresh, zeroed pages for {@code bytes} (rounded up to whole huge pages), starting on a
     * huge-page boundary, and advises them for huge pages before anything touches them: the address,
     * or 0 if Linux has no memory. Give them back with {@link #unmap} and the same {@code bytes}.
     *
     * <p>Why not the C library's {@code aligned_alloc}? Below its mmap threshold (which grows up to
     * 32 MiB as blocks are freed) it hands out heap memory that earlier blocks have touched already,
     * and the advice then comes too late.
     */
    public static long map(long bytes) {
        long length = wholePages(bytes);
        long mapped = mmap(length + SIZE);                         // room to start on a boundary
        if (mapped == 0) {
            return 0;
        }
        long start = (mapped + SIZE - 1) / SIZE * SIZE;
        if (start > mapped) {
            munmap(mapped, start - mapped);                        // the unaligned head
        }
        munmap(start + length, mapped + SIZE - start);             // and what is left past the end
        advise(start, length);
        return start;
    }

    /** Gives back what {@link #map} mapped for {@code bytes} at {@code address}. */
    public static void unmap(long address, long bytes) {
        munmap(address, wholePages(bytes));
    }

    private static long wholePages(long bytes) {
        return (bytes + SIZE - 1) / SIZE * SIZE;
    }

    /** Anonymous private memory, readable and writable: its address, or 0 when mmap fails. */
    private static long mmap(long length) {
        long mapped;
        try {
            mapped = ((MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L)).address();
        } catch (Throwable e) {
            throw new IllegalStateException("mmap failed", e);
        }
        return mapped == -1 ? 0 : mapped;                          // -1: MAP_FAILED
    }

    private static void munmap(long address, long length) {
        int result;
        try {
            result = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
        if (result != 0) {
            throw new IllegalStateException("munmap of " + length + " bytes at 0x" + Long.toHexString(address) + " failed");
        }
    }

    private static MethodHandle madvise() {
        return linuxFunction("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    /** A C library function of Linux, or null elsewhere (or if it is missing). */
    private static MethodHandle linuxFunction(String name, FunctionDescriptor descriptor) {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find(name).map(address -> linker.downcallHandle(address, descriptor)).orElse(null);
    }
}

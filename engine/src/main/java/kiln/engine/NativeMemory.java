package kiln.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap memory for tensor data: 64-byte aligned blocks from the C library, counted, and freed
 * exactly once, either deterministically (a tensor closed by hand or by its {@link MemoryScope}) or
 * by the garbage collector as a safety net when every tensor over a block became unreachable.
 *
 * <p>Why not one {@code Arena.ofShared()} per tensor? Closing a shared arena costs about 50 µs here
 * (a handshake with every thread), far too much for the many small temporaries of a training step.
 * Instead each block is wrapped in a segment tied to an automatic arena whose cleanup frees the
 * block; since a segment keeps its arena reachable, memory a kernel is still reading can never be
 * collected under it. Deterministic release frees the block at once and the cleanup becomes a no-op.
 *
 * <p>Budget: an allocation that would take the live total past {@link #budget()} first asks the
 * garbage collector to run the safety net and retries, the way the JDK's direct buffers do; only then
 * does it fail with an {@link OutOfMemoryError} that says how much is live. Set the budget with
 * {@code -Dkiln.memory.budget=8g} (default: three quarters of physical memory).
 */
public final class NativeMemory {
    /** Every block starts on a 64-byte boundary: one cache line, one 512-bit vector. */
    public static final long ALIGNMENT = 64;

    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_BLOCKS = new AtomicLong();
    private static final long BUDGET = parseBudget(System.getProperty("kiln.memory.budget"));

    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        ALIGNED_ALLOC = linker.downcallHandle(linker.defaultLookup().find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    private NativeMemory() {}

    /** Bytes of tensor data currently allocated and not yet freed. */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /**
     * {@link #liveBytes()} once the garbage collector's safety net has freed every unreachable tensor:
     * collects and waits until the figure stops changing (up to about a second). For leak tests and
     * diagnostics, not for hot paths.
     */
    public static long settledLiveBytes() {
        long previous = -1;
        for (int round = 0; round < 50; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = liveBytes();
            if (now == previous) {
                return now;
            }
            previous = now;
        }
        return liveBytes();
    }

    /** Blocks currently allocated and not yet freed. */
    public static long liveBlocks() {
        return LIVE_BLOCKS.get();
    }

    /** The live-byte total past which allocation first collects garbage, then fails. */
    public static long budget() {
        return BUDGET;
    }

    /** One block of native memory, freed at most once whoever asks first. */
    static final class Block {
        final MemorySegment segment;
        final long bytes;
        private final long address;
        private final AtomicBoolean freed = new AtomicBoolean();

        private Block(long address, long bytes) {
            this.address = address;
            this.bytes = bytes;
            // The cleanup captures this block's state, never the segment, or the arena would stay reachable.
            Freer freer = new Freer(address, bytes, freed);
            this.segment = MemorySegment.ofAddress(address).reinterpret(bytes, Arena.ofAuto(), ignored -> freer.run());
        }

        /** Frees the block now; later calls (and the garbage collector's cleanup) do nothing. */
        void free() {
            new Freer(address, bytes, freed).run();
        }
    }

    private record Freer(long address, long bytes, AtomicBoolean freed) implements Runnable {
        @Override
        public void run() {
            if (freed.compareAndSet(false, true)) {
                try {
                    FREE.invokeExact(MemorySegment.ofAddress(address));
                } catch (Throwable e) {
                    throw new IllegalStateException("free() failed", e);
                }
                LIVE_BYTES.addAndGet(-bytes);
                LIVE_BLOCKS.decrementAndGet();
            }
        }
    }

    /** Allocates {@code bytes} (contents undefined), collecting garbage first if the budget requires. */
    static Block allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate a negative number of bytes: " + bytes);
        }
        reserve(bytes);
        long rounded = Math.max(ALIGNMENT, (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
        MemorySegment pointer;
        try {
            pointer = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGNMENT, rounded);
        } catch (Throwable e) {
            throw new IllegalStateException("aligned_alloc failed", e);
        }
        if (pointer.address() == 0) {
            LIVE_BYTES.addAndGet(-bytes);
            throw new OutOfMemoryError("kiln: the C library could not allocate " + format(bytes) + " of native memory");
        }
        LIVE_BLOCKS.incrementAndGet();
        return new Block(pointer.address(), bytes);
    }

    /** Counts {@code bytes} as live, after giving the GC's safety net a chance if over budget. */
    private static void reserve(long bytes) {
        if (tryReserve(bytes)) {
            return;
        }
        // Over budget: tensors that became unreachable without being closed may be holding memory.
        long sleepMillis = 1;
        for (int attempt = 0; attempt < 9; attempt++) {
            System.gc();
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (tryReserve(bytes)) {
                return;
            }
            sleepMillis *= 2;
        }
        throw new OutOfMemoryError("kiln: off-heap budget exceeded: " + format(LIVE_BYTES.get()) + " live, "
                + format(bytes) + " requested, budget " + format(BUDGET)
                + " (close tensors or use a MemoryScope; raise with -Dkiln.memory.budget=SIZE)");
    }

    private static boolean tryReserve(long bytes) {
        while (true) {
            long live = LIVE_BYTES.get();
            if (live + bytes > BUDGET && bytes > 0) {
                return false;
            }
            if (LIVE_BYTES.compareAndSet(live, live + bytes)) {
                return true;
            }
        }
    }

    static long parseBudget(String text) {
        if (text == null || text.isBlank()) {
            long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
            return physical / 4 * 3;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            long value = Long.parseLong(digits) * unit;
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dkiln.memory.budget must be a positive size like 512m or 8g, got '" + text + "'");
        }
    }

    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int u = -1;
        while (value >= 1024 && u < units.length - 1) {
            value /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[u]);
    }
}

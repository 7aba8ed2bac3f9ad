package kiln.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import kiln.kernels.SizeClasses;
import kiln.kernels.cpu.HugePages;

/**
 * Off-heap memory for tensor data: 64-byte aligned blocks from the C library (from 2 MiB, fresh pages
 * mapped for huge pages, see {@link HugePages}), counted, and freed
 * exactly once, either deterministically (a tensor closed by hand or by its {@link MemoryScope}) or
 * by the garbage collector as a safety net when every tensor over a block became unreachable.
 *
 * <p>Why not one {@code Arena.ofShared()} per tensor? Closing a shared arena costs about 50 µs here
 * (a handshake with every thread), far too much for the many small temporaries of a training step.
 * Instead each block is wrapped in a segment tied to an automatic arena whose cleanup frees the
 * block; since a segment keeps its arena reachable, memory a kernel is still reading can never be
 * collected under it. Deterministic release frees the block at once (into the cache, below) and the
 * cleanup stays armed for the block's next tenant: a {@link Block} outlives the tensors it serves,
 * so that reusing it makes no new arena and registers no new cleanup (together about 0.15 µs, three
 * times in a batch-1 inference).
 *
 * <p>Cache: a freed block is not handed back to the C library but kept for reuse, so that the
 * steady state of a training loop (the same temporaries, step after step) allocates nothing from the
 * operating system: no {@code mmap}/{@code munmap} and no page faults on fresh pages, which glibc would
 * otherwise pay for every block above its mmap threshold. Blocks come in {@link SizeClasses}, four per
 * doubling, so that at most 20% of a block goes unused. Freed blocks wait in one free list per
 * class, newest first. The cache holds at most {@link #cacheLimit()} bytes ({@code -Dkiln.memory.cache=1g};
 * default a quarter of the budget); a block that would overflow it first releases the whole cache to
 * the C library (the blocks of a past phase, say an evaluation with another batch size, make way for
 * the current one). {@link #releaseCache()} does the same on demand. {@link #liveBytes()} counts the
 * bytes tensors asked for, {@link #cachedBytes()} the capacity of the cached blocks, and
 * {@link #osAllocations()} the calls to the C library.
 *
 * <p>Budget: an allocation that would take the footprint (live plus cached bytes) past
 * {@link #budget()} first releases the cache, then asks the garbage collector to run the safety net
 * and retries, the way the JDK's direct buffers do; only then does it fail with an
 * {@link OutOfMemoryError} that says how much is live. Set the budget with
 * {@code -Dkiln.memory.budget=8g} (default: three quarters of physical memory).
 *
 * <p>Memory from {@link #allocate} has undefined contents, fresh or reused, as {@code aligned_alloc}'s
 * always had: {@link Tensor#zerosLike} and the other factories fill what they promise.
 */
public final class NativeMemory {
    /** Every block starts on a 64-byte boundary: one cache line, one 512-bit vector. */
    public static final long ALIGNMENT = 64;

    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_BLOCKS = new AtomicLong();
    private static final AtomicLong OS_ALLOCATIONS = new AtomicLong();
    private static final long BUDGET = parseBudget(System.getProperty("kiln.memory.budget"));
    private static final long CACHE_LIMIT = parseCacheLimit(System.getProperty("kiln.memory.cache"), BUDGET);
    private static final BlockCache CACHE = new BlockCache(CACHE_LIMIT);

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

    /** The footprint (live plus cached bytes) past which allocation first releases the cache, then collects garbage, then fails. */
    public static long budget() {
        return BUDGET;
    }

    /** Bytes of freed blocks kept for reuse (their whole capacity). */
    public static long cachedBytes() {
        return CACHE.bytes();
    }

    /** The most bytes the cache keeps ({@code -Dkiln.memory.cache}). */
    public static long cacheLimit() {
        return CACHE_LIMIT;
    }

    /** How many blocks were allocated from the C library ({@code aligned_alloc}) since start-up. */
    public static long osAllocations() {
        return OS_ALLOCATIONS.get();
    }

    /** Hands every cached block back to the C library. Tensors are not affected. */
    public static void releaseCache() {
        CACHE.release();
    }

    /**
     * One tensor storage's hold on a block: the first {@code bytes} of it. Freed at most once,
     * whoever asks first; the block then goes back to the cache.
     */
    static final class Allocation {
        final MemorySegment segment;
        final long bytes;
        private final Block block;
        private final AtomicBoolean freed = new AtomicBoolean();

        private Allocation(Block block, long bytes) {
            this.block = block;
            this.bytes = bytes;
            this.segment = block.segment.asSlice(0, bytes);   // the same arena: it keeps the block's reachable
        }

        /** Frees the block now; later calls do nothing. */
        void free() {
            if (freed.compareAndSet(false, true) && block.tenancy.state.compareAndSet(IN_USE, CACHED)) {
                countFreed(bytes);
                CACHE.keep(block);
            }
        }
    }

    /** A block is held by a tensor, waits in the cache, or is gone (back to the C library, or its address re-wrapped). */
    static final int IN_USE = 0, CACHED = 1, GONE = 2;

    /**
     * A block of native memory from the C library, at {@code address}, of its size class's capacity,
     * and a segment over all of it tied to an automatic arena. When the garbage collector finds the
     * arena unreachable while a tensor still held the block (a tensor dropped without being closed),
     * the cleanup frees the tensor's bytes and caches the address in a new block.
     */
    static final class Block {
        final MemorySegment segment;
        final Tenancy tenancy;

        Block(long address, int sizeClass, int state, long bytes) {
            // The cleanup captures the tenancy, never this block or its segment, or the arena would stay reachable.
            Tenancy held = new Tenancy(address, sizeClass, state, bytes);
            this.tenancy = held;
            this.segment = MemorySegment.ofAddress(address).reinterpret(SizeClasses.capacity(sizeClass), Arena.ofAuto(), ignored -> held.abandoned());
        }
    }

    /** What a block's cleanup needs: where the block is, its state, and how many bytes its tenant counts as live. */
    private static final class Tenancy {
        final long address;
        final int sizeClass;
        final AtomicInteger state;
        volatile long bytes;

        Tenancy(long address, int sizeClass, int state, long bytes) {
            this.address = address;
            this.sizeClass = sizeClass;
            this.state = new AtomicInteger(state);
            this.bytes = bytes;
        }

        /** The garbage collector's cleanup: a tenant never freed the block (after a free, or a release, it does nothing). */
        void abandoned() {
            if (state.compareAndSet(IN_USE, GONE)) {
                countFreed(bytes);
                CACHE.keep(new Block(address, sizeClass, CACHED, 0));
            }
        }
    }

    private static void countFreed(long bytes) {
        LIVE_BYTES.addAndGet(-bytes);
        LIVE_BLOCKS.decrementAndGet();
    }

    /**
     * Allocates {@code bytes} (contents undefined) from the cache, or from the C library when the
     * cache has no block of its size class; releases the cache and collects garbage first if the
     * budget requires.
     */
    static Allocation allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate a negative number of bytes: " + bytes);
        }
        int sizeClass = SizeClasses.of(bytes);
        reserve(bytes);
        Block block = CACHE.take(sizeClass);
        if (block != null) {
            block.tenancy.bytes = bytes;
            block.tenancy.state.set(IN_USE);
        } else {
            long address = allocateFromOs(SizeClasses.capacity(sizeClass));
            if (address == 0) {
                CACHE.release();                   // the C library may lack memory that the cache holds
                address = allocateFromOs(SizeClasses.capacity(sizeClass));
            }
            if (address == 0) {
                LIVE_BYTES.addAndGet(-bytes);
                throw new OutOfMemoryError("kiln: the C library could not allocate " + format(bytes) + " of native memory");
            }
            block = new Block(address, sizeClass, IN_USE, bytes);
        }
        LIVE_BLOCKS.incrementAndGet();
        return new Allocation(block, bytes);
    }

    /**
     * {@code aligned_alloc(64, capacity)}, or for a block of a huge page or more fresh pages mapped
     * for huge pages ({@link HugePages#map}; {@code aligned_alloc(2 MiB, capacity)} where Linux's
     * mmap is not at hand): an address, or 0 when there is no memory.
     */
    static long allocateFromOs(long capacity) {
        OS_ALLOCATIONS.incrementAndGet();
        if (mapped(capacity)) {
            return HugePages.map(capacity);
        }
        try {
            return ((MemorySegment) ALIGNED_ALLOC.invokeExact(capacity >= HugePages.SIZE ? HugePages.SIZE : ALIGNMENT, capacity)).address();
        } catch (Throwable e) {
            throw new IllegalStateException("aligned_alloc failed", e);
        }
    }

    /** Gives back a block that {@link #allocateFromOs} made with this capacity. */
    private static void freeToOs(long address, long capacity) {
        if (mapped(capacity)) {
            HugePages.unmap(address, capacity);
            return;
        }
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable e) {
            throw new IllegalStateException("free() failed", e);
        }
    }

    /** Whether a block of this capacity is mapped by {@link HugePages} rather than taken from the C library. */
    private static boolean mapped(long capacity) {
        return capacity >= HugePages.SIZE && HugePages.maps();
    }

    // ------------------------------------------------------------------------------ size classes

    /**
     * Freed blocks by size class, each class a stack (the most recently freed, the most likely still
     * in cache, is reused first). One lock: a training step frees and allocates a few hundred blocks,
     * each under the lock for a few dozen nanoseconds.
     */
    static final class BlockCache {
        private final long limit;
        private final Block[][] blocks = new Block[SizeClasses.COUNT][];
        private final int[] counts = new int[SizeClasses.COUNT];
        private final AtomicLong bytes = new AtomicLong();     // read without the lock by the budget check

        BlockCache(long limit) {
            this.limit = limit;
        }

        long bytes() {
            return bytes.get();
        }

        /** A cached block of {@code sizeClass}, or null if there is none. */
        synchronized Block take(int sizeClass) {
            int count = counts[sizeClass];
            if (count == 0) {
                return null;
            }
            counts[sizeClass] = count - 1;
            bytes.addAndGet(-SizeClasses.capacity(sizeClass));
            Block block = blocks[sizeClass][count - 1];
            blocks[sizeClass][count - 1] = null;
            return block;
        }

        /**
         * Keeps a freed block, releasing the whole cache first if it would pass the limit; a block
         * larger than the limit goes straight back to the C library.
         */
        synchronized void keep(Block block) {
            int sizeClass = block.tenancy.sizeClass;
            long capacity = SizeClasses.capacity(sizeClass);
            if (bytes.get() + capacity > limit) {
                release();
                if (capacity > limit) {
                    giveBack(block);
                    return;
                }
            }
            int count = counts[sizeClass];
            if (blocks[sizeClass] == null) {
                blocks[sizeClass] = new Block[8];
            } else if (count == blocks[sizeClass].length) {
                blocks[sizeClass] = Arrays.copyOf(blocks[sizeClass], 2 * count);
            }
            blocks[sizeClass][count] = block;
            counts[sizeClass] = count + 1;
            bytes.addAndGet(capacity);
        }

        /** Frees every cached block to the C library. */
        synchronized void release() {
            for (int c = 0; c < SizeClasses.COUNT; c++) {
                for (int i = 0; i < counts[c]; i++) {
                    giveBack(blocks[c][i]);
                    blocks[c][i] = null;
                }
                bytes.addAndGet(-counts[c] * SizeClasses.capacity(c));
                counts[c] = 0;
            }
        }

        /** The block's memory back to the C library; its segment's cleanup, when it comes, then does nothing. */
        private static void giveBack(Block block) {
            block.tenancy.state.set(GONE);
            freeToOs(block.tenancy.address, SizeClasses.capacity(block.tenancy.sizeClass));
        }
    }

    /**
     * Counts {@code bytes} as live. Over budget, releases the cache, then gives the GC's safety net a
     * chance, then fails.
     */
    private static void reserve(long bytes) {
        if (tryReserve(bytes)) {
            return;
        }
        CACHE.release();
        if (tryReserve(bytes)) {
            return;
        }
        // Still over budget: tensors that became unreachable without being closed may be holding memory.
        long sleepMillis = 1;
        for (int attempt = 0; attempt < 9; attempt++) {
            System.gc();
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            CACHE.release();                       // what the safety net freed went to the cache
            if (tryReserve(bytes)) {
                return;
            }
            sleepMillis *= 2;
        }
        throw new OutOfMemoryError("kiln: off-heap budget exceeded: " + format(LIVE_BYTES.get()) + " live, "
                + format(bytes) + " requested, budget " + format(BUDGET)
                + " (close tensors or use a MemoryScope; raise with -Dkiln.memory.budget=SIZE)");
    }

    /** Counts {@code bytes} as live if the footprint, live plus cached, stays within the budget. */
    private static boolean tryReserve(long bytes) {
        while (true) {
            long live = LIVE_BYTES.get();
            if (live + CACHE.bytes() + bytes > BUDGET && bytes > 0) {
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
        return parseSize("kiln.memory.budget", text);
    }

    /** {@code -Dkiln.memory.cache}: a size (0 turns the cache off), by default a quarter of the budget. */
    static long parseCacheLimit(String text, long budget) {
        if (text == null || text.isBlank()) {
            return budget / 4;
        }
        return text.trim().equals("0") ? 0 : parseSize("kiln.memory.cache", text);
    }

    /** A positive size like 512m or 8g (k, m, g, t: powers of 1024). */
    private static long parseSize(String property, String text) {
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
            throw new IllegalArgumentException("-D" + property + " must be a positive size like 512m or 8g, got '" + text + "'");
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

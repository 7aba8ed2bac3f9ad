package kiln.kernels.cuda;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import kiln.kernels.SizeClasses;

/**
 * A caching allocator for device memory: a training step's buffers come back from a cache, not from
 * {@code cuMemAlloc}, which synchronizes with the device and costs microseconds to milliseconds a
 * call. Blocks come in {@link SizeClasses} (at most 20% of a block unused); a freed block waits in its
 * class's free list, newest first, for the next request of that class. The cache keeps everything
 * until {@link #releaseCache()}, or until the device runs out of memory: then the cache is handed back
 * to the driver and the allocation tried once more, as PyTorch's allocator does.
 *
 * <p>One allocator per context, used from any thread (one lock; an allocation holds it for well
 * under a microsecond when the cache serves it).
 */
public final class DeviceMemory {
    private final CudaDriver driver;
    /** Cached device pointers by size class, each a stack. */
    private final long[][] cached = new long[SizeClasses.COUNT][];
    private final int[] cachedCount = new int[SizeClasses.COUNT];
    /** The blocks held by their users: pointer to size class, so that a wrong or second free is caught. */
    private final Map<Long, Integer> live = new HashMap<>();
    private long liveBytes, cachedBytes, driverAllocations;

    public DeviceMemory(CudaDriver driver) {
        this.driver = driver;
    }

    /** At least {@code bytes} of device memory (contents undefined), from the cache when it can. */
    public synchronized long allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a device allocation needs a positive size, got " + bytes);
        }
        int sizeClass = SizeClasses.of(bytes);
        long capacity = SizeClasses.capacity(sizeClass);
        long pointer;
        if (cachedCount[sizeClass] > 0) {
            pointer = cached[sizeClass][--cachedCount[sizeClass]];
            cachedBytes -= capacity;
        } else {
            pointer = fromDriver(capacity);
        }
        live.put(pointer, sizeClass);
        liveBytes += capacity;
        return pointer;
    }

    /** Gives a block back to the cache; a pointer this allocator did not hand out, or one freed already, is refused. */
    public synchronized void free(long pointer) {
        Integer sizeClass = live.remove(pointer);
        if (sizeClass == null) {
            throw new IllegalArgumentException("0x" + Long.toHexString(pointer) + " is not a live block of this allocator (freed twice?)");
        }
        long capacity = SizeClasses.capacity(sizeClass);
        liveBytes -= capacity;
        long[] stack = cached[sizeClass];
        if (stack == null || cachedCount[sizeClass] == stack.length) {
            cached[sizeClass] = stack = Arrays.copyOf(stack == null ? new long[0] : stack, Math.max(4, 2 * cachedCount[sizeClass]));
        }
        stack[cachedCount[sizeClass]++] = pointer;
        cachedBytes += capacity;
    }

    /** Hands every cached block back to the driver; live blocks are not affected. */
    public synchronized void releaseCache() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            for (int i = 0; i < cachedCount[c]; i++) {
                driver.free(cached[c][i]);
            }
            cachedCount[c] = 0;
        }
        cachedBytes = 0;
    }

    /** The capacity of the blocks in use. */
    public synchronized long liveBytes() {
        return liveBytes;
    }

    /** The capacity of the blocks waiting in the cache. */
    public synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** How many blocks came from {@code cuMemAlloc} since this allocator was made. */
    public synchronized long driverAllocations() {
        return driverAllocations;
    }

    /** A new block from the driver; out of memory, the cache goes back first and the driver is asked again. */
    private long fromDriver(long capacity) {
        try {
            return counted(driver.allocate(capacity));
        } catch (CudaException full) {
            if (full.code() != OUT_OF_MEMORY) {
                throw full;
            }
            long released = cachedBytes;
            releaseCache();
            try {
                return counted(driver.allocate(capacity));
            } catch (CudaException stillFull) {
                if (stillFull.code() != OUT_OF_MEMORY) {
                    throw stillFull;
                }
                OutOfMemoryError error = new OutOfMemoryError(String.format(
                        "kiln: the GPU has no room for %d more bytes (%d bytes live in this allocator; %d bytes of cache given back first)",
                        capacity, liveBytes, released));
                error.initCause(stillFull);
                throw error;
            }
        }
    }

    private long counted(long pointer) {
        driverAllocations++;
        return pointer;
    }

    /** {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    private static final int OUT_OF_MEMORY = 2;
}

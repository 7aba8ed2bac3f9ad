package kiln.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A kernel's parameters as {@code cuLaunchKernel} takes them: an array of pointers, entry i pointing
 * at the value of parameter i, laid out as the kernel declares it ({@code float*} and {@code long
 * long} take 8 bytes, {@code int} and {@code float} 4). Built in the order of the kernel's signature:
 * {@code KernelArgs.of(arena).pointer(out).float32(value).int64(n)} for
 * {@code kiln_fill_f32(float* out, float value, long long n)}. The values live in
 * {@code arena}; the driver copies them when the launch is made, so the arguments can be reused or
 * freed right after.
 */
public final class KernelArgs {
    /** More than any Kiln kernel takes; cuLaunchKernel allows up to 32 KiB of parameters. */
    static final int MAX_ARGS = 32;
    private final Arena arena;
    private final MemorySegment pointers;
    private final MemorySegment values;
    private int count;

    private KernelArgs(Arena arena) {
        this.arena = arena;
        this.pointers = arena.allocate(ValueLayout.ADDRESS, MAX_ARGS);
        this.values = arena.allocate(8L * MAX_ARGS, 8);
    }

    public static KernelArgs of(Arena arena) {
        return new KernelArgs(arena);
    }

    /** A device pointer ({@code T*}): 64 bits, as a {@code long long}. */
    public KernelArgs pointer(long devicePointer) {
        return int64(devicePointer);
    }

    /** A {@code long long} or {@code size_t}. */
    public KernelArgs int64(long value) {
        slot().set(ValueLayout.JAVA_LONG, 0, value);
        return this;
    }

    /** An {@code int}. */
    public KernelArgs int32(int value) {
        slot().set(ValueLayout.JAVA_INT, 0, value);
        return this;
    }

    /** A {@code float}. */
    public KernelArgs float32(float value) {
        slot().set(ValueLayout.JAVA_FLOAT, 0, value);
        return this;
    }

    /**
     * A struct of {@code long long}s passed by value, such as a tensor's shape and strides: the
     * kernel declares a struct whose fields are exactly these values, in this order.
     */
    public KernelArgs int64s(long... fields) {
        if (count == MAX_ARGS) {
            throw new IllegalStateException("a kernel takes at most " + MAX_ARGS + " parameters here");
        }
        MemorySegment struct = arena.allocateFrom(ValueLayout.JAVA_LONG, fields);
        pointers.setAtIndex(ValueLayout.ADDRESS, count, struct);
        count++;
        return this;
    }

    /** How many parameters so far. */
    public int count() {
        return count;
    }

    /** The {@code void**} to hand to cuLaunchKernel, in native memory. */
    public MemorySegment parameters() {
        return pointers;
    }

    /** Forgets the parameters, to build the next launch's in the same memory. */
    public KernelArgs clear() {
        count = 0;
        return this;
    }

    private MemorySegment slot() {
        if (count == MAX_ARGS) {
            throw new IllegalStateException("a kernel takes at most " + MAX_ARGS + " parameters here");
        }
        MemorySegment slot = values.asSlice(8L * count, 8);
        pointers.setAtIndex(ValueLayout.ADDRESS, count, slot);
        count++;
        return slot;
    }
}

package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The memory behind one or more tensors: a tensor and all its views share one storage. It counts the
 * open tensors over it and frees its block when the last one closes.
 */
final class Storage {
    private final NativeMemory.Allocation block;
    private final Device device;
    private final AtomicInteger openTensors = new AtomicInteger();

    private Storage(NativeMemory.Allocation block, Device device) {
        this.block = block;
        this.device = device;
    }

    /** Fresh storage of {@code bytes} bytes, contents undefined. */
    static Storage allocate(long bytes, Device device) {
        if (device.kind() != Device.Kind.CPU) {
            throw new UnsupportedOperationException("storage on " + device + " is not available: this build has only the CPU backend");
        }
        return new Storage(NativeMemory.allocate(bytes), device);
    }

    MemorySegment segment() {
        return block.segment;
    }

    long bytes() {
        return block.bytes;
    }

    Device device() {
        return device;
    }

    void retain() {
        openTensors.incrementAndGet();
    }

    void release() {
        if (openTensors.decrementAndGet() == 0) {
            block.free();
        }
    }
}

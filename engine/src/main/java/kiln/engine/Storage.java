package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The memory behind one or more tensors: a tensor and all its views share one storage. It counts the
 * open tensors over it and frees its block when the last one closes. On the CPU the block is host
 * memory ({@link NativeMemory}); on a GPU it is device memory from that device's {@link CudaBackend},
 * which Java code cannot read: its tensors are read by copying them to the CPU.
 */
final class Storage {
    /** Host memory, or null on a GPU. */
    private final NativeMemory.Allocation block;
    /** The GPU's backend and the device pointer, or null and 0 on the CPU. */
    private final CudaBackend gpu;
    private final long devicePointer;
    private final long bytes;
    private final Device device;
    private final AtomicInteger openTensors = new AtomicInteger();

    private Storage(NativeMemory.Allocation block, CudaBackend gpu, long devicePointer, long bytes, Device device) {
        this.block = block;
        this.gpu = gpu;
        this.devicePointer = devicePointer;
        this.bytes = bytes;
        this.device = device;
    }

    /** Fresh storage of {@code bytes} bytes on {@code device}, contents undefined. */
    static Storage allocate(long bytes, Device device) {
        if (device.kind() == Device.Kind.CPU) {
            return new Storage(NativeMemory.allocate(bytes), null, 0, bytes, device);
        }
        CudaBackend gpu = Backends.cuda(device);
        return new Storage(null, gpu, gpu.allocate(Math.max(1, bytes)), bytes, device);
    }

    /** The host memory; a tensor on a GPU has none, and says how to read it instead. */
    MemorySegment segment() {
        if (block == null) {
            throw new IllegalStateException("the data of a tensor on " + device + " is in GPU memory: copy it with .to(Device.CPU) to read it");
        }
        return block.segment;
    }

    /** The device pointer of a GPU tensor's memory. */
    long devicePointer() {
        if (gpu == null) {
            throw new IllegalStateException("a tensor on the CPU has no device pointer");
        }
        return devicePointer;
    }

    long bytes() {
        return bytes;
    }

    Device device() {
        return device;
    }

    void retain() {
        openTensors.incrementAndGet();
    }

    void release() {
        if (openTensors.decrementAndGet() == 0) {
            if (block != null) {
                block.free();
            } else {
                gpu.free(devicePointer);
            }
        }
    }
}

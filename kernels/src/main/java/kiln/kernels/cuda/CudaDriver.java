package kiln.kernels.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The few CUDA driver calls Kiln uses, behind one small interface, so that two bindings can stand in
 * for each other and check each other on a GPU. Handles (contexts, modules, functions, streams,
 * events) are the driver's pointers as {@code long}s; device memory is a {@code CUdeviceptr}, also a
 * {@code long}; a device is its ordinal's {@code CUdevice}. Every failing call throws a
 * {@link CudaException} naming the call and the driver's error.
 */
public interface CudaDriver {
    /** {@code CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT}. */
    int ATTRIBUTE_MULTIPROCESSORS = 16;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR} and {@code _MINOR}. */
    int ATTRIBUTE_CAPABILITY_MAJOR = 75, ATTRIBUTE_CAPABILITY_MINOR = 76;

    /** Which binding this is, for messages ("FFM", "JCuda"). */
    String name();

    /** {@code cuInit(0)}: must come first. */
    void init();

    /** {@code cuDriverGetVersion}: e.g. 13000 for CUDA 13.0. */
    int driverVersion();

    int deviceCount();

    /** {@code cuDeviceGet}: the device handle of an ordinal. */
    int device(int ordinal);

    String deviceName(int device);

    int attribute(int device, int attribute);

    /** {@code cuDeviceTotalMem_v2}, in bytes. */
    long totalMemory(int device);

    /** {@code cuDevicePrimaryCtxRetain}: the device's primary context, shared with every other user in this process. */
    long retainPrimaryContext(int device);

    /** {@code cuDevicePrimaryCtxRelease_v2}. */
    void releasePrimaryContext(int device);

    /** {@code cuCtxSetCurrent}: binds a context to the calling thread. */
    void setCurrentContext(long context);

    /** {@code cuCtxSynchronize}: waits for all work of the current context. */
    void synchronizeContext();

    /** {@code cuModuleLoadData}: loads a fatbin, cubin or PTX image held in {@code image}. */
    long loadModule(MemorySegment image);

    /** {@code cuModuleGetFunction}: a kernel of a module by its (unmangled) name. */
    long function(long module, String name);

    void unloadModule(long module);

    /** {@code cuMemAlloc_v2}: {@code bytes} of device memory. */
    long allocate(long bytes);

    /** {@code cuMemFree_v2}. */
    void free(long pointer);

    /** {@code cuMemcpyHtoD_v2}: {@code bytes} from host memory to the device; waits until done. */
    void copyToDevice(long device, MemorySegment host, long bytes);

    /** {@code cuMemcpyDtoH_v2}: {@code bytes} from the device to host memory; waits until done. */
    void copyToHost(MemorySegment host, long device, long bytes);

    /** {@code cuMemcpyHtoDAsync_v2} on {@code stream}: host memory must stay valid until the stream gets there. */
    void copyToDeviceAsync(long device, MemorySegment host, long bytes, long stream);

    /** {@code cuMemcpyDtoHAsync_v2} on {@code stream}. */
    void copyToHostAsync(MemorySegment host, long device, long bytes, long stream);

    /** {@code cuStreamCreate} with default flags. */
    long createStream();

    void synchronizeStream(long stream);

    /** {@code cuStreamDestroy_v2}. */
    void destroyStream(long stream);

    /** {@code cuEventCreate} with default flags (timing enabled). */
    long createEvent();

    void recordEvent(long event, long stream);

    void synchronizeEvent(long event);

    /** {@code cuEventElapsedTime}: milliseconds between two recorded events. */
    float elapsedMillis(long start, long end);

    /** {@code cuEventDestroy_v2}. */
    void destroyEvent(long event);

    /**
     * {@code cuLaunchKernel}: runs {@code function} on a grid of blocks, with {@code sharedBytes} of
     * dynamic shared memory, on {@code stream} (0: the legacy default stream), with {@code args} as its
     * parameters. Returns at once; errors of the kernel itself show at the next synchronizing call.
     */
    void launch(long function, Dim3 grid, Dim3 block, int sharedBytes, long stream, KernelArgs args);

    /** {@code cuGetErrorName}: the name of a {@code CUresult}, or {@code CUDA_ERROR_UNKNOWN_CODE}. */
    String errorName(int code);
}

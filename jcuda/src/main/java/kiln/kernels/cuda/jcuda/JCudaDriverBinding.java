package kiln.kernels.cuda.jcuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import kiln.kernels.cuda.CudaDriver;
import kiln.kernels.cuda.CudaException;
import kiln.kernels.cuda.Dim3;
import kiln.kernels.cuda.KernelArgs;

/**
 * {@link CudaDriver} through JCuda's driver API, to cross-check {@code FfmCudaDriver}: the same calls,
 * made by another hand. JCuda speaks in objects (CUmodule, CUstream...) and keeps their addresses to
 * itself; the interface's handles are opaque numbers, so this binding numbers the objects it hands out
 * and finds them again by number. Device pointers are real addresses (kernels take them as arguments),
 * read from and rebuilt into JCuda's CUdeviceptr. Host memory is passed as the direct ByteBuffer of
 * its native segment.
 */
final class JCudaDriverBinding implements CudaDriver {
    private final Map<Long, CUcontext> contexts = new ConcurrentHashMap<>();
    private final Map<Long, CUmodule> modules = new ConcurrentHashMap<>();
    private final Map<Long, CUfunction> functions = new ConcurrentHashMap<>();
    private final Map<Long, CUstream> streams = new ConcurrentHashMap<>();
    private final Map<Long, CUevent> events = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    /**
     * JCuda loads its own native library, which finds {@code libcuda.so.1} on the system's library
     * path: {@code library} must be that name (point LD_LIBRARY_PATH elsewhere to use another driver).
     */
    JCudaDriverBinding(String library) {
        if (!library.equals("libcuda.so.1")) {
            throw new IllegalStateException("JCuda finds libcuda.so.1 on the library path (LD_LIBRARY_PATH), not at " + library);
        }
        try {
            JCudaDriver.setExceptionsEnabled(false);     // results come back as codes, checked here as by the FFM binding
        } catch (LinkageError e) {
            throw new IllegalArgumentException("JCuda could not load the CUDA driver: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "JCuda";
    }

    @Override
    public void init() {
        check("cuInit", JCudaDriver.cuInit(0));
    }

    @Override
    public int driverVersion() {
        int[] version = new int[1];
        check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(version));
        return version[0];
    }

    @Override
    public int deviceCount() {
        int[] count = new int[1];
        check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(count));
        return count[0];
    }

    @Override
    public int device(int ordinal) {
        CUdevice device = new CUdevice();
        check("cuDeviceGet", JCudaDriver.cuDeviceGet(device, ordinal));
        return ordinal;                                   // a CUdevice is its ordinal in the driver API
    }

    @Override
    public String deviceName(int device) {
        byte[] name = new byte[256];
        check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(name, name.length, handle(device)));
        int end = 0;
        while (end < name.length && name[end] != 0) {
            end++;
        }
        return new String(name, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public int attribute(int device, int attribute) {
        int[] value = new int[1];
        check("cuDeviceGetAttribute", JCudaDriver.cuDeviceGetAttribute(value, attribute, handle(device)));
        return value[0];
    }

    @Override
    public long totalMemory(int device) {
        long[] bytes = new long[1];
        check("cuDeviceTotalMem_v2", JCudaDriver.cuDeviceTotalMem(bytes, handle(device)));
        return bytes[0];
    }

    @Override
    public long retainPrimaryContext(int device) {
        CUcontext context = new CUcontext();
        check("cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(context, handle(device)));
        return keep(contexts, context);
    }

    @Override
    public void releasePrimaryContext(int device) {
        check("cuDevicePrimaryCtxRelease_v2", JCudaDriver.cuDevicePrimaryCtxRelease(handle(device)));
    }

    @Override
    public void setCurrentContext(long context) {
        check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context == 0 ? null : find(contexts, context, "context")));
    }

    @Override
    public void synchronizeContext() {
        check("cuCtxSynchronize", JCudaDriver.cuCtxSynchronize());
    }

    @Override
    public long loadModule(MemorySegment image) {
        if (!image.isNative()) {
            throw new IllegalArgumentException("a module image must be in native memory");
        }
        CUmodule module = new CUmodule();
        check("cuModuleLoadData", JCudaDriver.cuModuleLoadData(module, image.toArray(ValueLayout.JAVA_BYTE)));
        return keep(modules, module);
    }

    @Override
    public long function(long module, String name) {
        CUfunction function = new CUfunction();
        check("cuModuleGetFunction(" + name + ")", JCudaDriver.cuModuleGetFunction(function, find(modules, module, "module"), name));
        return keep(functions, function);
    }

    @Override
    public void unloadModule(long module) {
        check("cuModuleUnload", JCudaDriver.cuModuleUnload(find(modules, module, "module")));
        modules.remove(module);
    }

    @Override
    public long allocate(long bytes) {
        DevicePointer pointer = new DevicePointer();
        check("cuMemAlloc_v2(" + bytes + " bytes)", JCudaDriver.cuMemAlloc(pointer, bytes));
        return pointer.address();
    }

    @Override
    public void free(long pointer) {
        check("cuMemFree_v2", JCudaDriver.cuMemFree(device(pointer)));
    }

    @Override
    public void copyToDevice(long device, MemorySegment host, long bytes) {
        check("cuMemcpyHtoD_v2", JCudaDriver.cuMemcpyHtoD(device(device), host(host, bytes), bytes));
    }

    @Override
    public void copyToHost(MemorySegment host, long device, long bytes) {
        check("cuMemcpyDtoH_v2", JCudaDriver.cuMemcpyDtoH(host(host, bytes), device(device), bytes));
    }

    @Override
    public void copyToDeviceAsync(long device, MemorySegment host, long bytes, long stream) {
        check("cuMemcpyHtoDAsync_v2", JCudaDriver.cuMemcpyHtoDAsync(device(device), host(host, bytes), bytes, stream(stream)));
    }

    @Override
    public void copyToHostAsync(MemorySegment host, long device, long bytes, long stream) {
        check("cuMemcpyDtoHAsync_v2", JCudaDriver.cuMemcpyDtoHAsync(host(host, bytes), device(device), bytes, stream(stream)));
    }

    @Override
    public long createStream() {
        CUstream stream = new CUstream();
        check("cuStreamCreate", JCudaDriver.cuStreamCreate(stream, 0));
        return keep(streams, stream);
    }

    @Override
    public void synchronizeStream(long stream) {
        check("cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream(stream)));
    }

    @Override
    public void destroyStream(long stream) {
        check("cuStreamDestroy_v2", JCudaDriver.cuStreamDestroy(stream(stream)));
        streams.remove(stream);
    }

    @Override
    public long createEvent() {
        CUevent event = new CUevent();
        check("cuEventCreate", JCudaDriver.cuEventCreate(event, 0));
        return keep(events, event);
    }

    @Override
    public void recordEvent(long event, long stream) {
        check("cuEventRecord", JCudaDriver.cuEventRecord(find(events, event, "event"), stream(stream)));
    }

    @Override
    public void synchronizeEvent(long event) {
        check("cuEventSynchronize", JCudaDriver.cuEventSynchronize(find(events, event, "event")));
    }

    @Override
    public float elapsedMillis(long start, long end) {
        float[] millis = new float[1];
        check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(millis, find(events, start, "event"), find(events, end, "event")));
        return millis[0];
    }

    @Override
    public void destroyEvent(long event) {
        check("cuEventDestroy_v2", JCudaDriver.cuEventDestroy(find(events, event, "event")));
        events.remove(event);
    }

    @Override
    public void launch(long function, Dim3 grid, Dim3 block, int sharedBytes, long stream, KernelArgs args) {
        // KernelArgs already holds the void** the driver wants, in native memory: handed over as it is.
        Pointer parameters = Pointer.to(args.parameters().asByteBuffer());   // JCuda passes a direct buffer's address as it is
        check("cuLaunchKernel", JCudaDriver.cuLaunchKernel(find(functions, function, "function"), grid.x(), grid.y(), grid.z(),
                block.x(), block.y(), block.z(), sharedBytes, stream(stream), parameters, null));
    }

    @Override
    public String errorName(int code) {
        String[] name = new String[1];
        int result = JCudaDriver.cuGetErrorName(code, name);
        return result != 0 || name[0] == null ? "CUDA_ERROR_UNKNOWN_CODE" : name[0];
    }

    private void check(String call, int result) {
        if (result != 0) {
            throw new CudaException(call, result, errorName(result));
        }
    }

    /** JCuda's CUdevice of an ordinal, which is the device's handle in the driver API. */
    private static CUdevice handle(int device) {
        CUdevice handle = new CUdevice();
        int result = JCudaDriver.cuDeviceGet(handle, device);
        if (result != 0) {
            throw new CudaException("cuDeviceGet", result, "device " + device);
        }
        return handle;
    }

    /** A device pointer at {@code address}, by JCuda's pointer arithmetic from null. */
    private static CUdeviceptr device(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    /** The legacy default stream is 0 in the interface and null in JCuda. */
    private CUstream stream(long stream) {
        return stream == 0 ? null : find(streams, stream, "stream");
    }

    private static Pointer host(MemorySegment host, long bytes) {
        if (!host.isNative()) {
            throw new IllegalArgumentException("copies go through native memory; got a heap segment");
        }
        if (bytes < 0 || bytes > host.byteSize()) {
            throw new IllegalArgumentException("a copy of " + bytes + " bytes does not fit a host segment of " + host.byteSize());
        }
        ByteBuffer buffer = host.asByteBuffer();
        return Pointer.to(buffer);
    }

    /** Numbers a JCuda object, so that the interface's handle finds it again. */
    private <T> long keep(Map<Long, T> kept, T handle) {
        long number = nextHandle.getAndIncrement();
        kept.put(number, handle);
        return number;
    }

    private static <T> T find(Map<Long, T> kept, long number, String what) {
        T handle = kept.get(number);
        if (handle == null) {
            throw new IllegalArgumentException("no " + what + " numbered " + number + " was made through this binding");
        }
        return handle;
    }

    /** A CUdeviceptr whose address can be read: JCuda's accessors are protected, reached by subclassing. */
    private static final class DevicePointer extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }
}

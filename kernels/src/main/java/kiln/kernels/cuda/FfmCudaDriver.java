package kiln.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The CUDA driver API ({@code libcuda.so.1}) bound by hand with the FFM API: one downcall handle per
 * function, the {@code _v2} entry points where the driver has them (the unsuffixed names of the
 * memory calls are the legacy 32-bit ones). {@code CUresult} is an int; {@code CUdevice} an int;
 * {@code CUdeviceptr} and {@code size_t} 64-bit; every handle a pointer. Out-parameters are written by
 * the driver into a small segment of a confined arena per call.
 */
public final class FfmCudaDriver implements CudaDriver {
    private static final Linker LINKER = Linker.nativeLinker();
    private final MethodHandle cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName, cuDeviceGetAttribute,
            cuDeviceTotalMem, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuCtxSetCurrent, cuCtxSynchronize,
            cuModuleLoadData, cuModuleGetFunction, cuModuleUnload, cuMemAlloc, cuMemFree, cuMemcpyHtoD, cuMemcpyDtoH,
            cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuStreamCreate, cuStreamSynchronize, cuStreamDestroy, cuEventCreate,
            cuEventRecord, cuEventSynchronize, cuEventElapsedTime, cuEventDestroy, cuLaunchKernel, cuGetErrorName;

    /**
     * Binds the driver library at {@code library}: a file name the system's loader searches for
     * ({@code libcuda.so.1}) or a path. Throws {@link IllegalArgumentException} when the library cannot
     * be loaded and {@link IllegalStateException} when it lacks a function.
     */
    public FfmCudaDriver(String library) {
        SymbolLookup lookup = library.contains("/")
                ? SymbolLookup.libraryLookup(Path.of(library), Arena.global())
                : SymbolLookup.libraryLookup(library, Arena.global());
        cuInit = bind(lookup, "cuInit", JAVA_INT);
        cuDriverGetVersion = bind(lookup, "cuDriverGetVersion", ADDRESS);
        cuDeviceGetCount = bind(lookup, "cuDeviceGetCount", ADDRESS);
        cuDeviceGet = bind(lookup, "cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = bind(lookup, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceGetAttribute = bind(lookup, "cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceTotalMem = bind(lookup, "cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRetain = bind(lookup, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = bind(lookup, "cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        cuCtxSetCurrent = bind(lookup, "cuCtxSetCurrent", ADDRESS);
        cuCtxSynchronize = bind(lookup, "cuCtxSynchronize");
        cuModuleLoadData = bind(lookup, "cuModuleLoadData", ADDRESS, ADDRESS);
        cuModuleGetFunction = bind(lookup, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        cuModuleUnload = bind(lookup, "cuModuleUnload", ADDRESS);
        cuMemAlloc = bind(lookup, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        cuMemFree = bind(lookup, "cuMemFree_v2", JAVA_LONG);
        cuMemcpyHtoD = bind(lookup, "cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        cuMemcpyDtoH = bind(lookup, "cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        cuMemcpyHtoDAsync = bind(lookup, "cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
        cuMemcpyDtoHAsync = bind(lookup, "cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuStreamCreate = bind(lookup, "cuStreamCreate", ADDRESS, JAVA_INT);
        cuStreamSynchronize = bind(lookup, "cuStreamSynchronize", ADDRESS);
        cuStreamDestroy = bind(lookup, "cuStreamDestroy_v2", ADDRESS);
        cuEventCreate = bind(lookup, "cuEventCreate", ADDRESS, JAVA_INT);
        cuEventRecord = bind(lookup, "cuEventRecord", ADDRESS, ADDRESS);
        cuEventSynchronize = bind(lookup, "cuEventSynchronize", ADDRESS);
        cuEventElapsedTime = bind(lookup, "cuEventElapsedTime", ADDRESS, ADDRESS, ADDRESS);
        cuEventDestroy = bind(lookup, "cuEventDestroy_v2", ADDRESS);
        cuLaunchKernel = bind(lookup, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuGetErrorName = bind(lookup, "cuGetErrorName", JAVA_INT, ADDRESS);
    }

    /** A handle for {@code CUresult name(arguments...)}. */
    private static MethodHandle bind(SymbolLookup lookup, String name, java.lang.foreign.MemoryLayout... arguments) {
        MemorySegment address = lookup.find(name)
                .orElseThrow(() -> new IllegalStateException("the CUDA driver library has no function " + name));
        return LINKER.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, arguments));
    }

    @Override
    public String name() {
        return "FFM";
    }

    @Override
    public void init() {
        check("cuInit", invoke(() -> (int) cuInit.invokeExact(0)));
    }

    @Override
    public int driverVersion() {
        return (int) out("cuDriverGetVersion", JAVA_INT, version -> (int) cuDriverGetVersion.invokeExact(version));
    }

    @Override
    public int deviceCount() {
        return (int) out("cuDeviceGetCount", JAVA_INT, count -> (int) cuDeviceGetCount.invokeExact(count));
    }

    @Override
    public int device(int ordinal) {
        return (int) out("cuDeviceGet", JAVA_INT, device -> (int) cuDeviceGet.invokeExact(device, ordinal));
    }

    @Override
    public String deviceName(int device) {
        try (Arena call = Arena.ofConfined()) {
            int capacity = 256;
            MemorySegment name = call.allocate(capacity);
            check("cuDeviceGetName", invoke(() -> (int) cuDeviceGetName.invokeExact(name, capacity, device)));
            name.set(JAVA_BYTE, capacity - 1, (byte) 0);       // a name that filled the buffer still ends
            return name.getString(0);
        }
    }

    @Override
    public int attribute(int device, int attribute) {
        return (int) out("cuDeviceGetAttribute", JAVA_INT, value -> (int) cuDeviceGetAttribute.invokeExact(value, attribute, device));
    }

    @Override
    public long totalMemory(int device) {
        return out("cuDeviceTotalMem_v2", JAVA_LONG, bytes -> (int) cuDeviceTotalMem.invokeExact(bytes, device));
    }

    @Override
    public long retainPrimaryContext(int device) {
        return out("cuDevicePrimaryCtxRetain", ADDRESS, context -> (int) cuDevicePrimaryCtxRetain.invokeExact(context, device));
    }

    @Override
    public void releasePrimaryContext(int device) {
        check("cuDevicePrimaryCtxRelease_v2", invoke(() -> (int) cuDevicePrimaryCtxRelease.invokeExact(device)));
    }

    @Override
    public void setCurrentContext(long context) {
        check("cuCtxSetCurrent", invoke(() -> (int) cuCtxSetCurrent.invokeExact(MemorySegment.ofAddress(context))));
    }

    @Override
    public void synchronizeContext() {
        check("cuCtxSynchronize", invoke(() -> (int) cuCtxSynchronize.invokeExact()));
    }

    @Override
    public long loadModule(MemorySegment image) {
        if (!image.isNative()) {
            throw new IllegalArgumentException("a module image must be in native memory");
        }
        return out("cuModuleLoadData", ADDRESS, module -> (int) cuModuleLoadData.invokeExact(module, image));
    }

    @Override
    public long function(long module, String name) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment cName = call.allocateFrom(name);
            return out("cuModuleGetFunction(" + name + ")", ADDRESS,
                    function -> (int) cuModuleGetFunction.invokeExact(function, MemorySegment.ofAddress(module), cName));
        }
    }

    @Override
    public void unloadModule(long module) {
        check("cuModuleUnload", invoke(() -> (int) cuModuleUnload.invokeExact(MemorySegment.ofAddress(module))));
    }

    @Override
    public long allocate(long bytes) {
        return out("cuMemAlloc_v2(" + bytes + " bytes)", JAVA_LONG, pointer -> (int) cuMemAlloc.invokeExact(pointer, bytes));
    }

    @Override
    public void free(long pointer) {
        check("cuMemFree_v2", invoke(() -> (int) cuMemFree.invokeExact(pointer)));
    }

    @Override
    public void copyToDevice(long device, MemorySegment host, long bytes) {
        checkHost(host, bytes);
        check("cuMemcpyHtoD_v2", invoke(() -> (int) cuMemcpyHtoD.invokeExact(device, host, bytes)));
    }

    @Override
    public void copyToHost(MemorySegment host, long device, long bytes) {
        checkHost(host, bytes);
        check("cuMemcpyDtoH_v2", invoke(() -> (int) cuMemcpyDtoH.invokeExact(host, device, bytes)));
    }

    @Override
    public void copyToDeviceAsync(long device, MemorySegment host, long bytes, long stream) {
        checkHost(host, bytes);
        MemorySegment s = MemorySegment.ofAddress(stream);
        check("cuMemcpyHtoDAsync_v2", invoke(() -> (int) cuMemcpyHtoDAsync.invokeExact(device, host, bytes, s)));
    }

    @Override
    public void copyToHostAsync(MemorySegment host, long device, long bytes, long stream) {
        checkHost(host, bytes);
        MemorySegment s = MemorySegment.ofAddress(stream);
        check("cuMemcpyDtoHAsync_v2", invoke(() -> (int) cuMemcpyDtoHAsync.invokeExact(host, device, bytes, s)));
    }

    @Override
    public long createStream() {
        return out("cuStreamCreate", ADDRESS, stream -> (int) cuStreamCreate.invokeExact(stream, 0));
    }

    @Override
    public void synchronizeStream(long stream) {
        check("cuStreamSynchronize", invoke(() -> (int) cuStreamSynchronize.invokeExact(MemorySegment.ofAddress(stream))));
    }

    @Override
    public void destroyStream(long stream) {
        check("cuStreamDestroy_v2", invoke(() -> (int) cuStreamDestroy.invokeExact(MemorySegment.ofAddress(stream))));
    }

    @Override
    public long createEvent() {
        return out("cuEventCreate", ADDRESS, event -> (int) cuEventCreate.invokeExact(event, 0));
    }

    @Override
    public void recordEvent(long event, long stream) {
        MemorySegment e = MemorySegment.ofAddress(event), s = MemorySegment.ofAddress(stream);
        check("cuEventRecord", invoke(() -> (int) cuEventRecord.invokeExact(e, s)));
    }

    @Override
    public void synchronizeEvent(long event) {
        check("cuEventSynchronize", invoke(() -> (int) cuEventSynchronize.invokeExact(MemorySegment.ofAddress(event))));
    }

    @Override
    public float elapsedMillis(long start, long end) {
        MemorySegment s = MemorySegment.ofAddress(start), e = MemorySegment.ofAddress(end);
        long bits = out("cuEventElapsedTime", JAVA_FLOAT, millis -> (int) cuEventElapsedTime.invokeExact(millis, s, e));
        return Float.intBitsToFloat((int) bits);
    }

    @Override
    public void destroyEvent(long event) {
        check("cuEventDestroy_v2", invoke(() -> (int) cuEventDestroy.invokeExact(MemorySegment.ofAddress(event))));
    }

    @Override
    public void launch(long function, Dim3 grid, Dim3 block, int sharedBytes, long stream, KernelArgs args) {
        MemorySegment f = MemorySegment.ofAddress(function), s = MemorySegment.ofAddress(stream), params = args.parameters();
        check("cuLaunchKernel", invoke(() -> (int) cuLaunchKernel.invokeExact(f, grid.x(), grid.y(), grid.z(),
                block.x(), block.y(), block.z(), sharedBytes, s, params, MemorySegment.NULL)));
    }

    @Override
    public String errorName(int code) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment name = call.allocate(ADDRESS);
            int result = invoke(() -> (int) cuGetErrorName.invokeExact(code, name));
            MemorySegment text = name.get(ADDRESS, 0);
            return result != 0 || text.address() == 0 ? "CUDA_ERROR_UNKNOWN_CODE" : text.reinterpret(256).getString(0);
        }
    }

    private void check(String call, int result) {
        if (result != 0) {
            throw new CudaException(call, result, errorName(result));
        }
    }

    private static void checkHost(MemorySegment host, long bytes) {
        if (!host.isNative()) {
            throw new IllegalArgumentException("copies go through native memory; got a heap segment");
        }
        if (bytes < 0 || bytes > host.byteSize()) {
            throw new IllegalArgumentException("a copy of " + bytes + " bytes does not fit a host segment of " + host.byteSize());
        }
    }

    /** A downcall that writes its result through the pointer it is given. */
    private interface OutCall {
        int run(MemorySegment result) throws Throwable;
    }

    /**
     * Makes a call whose result comes back through an out-parameter of {@code layout} (an int, a
     * 64-bit value, a pointer or a float), checks it, and returns the value's bits as a long.
     */
    private long out(String name, ValueLayout layout, OutCall call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment result = arena.allocate(8, 8);
            check(name, invoke(() -> call.run(result)));
            return layout.byteSize() == 8 ? result.get(JAVA_LONG, 0) : result.get(JAVA_INT, 0);
        }
    }

    /** A downcall, its Throwable (a handle's invokeExact declares one) passed on unchecked. */
    private interface Call {
        int run() throws Throwable;
    }

    private static int invoke(Call call) {
        try {
            return call.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}

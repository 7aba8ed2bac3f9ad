package kiln.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.CompareOp;
import kiln.kernels.cpu.ReduceOp;
import kiln.kernels.cpu.UnaryOp;
import kiln.kernels.cuda.CudaDriver;
import kiln.kernels.cuda.DeviceMemory;
import kiln.kernels.cuda.Dim3;
import kiln.kernels.cuda.KernelArgs;

/**
 * Ops on one NVIDIA GPU, through the CUDA driver ({@link CudaDriver}) and Kiln's kernels (the module
 * kiln-native builds): the device's primary context, the kernels' module, and a caching allocator
 * ({@link DeviceMemory}) for tensor storage. Every call first makes the context current on the
 * calling thread (the driver binds contexts per thread).
 *
 * <p>In progress (issue 7): the ops below run float32 tensors that are contiguous (no broadcasting
 * yet): fill, add, mul, ReLU, sums and softmax over rows, and the product of two matrices (the SGEMM kernel
 * with register tiles). Every other op refuses with an {@link UnsupportedOperationException} that
 * names it, rather than computing something else.
 */
final class CudaBackend implements Backend {
    /** Threads per block of the elementwise kernels, and the most blocks their grid-stride loops need. */
    private static final int THREADS = 256, MAX_BLOCKS = 4096;
    private final Device device;
    private final CudaDriver driver;
    private final int cuDevice;
    private final long context;
    private final long module;
    private final DeviceMemory memory;
    private final Map<String, Long> functions = new ConcurrentHashMap<>();

    /** Opens {@code device} through {@code driver} and loads {@code kernels} (a fatbin, or the fake driver's image in tests). */
    CudaBackend(Device device, CudaDriver driver, MemorySegment kernels) {
        this.device = device;
        this.driver = driver;
        this.cuDevice = driver.device(device.index());
        this.context = driver.retainPrimaryContext(cuDevice);
        driver.setCurrentContext(context);
        this.module = driver.loadModule(kernels);
        this.memory = new DeviceMemory(driver);
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String describe() {
        return "cuda:" + device.index() + " (" + driver.deviceName(cuDevice) + ", " + driver.name() + " binding, Kiln's CUDA kernels)";
    }

    /** The device's caching allocator (for tests and memory reports). */
    DeviceMemory memory() {
        return memory;
    }

    /** Device memory for a tensor's storage. */
    long allocate(long bytes) {
        current();
        return memory.allocate(bytes);
    }

    /** Gives a storage's memory back to the cache (no driver call). */
    void free(long pointer) {
        memory.free(pointer);
    }

    /** Copies {@code bytes} of host memory into a GPU tensor's memory at {@code pointer}. */
    void upload(long pointer, MemorySegment host, long bytes) {
        current();
        driver.copyToDevice(pointer, host, bytes);
    }

    /** Copies {@code bytes} of a GPU tensor's memory at {@code pointer} into host memory. */
    void download(MemorySegment host, long pointer, long bytes) {
        current();
        driver.copyToHost(host, pointer, bytes);
    }

    /** Gives the context back to the driver, after unloading the kernels and releasing the cache. */
    void close() {
        current();
        memory.releaseCache();
        driver.unloadModule(module);
        driver.releasePrimaryContext(cuDevice);
    }

    @Override
    public void fill(Tensor out, double value) {
        requireFloat32("fill", out);
        long n = out.numel();
        launch("kiln_fill_f32", n, args -> args.pointer(out.devicePointer()).float32((float) value).int64(n));
    }

    @Override
    public void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
        String kernel = switch (op) {
            case ADD -> "kiln_add_f32";
            case MUL -> "kiln_mul_f32";
            default -> throw unsupported("binary " + op);
        };
        requireFloat32(op.name().toLowerCase(), out, a, b);
        long n = out.numel();
        launch(kernel, n, args -> args.pointer(out.devicePointer()).pointer(a.devicePointer()).pointer(b.devicePointer()).int64(n));
    }

    @Override
    public void unary(UnaryOp op, Tensor out, Tensor in) {
        if (op != UnaryOp.RELU) {
            throw unsupported("unary " + op);
        }
        requireFloat32("relu", out, in);
        long n = out.numel();
        launch("kiln_relu_f32", n, args -> args.pointer(out.devicePointer()).pointer(in.devicePointer()).int64(n));
    }

    @Override
    public void copy(Tensor out, Tensor in) {
        throw unsupported("copy (move the tensor with .to(Device.CPU) first)");
    }

    @Override
    public void powScalar(Tensor out, Tensor in, double exponent) {
        throw unsupported("pow");
    }

    @Override
    public void clamp(Tensor out, Tensor in, double lo, double hi) {
        throw unsupported("clamp");
    }

    @Override
    public void compare(CompareOp op, Tensor out, Tensor a, Tensor b) {
        throw unsupported("compare " + op);
    }

    @Override
    public void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
        throw unsupported("where");
    }

    /** The sum of each row, one block per row, in double (kiln_sum_rows_f32); the other reductions do not run yet. */
    @Override
    public void reduceRows(ReduceOp op, Tensor out, Tensor in, int correction) {
        if (op != ReduceOp.SUM) {
            throw unsupported("reduce " + op);
        }
        requireFloat32("sum", out, in);
        int rows = in.dim(0), cols = in.dim(1);
        if (rows == 0) {
            return;
        }
        if (cols == 0) {
            fill(out, 0);                                     // empty rows sum to 0
            return;
        }
        launch("kiln_sum_rows_f32", Dim3.of(rows), Dim3.of(THREADS),
                args -> args.pointer(out.devicePointer()).pointer(in.devicePointer()).int32(rows).int32(cols));
    }

    @Override
    public void sumColumns(Tensor out, Tensor in) {
        throw unsupported("sumColumns");
    }

    @Override
    public void argReduceRows(boolean max, Tensor out, Tensor in) {
        throw unsupported(max ? "argmax" : "argmin");
    }

    /** C = A·B for matrices, 64×64 tiles of C per block of 256 threads (kiln_sgemm_regtile). */
    @Override
    public void matmul(Tensor out, Tensor a, Tensor b) {
        if (a.rank() != 2) {
            throw unsupported("batched matmul");
        }
        requireFloat32("matmul", out, a, b);
        int m = a.dim(0), k = a.dim(1), n = b.dim(1);
        if ((long) m * n == 0) {
            return;
        }
        if (k == 0) {
            fill(out, 0);                                     // an empty sum
            return;
        }
        launch("kiln_sgemm_regtile", Dim3.of((n + 63) / 64, (m + 63) / 64), Dim3.of(THREADS),
                args -> args.pointer(out.devicePointer()).pointer(a.devicePointer()).pointer(b.devicePointer()).int32(m).int32(n).int32(k));
    }

    /** Softmax of each row, one block per row (kiln_softmax_rows_f32). */
    @Override
    public void softmaxRows(Tensor out, Tensor in, boolean log) {
        if (log) {
            throw unsupported("logSoftmax");
        }
        requireFloat32("softmax", out, in);
        int rows = in.dim(0), cols = in.dim(1);
        if ((long) rows * cols == 0) {
            return;
        }
        launch("kiln_softmax_rows_f32", Dim3.of(rows), Dim3.of(THREADS),
                args -> args.pointer(out.devicePointer()).pointer(in.devicePointer()).int32(rows).int32(cols));
    }

    @Override
    public void gather(Tensor out, Tensor in, int axis, Tensor index) {
        throw unsupported("gather");
    }

    @Override
    public void indexSelect(Tensor out, Tensor in, int axis, Tensor index) {
        throw unsupported("indexSelect");
    }

    @Override
    public void scatterAdd(Tensor out, int axis, Tensor index, Tensor src) {
        throw unsupported("scatterAdd");
    }

    private void current() {
        driver.setCurrentContext(context);
    }

    /** How a launch fills in its kernel's parameters. */
    private interface Parameters {
        void fill(KernelArgs args);
    }

    /** A grid-stride elementwise kernel over {@code n} elements. */
    private void launch(String kernel, long n, Parameters parameters) {
        if (n > 0) {
            launch(kernel, Dim3.of((int) Math.min(MAX_BLOCKS, (n + THREADS - 1) / THREADS)), Dim3.of(THREADS), parameters);
        }
    }

    /** A kernel of this backend's module on the default stream. */
    private void launch(String kernel, Dim3 grid, Dim3 block, Parameters parameters) {
        current();
        long function = functions.computeIfAbsent(kernel, name -> driver.function(module, name));
        try (Arena arena = Arena.ofConfined()) {
            KernelArgs args = KernelArgs.of(arena);
            parameters.fill(args);
            driver.launch(function, grid, block, 0, 0, args);
        }
    }

    /** The kernels so far take contiguous float32 operands of one shape. */
    private static void requireFloat32(String op, Tensor... operands) {
        for (Tensor t : operands) {
            if (t.dtype() != DType.FLOAT32 || !t.isContiguous()) {
                throw new UnsupportedOperationException("the CUDA backend runs " + op + " on contiguous float32 tensors so far; got "
                        + t.describe() + (t.isContiguous() ? "" : " (not contiguous, or broadcast)"));
            }
        }
    }

    private UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException("the CUDA backend does not run " + op + " yet (" + device + "; issue 7)");
    }
}

package kiln.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.CompareOp;
import kiln.kernels.cpu.ReduceOp;
import kiln.kernels.cpu.UnaryOp;
import kiln.kernels.cpu.WindowGeometry;
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
 * <p>Elementwise ops take any views (broadcast, transposed, sliced) through the strided kernels of
 * elementwise.cu; arithmetic is float32; copies convert between every dtype. An op that does not run
 * on the GPU yet refuses with an {@link UnsupportedOperationException} that names it, rather than
 * computing something else.
 */
final class CudaBackend implements Backend {
    /** Threads per block of the elementwise kernels, and the most blocks their grid-stride loops need. */
    private static final int THREADS = 256, MAX_BLOCKS = 4096;
    /** elementwise.cu's KilnMap codes past UnaryOp's ordinals. */
    private static final int MAP_POW_SCALAR = 101, MAP_CLAMP = 102;
    /** elementwise.cu's KilnLayout: the most dimensions, and operands, a strided kernel takes. */
    private static final int MAX_RANK = 8, MAX_OPERANDS = 4;
    /** The most blocks a grid has along z. */
    private static final int MAX_GRID_Z = 65_535;
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

    /** float32 directly (kiln_fill_f32); another dtype through a float32 fill and a conversion (exact for integers up to 2^24). */
    @Override
    public void fill(Tensor out, double value) {
        long n = out.numel();
        if (out.dtype() != DType.FLOAT32) {
            try (Tensor filled = Tensor.empty(DType.FLOAT32, out.shape(), device)) {
                fill(filled, value);
                copy(out, filled);
            }
            return;
        }
        launch("kiln_fill_f32", n, args -> args.pointer(out.devicePointer()).float32((float) value).int64(n));
    }

    /** Any dtypes, any views: kiln_convert (a plain copy when the dtypes agree). */
    @Override
    public void copy(Tensor out, Tensor in) {
        long n = out.numel();
        launch("kiln_convert", n, args -> args.pointer(out.devicePointer()).int32(out.dtype().ordinal())
                .pointer(in.devicePointer()).int32(in.dtype().ordinal()).int64s(layout(out, in)).int64(n));
    }

    @Override
    public void unary(UnaryOp op, Tensor out, Tensor in) {
        map(op.name().toLowerCase(), op.ordinal(), out, in, 0, 0);
    }

    @Override
    public void powScalar(Tensor out, Tensor in, double exponent) {
        map("pow", MAP_POW_SCALAR, out, in, (float) exponent, 0);
    }

    @Override
    public void clamp(Tensor out, Tensor in, double lo, double hi) {
        map("clamp", MAP_CLAMP, out, in, (float) lo, (float) hi);
    }

    /** out = f(in) for f numbered as elementwise.cu's KilnMap (UnaryOp's ordinals, then three with parameters). */
    private void map(String name, int op, Tensor out, Tensor in, float p, float q) {
        requireFloat32(name, out, in);
        long n = out.numel();
        launch("kiln_map_f32", n, args -> args.pointer(out.devicePointer()).pointer(in.devicePointer())
                .int64s(layout(out, in)).int64(n).int32(op).float32(p).float32(q));
    }

    @Override
    public void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
        requireFloat32(op.name().toLowerCase(), out, a, b);
        long n = out.numel();
        launch("kiln_zip_f32", n, args -> args.pointer(out.devicePointer()).pointer(a.devicePointer()).pointer(b.devicePointer())
                .int64s(layout(out, a, b)).int64(n).int32(op.ordinal()));
    }

    /** Any dtype (both operands of one): integers compared as 64-bit integers, the rest as doubles. */
    @Override
    public void compare(CompareOp op, Tensor out, Tensor a, Tensor b) {
        long n = out.numel();
        launch("kiln_compare", n, args -> args.pointer(out.devicePointer()).pointer(a.devicePointer()).pointer(b.devicePointer())
                .int32(a.dtype().ordinal()).int64s(layout(out, a, b)).int64(n).int32(op.ordinal()));
    }

    /** Any dtype: the chosen elements moved as they are. */
    @Override
    public void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
        long n = out.numel();
        launch("kiln_where", n, args -> args.pointer(out.devicePointer()).pointer(cond.devicePointer()).pointer(a.devicePointer())
                .pointer(b.devicePointer()).int32(out.dtype().byteSize()).int64s(layout(out, cond, a, b)).int64(n));
    }

    /** Each row reduced by one block (kiln_reduce_rows_f32): sums in double, variance in two passes. */
    @Override
    public void reduceRows(ReduceOp op, Tensor out, Tensor in, int correction) {
        requireFloat32(op.name().toLowerCase(), out, in);
        int rows = in.dim(0), cols = in.dim(1);
        if (rows == 0) {
            return;
        }
        if (cols == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN)) {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": the rows of " + in.describe() + " are empty");
        }
        try (Tensor x = dense(in)) {
            launch("kiln_reduce_rows_f32", Dim3.of(rows), Dim3.of(THREADS), args -> args.pointer(out.devicePointer())
                    .pointer(x.devicePointer()).int32(rows).int32(cols).int32(op.ordinal()).int32(correction));
        }
    }

    /** One thread per column, adding its column top to bottom (kiln_sum_columns_f32). */
    @Override
    public void sumColumns(Tensor out, Tensor in) {
        requireFloat32("sumColumns", out, in);
        int rows = in.dim(0), cols = in.dim(1);
        try (Tensor x = dense(in)) {
            launch("kiln_sum_columns_f32", cols, args -> args.pointer(out.devicePointer()).pointer(x.devicePointer()).int32(rows).int32(cols));
        }
    }

    @Override
    public void argReduceRows(boolean max, Tensor out, Tensor in) {
        requireFloat32(max ? "argmax" : "argmin", in);
        int rows = in.dim(0), cols = in.dim(1);
        if (rows > 0 && cols == 0) {
            throw new IllegalArgumentException((max ? "argmax" : "argmin") + ": the rows of " + in.describe() + " are empty");
        }
        try (Tensor x = dense(in)) {
            launch("kiln_arg_reduce_rows_f32", rows, args -> args.pointer(out.devicePointer()).pointer(x.devicePointer())
                    .int32(rows).int32(cols).int32(max ? 1 : 0));
        }
    }

    /**
     * C = A·B for every batch entry at once (kiln_sgemm_batched: 128×128 tiles of C per block of 256
     * threads, warp tiles inside). Transposed operands (a weight's {@code .t()}) and broadcast batch
     * axes are read where they lie; any other layout is copied contiguous first.
     */
    @Override
    public void matmul(Tensor out, Tensor a, Tensor b) {
        requireFloat32("matmul", out, a, b);
        int rank = out.rank();
        int m = out.dim(rank - 2), n = out.dim(rank - 1), k = a.dim(rank - 1);
        long batch = out.numel() / Math.max(1, (long) m * n);
        if (out.numel() == 0) {
            return;
        }
        try (Tensor left = readable(a); Tensor right = readable(b)) {
            long[] readA = reading(left), readB = reading(right);
            for (long first = 0; first < batch; first += MAX_GRID_Z) {        // a grid's z extent is at most 65,535
                int entries = (int) Math.min(MAX_GRID_Z, batch - first);
                long c0 = out.devicePointer() + 4 * first * m * n;
                long a0 = left.devicePointer() + 4 * first * readA[1], b0 = right.devicePointer() + 4 * first * readB[1];
                launch("kiln_sgemm_batched", new Dim3((n + 127) / 128, (m + 127) / 128, entries), Dim3.of(THREADS),
                        args -> args.pointer(c0).pointer(a0).pointer(b0).int32(m).int32(n).int32(k).int32((int) readA[0])
                                .int32((int) readB[0]).int64(readA[1]).int64(readB[1]).int64((long) m * n));
            }
        }
    }

    /** t itself (a view) when the batched SGEMM can read it in place, else a contiguous copy. */
    private Tensor readable(Tensor t) {
        return reading(t) != null ? t.view(t.shape(), t.strides(), t.offset()) : dense(t);
    }

    /**
     * How kiln_sgemm_batched reads {@code t [..., R, C]}: {transposed (0 or 1), batch stride}, or null
     * when it cannot. Its matrices must be row-major (strides C, 1) or a transpose of row-major
     * (strides 1, R); its batch axes must step by one stride (0 for a broadcast).
     */
    private static long[] reading(Tensor t) {
        int rank = t.rank();
        int rows = t.dim(rank - 2), cols = t.dim(rank - 1);
        long[] strides = t.strides();
        long rowStride = strides[rank - 2], colStride = strides[rank - 1];
        long transposed;
        if ((colStride == 1 || cols == 1) && (rowStride == cols || rows == 1)) {
            transposed = 0;
        } else if ((rowStride == 1 || rows == 1) && (colStride == rows || cols == 1)) {
            transposed = 1;
        } else {
            return null;
        }
        long step = -1, span = 1;                         // the batch stride, and the batch entries it spans so far
        for (int axis = rank - 3; axis >= 0; axis--) {
            if (t.dim(axis) == 1) {
                continue;
            }
            if (step < 0) {
                step = strides[axis];
            } else if (strides[axis] != step * span) {
                return null;
            }
            span *= t.dim(axis);
        }
        return new long[] {transposed, Math.max(0, step)};
    }

    /** Softmax or log-softmax of each row, one block per row (kiln_softmax_rows_f32). */
    @Override
    public void softmaxRows(Tensor out, Tensor in, boolean log) {
        requireFloat32(log ? "logSoftmax" : "softmax", out, in);
        int rows = in.dim(0), cols = in.dim(1);
        if ((long) rows * cols == 0) {
            return;
        }
        try (Tensor x = dense(in)) {
            launch("kiln_softmax_rows_f32", Dim3.of(rows), Dim3.of(THREADS),
                    args -> args.pointer(out.devicePointer()).pointer(x.devicePointer()).int32(rows).int32(cols).int32(log ? 1 : 0));
        }
    }

    /** Cross-entropy of float32 rows against int64 labels: loss and logsumexp per row (kiln_cross_entropy_forward_f32). */
    void crossEntropyForward(Tensor loss, Tensor logSumExp, Tensor logits, Tensor labels, long ignoreIndex) {
        requireFloat32("crossEntropyRows", logits);
        int rows = logits.dim(0), cols = logits.dim(1);
        if (rows > 0) {
            launch("kiln_cross_entropy_forward_f32", Dim3.of(rows), Dim3.of(THREADS), args -> args.pointer(loss.devicePointer())
                    .pointer(logSumExp.devicePointer()).pointer(logits.devicePointer()).pointer(labels.devicePointer())
                    .int64(ignoreIndex).int32(rows).int32(cols));
        }
    }

    /** Its gradient with respect to the logits, from the upstream gradient per row (kiln_cross_entropy_backward_f32). */
    void crossEntropyBackward(Tensor dx, Tensor upstream, Tensor logits, Tensor labels, long ignoreIndex, Tensor logSumExp) {
        requireFloat32("crossEntropyRows backward", upstream, logits);
        int rows = logits.dim(0), cols = logits.dim(1);
        if ((long) rows * cols > 0) {
            launch("kiln_cross_entropy_backward_f32", Dim3.of(rows), Dim3.of(THREADS), args -> args.pointer(dx.devicePointer())
                    .pointer(upstream.devicePointer()).pointer(logits.devicePointer()).pointer(labels.devicePointer())
                    .int64(ignoreIndex).pointer(logSumExp.devicePointer()).int32(rows).int32(cols));
        }
    }

    // ------------------------------------------------------------------ windows: convolution and pooling

    /** columns {@code [N, C, kH, kW, OH, OW]} = the windows of contiguous images {@code [N, C, H, W]}, padValue outside (kiln_im2col_f32). */
    void im2col(Tensor columns, Tensor images, WindowGeometry window, float padValue) {
        long n = columns.numel();
        launch("kiln_im2col_f32", n, args -> windowArgs(args.pointer(columns.devicePointer()).pointer(images.devicePointer()),
                images.dims(), window).float32(padValue));
    }

    /** images {@code [N, C, H, W]} = the sum of the contiguous columns that each element lies under: im2col's gradient (kiln_col2im_f32). */
    void col2im(Tensor images, Tensor columns, WindowGeometry window) {
        long n = images.numel();
        launch("kiln_col2im_f32", n, args -> windowArgs(args.pointer(images.devicePointer()).pointer(columns.devicePointer()),
                images.dims(), window));
    }

    /** y = the max of each window of contiguous x, and where it was (int32 per output) for the backward pass (kiln_max_pool_f32). */
    void maxPool(Tensor y, Tensor winners, Tensor x, WindowGeometry window) {
        long n = y.numel();
        launch("kiln_max_pool_f32", n, args -> planeArgs(args.pointer(y.devicePointer()).pointer(winners.devicePointer())
                .pointer(x.devicePointer()), x.dims(), window));
    }

    /** dx = each input's share of dy: the gradients of the windows it won (kiln_max_pool_backward_f32). */
    void maxPoolBackward(Tensor dx, Tensor dy, Tensor winners, WindowGeometry window) {
        long n = dx.numel();
        launch("kiln_max_pool_backward_f32", n, args -> planeArgs(args.pointer(dx.devicePointer()).pointer(dy.devicePointer())
                .pointer(winners.devicePointer()), dx.dims(), window));
    }

    /** (batch, channels, height, width) and the window, as conv.cu's kernels take them. */
    private static KernelArgs windowArgs(KernelArgs args, int[] images, WindowGeometry w) {
        return geometry(args.int32(images[0]).int32(images[1]).int32(images[2]).int32(images[3]), w);
    }

    /** (planes = N·C, height, width) and the window, as pool.cu's kernels take them. */
    private static KernelArgs planeArgs(KernelArgs args, int[] images, WindowGeometry w) {
        return geometry(args.int32(images[0] * images[1]).int32(images[2]).int32(images[3]), w);
    }

    private static KernelArgs geometry(KernelArgs args, WindowGeometry w) {
        return args.int32(w.kernelH()).int32(w.kernelW()).int32(w.strideH()).int32(w.strideW()).int32(w.padH()).int32(w.padW())
                .int32(w.dilationH()).int32(w.dilationW());
    }

    /**
     * {@code t} itself (a view that closes nothing) when contiguous, else a contiguous copy of it (a
     * broadcast operand is copied out in full): what the row and matrix kernels read.
     */
    private Tensor dense(Tensor t) {
        if (t.isContiguous()) {
            return t.view(t.shape(), t.strides(), t.offset());
        }
        Tensor copy = Tensor.empty(t.dtype(), t.shape(), device);
        copy(copy, t);
        return copy;
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

    /** The arithmetic kernels are float32 (the dtype that training on a GPU uses). */
    private static void requireFloat32(String op, Tensor... operands) {
        for (Tensor t : operands) {
            if (t.dtype() != DType.FLOAT32) {
                throw new UnsupportedOperationException("the CUDA backend runs " + op + " on float32 tensors; got " + t.describe());
            }
        }
    }

    /**
     * elementwise.cu's KilnLayout for operands of one shape (the first is the output): the rank, the
     * shape, and each operand's strides, padded to {@value #MAX_RANK} dimensions. Dimensions of size 1
     * are dropped and neighbours that are contiguous in every operand merged, so that contiguous
     * operands make a rank-1 layout (the kernel's index arithmetic then costs one division).
     */
    static long[] layout(Tensor... operands) {
        int[] dims = operands[0].dims();
        long[][] strides = new long[operands.length][];
        for (int o = 0; o < operands.length; o++) {
            strides[o] = operands[o].strides();
        }
        long[] shape = new long[dims.length];
        long[][] merged = new long[operands.length][dims.length];
        int rank = 0;
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] == 1) {
                continue;
            }
            boolean joins = rank > 0;
            for (int o = 0; o < operands.length && joins; o++) {
                joins = merged[o][rank - 1] == strides[o][d] * dims[d];
            }
            if (joins) {                                   // [.., a, b] → [.., a·b], stride of b
                shape[rank - 1] *= dims[d];
                for (int o = 0; o < operands.length; o++) {
                    merged[o][rank - 1] = strides[o][d];
                }
            } else {
                shape[rank] = dims[d];
                for (int o = 0; o < operands.length; o++) {
                    merged[o][rank] = strides[o][d];
                }
                rank++;
            }
        }
        if (rank > MAX_RANK) {
            throw new UnsupportedOperationException("the CUDA backend's strided kernels take at most " + MAX_RANK
                    + " dimensions that cannot be merged; got " + operands[0].describe());
        }
        long[] packed = new long[1 + MAX_RANK + MAX_OPERANDS * MAX_RANK];
        packed[0] = rank;
        System.arraycopy(shape, 0, packed, 1, rank);
        for (int o = 0; o < operands.length; o++) {
            System.arraycopy(merged[o], 0, packed, 1 + MAX_RANK + o * MAX_RANK, rank);
        }
        return packed;
    }

    private UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException("the CUDA backend does not run " + op + " yet (" + device + "; issue 7)");
    }
}

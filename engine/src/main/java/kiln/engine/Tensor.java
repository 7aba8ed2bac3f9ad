package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.CompareOp;
import kiln.kernels.cpu.ReduceOp;
import kiln.kernels.cpu.UnaryOp;

/**
 * An n-dimensional array of one {@link DType} on one {@link Device}, stored off-heap.
 *
 * <p>A tensor is a window onto a {@link Storage}: a shape, a stride per axis (how many elements one
 * step along that axis moves) and an offset. Views such as {@link #transpose}, {@link #narrow} or
 * {@link #expand} change only the window, never the data. Ops are eager: each returns a new tensor.
 *
 * <p>Lifetime: a tensor holds its memory until it is closed, by {@link #close()} or by the
 * {@link MemoryScope} that was open when it was created. Touching a closed tensor throws
 * {@link IllegalStateException} naming it. Views keep the memory alive too: the data is freed when
 * the last open tensor over it closes.
 */
public final class Tensor implements AutoCloseable {
    private static final AtomicLong IDS = new AtomicLong();

    private final Storage storage;
    private final DType dtype;
    private final Shape shape;
    private final long[] strides;
    private final long offset;
    private final long id = IDS.incrementAndGet();
    private String name;
    private volatile boolean closed;

    Tensor(Storage storage, DType dtype, Shape shape, long[] strides, long offset) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        storage.retain();
        MemoryScope.adopt(this);
    }

    /** A fresh contiguous tensor with undefined contents, for op results that overwrite every element. */
    static Tensor empty(DType dtype, Shape shape, Device device) {
        Storage storage = Storage.allocate(shape.numel() * dtype.byteSize(), device);
        return new Tensor(storage, dtype, shape, shape.contiguousStrides(), 0);
    }

    /** A view over the same storage with another window. */
    Tensor view(Shape newShape, long[] newStrides, long newOffset) {
        ensureOpen();
        return new Tensor(storage, dtype, newShape, newStrides, newOffset);
    }

    // ---------------------------------------------------------------- identity and lifetime

    public DType dtype() { return dtype; }

    public Shape shape() { return shape; }

    /** The dimensions, a copy. */
    public int[] dims() { return shape.toArray(); }

    /** The size along {@code axis} (negative counts from the end). */
    public int dim(int axis) { return shape.dim(axis); }

    public int rank() { return shape.rank(); }

    public long numel() { return shape.numel(); }

    public Device device() { return storage.device(); }

    /** Strides in elements, a copy. */
    public long[] strides() { return strides.clone(); }

    /** Index of the first element in the storage, in elements. */
    public long offset() { return offset; }

    /** Whether the elements lie row-major and back to back, so that flat loops can run over them. */
    public boolean isContiguous() {
        long expected = 1;
        for (int axis = shape.rank() - 1; axis >= 0; axis--) {
            int size = shape.dim(axis);
            if (size != 1 && strides[axis] != expected) {
                return false;
            }
            expected *= size;
        }
        return true;
    }

    /** Names this tensor for error messages and printing; returns this. */
    public Tensor named(String newName) {
        this.name = newName;
        return this;
    }

    /** The name given with {@link #named}, or {@code tensor#id}. */
    public String name() {
        return name != null ? name : "tensor#" + id;
    }

    /** A short description for messages: name, dtype and shape. */
    public String describe() {
        return "'" + name() + "' " + dtype + shape;
    }

    /** Releases this tensor's hold on its memory; the memory is freed when no open tensor uses it. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            storage.release();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Throws if this tensor was closed; every op calls it on every operand. */
    public void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tensor " + describe() + " is closed: its memory was released"
                    + " (by close() or by the MemoryScope that created it)");
        }
    }

    /** The raw memory (for backends and kernels): element {@code i} of the storage is at {@code i * dtype().byteSize()}. */
    public MemorySegment segment() {
        ensureOpen();
        return storage.segment();
    }

    /** The backend that runs ops on this tensor's device. */
    public Backend backend() {
        return Backends.of(device());
    }

    // ---------------------------------------------------------------- factories

    /** A float32 tensor of zeros. */
    public static Tensor zeros(int... dims) { return full(0, DType.FLOAT32, dims); }

    public static Tensor zeros(DType dtype, int... dims) { return full(0, dtype, dims); }

    /** A float32 tensor of ones. */
    public static Tensor ones(int... dims) { return full(1, DType.FLOAT32, dims); }

    public static Tensor ones(DType dtype, int... dims) { return full(1, dtype, dims); }

    /** A tensor with every element equal to {@code value}. */
    public static Tensor full(double value, DType dtype, int... dims) { return Factories.full(value, dtype, Shape.of(dims)); }

    /** A float32 scalar (rank 0). */
    public static Tensor scalar(double value) { return full(value, DType.FLOAT32); }

    public static Tensor scalar(double value, DType dtype) { return full(value, dtype); }

    /** {@code [0, 1, ..., n-1]} as int64, like {@code torch.arange(n)}. */
    public static Tensor arange(long n) { return Factories.arange(0, n, 1, DType.INT64); }

    /** {@code start, start+step, ...} below {@code end} (above it when step is negative). */
    public static Tensor arange(double start, double end, double step, DType dtype) { return Factories.arange(start, end, step, dtype); }

    /** {@code steps} evenly spaced float32 values from start to end inclusive. */
    public static Tensor linspace(double start, double end, int steps) { return Factories.linspace(start, end, steps, DType.FLOAT32); }

    public static Tensor linspace(double start, double end, int steps, DType dtype) { return Factories.linspace(start, end, steps, dtype); }

    /** The n×n float32 identity matrix. */
    public static Tensor eye(int n) { return Factories.eye(n, n, DType.FLOAT32); }

    public static Tensor eye(int rows, int cols, DType dtype) { return Factories.eye(rows, cols, dtype); }

    /** A float32 tensor holding {@code data} (row-major) with the given dims; the lengths must agree. */
    public static Tensor fromArray(float[] data, int... dims) { return Factories.fromArray(data, Shape.of(dims)); }

    public static Tensor fromArray(double[] data, int... dims) { return Factories.fromArray(data, Shape.of(dims)); }

    public static Tensor fromArray(int[] data, int... dims) { return Factories.fromArray(data, Shape.of(dims)); }

    public static Tensor fromArray(long[] data, int... dims) { return Factories.fromArray(data, Shape.of(dims)); }

    public static Tensor fromArray(boolean[] data, int... dims) { return Factories.fromArray(data, Shape.of(dims)); }

    /** Uniform in [0, 1), float32. */
    public static Tensor rand(Generator generator, int... dims) { return Factories.rand(generator, DType.FLOAT32, Shape.of(dims)); }

    public static Tensor rand(Generator generator, DType dtype, int... dims) { return Factories.rand(generator, dtype, Shape.of(dims)); }

    /** Standard normal, float32. */
    public static Tensor randn(Generator generator, int... dims) { return Factories.randn(generator, DType.FLOAT32, Shape.of(dims)); }

    public static Tensor randn(Generator generator, DType dtype, int... dims) { return Factories.randn(generator, dtype, Shape.of(dims)); }

    /** Uniform integers in [low, high), int64. */
    public static Tensor randint(Generator generator, long low, long high, int... dims) { return Factories.randint(generator, low, high, Shape.of(dims)); }

    // ---------------------------------------------------------------- reading values

    /** All elements in row-major order, converted to float. */
    public float[] toFloatArray() { return Factories.toFloatArray(this); }

    public double[] toDoubleArray() { return Factories.toDoubleArray(this); }

    public int[] toIntArray() { return Factories.toIntArray(this); }

    public long[] toLongArray() { return Factories.toLongArray(this); }

    public boolean[] toBooleanArray() { return Factories.toBooleanArray(this); }

    /** The element at {@code index} (one coordinate per axis, negative counts from the end), as a double. */
    public double get(int... index) { return Factories.get(this, index); }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: needs a tensor of one element, got " + describe());
        }
        return Factories.get(this, new int[rank()]);
    }

    // ---------------------------------------------------------------- views (no copy)

    /** The same elements in a new shape; one dimension may be -1 (inferred). A view when the strides allow, else a copy. */
    public Tensor reshape(int... dims) { return Views.reshape(this, dims); }

    /** Like {@link #reshape} but never copies: throws if the strides don't allow a view. */
    public Tensor view(int... dims) { return Views.view(this, dims); }

    /** All elements as one axis. */
    public Tensor flatten() { return reshape(-1); }

    /** Reorders the axes: result axis i is this tensor's axis {@code order[i]}. */
    public Tensor permute(int... order) { return Views.permute(this, order); }

    /** Swaps two axes. */
    public Tensor transpose(int axis0, int axis1) { return Views.transpose(this, axis0, axis1); }

    /** The transpose of a matrix (rank 2). */
    public Tensor t() {
        if (rank() != 2) {
            throw new IllegalArgumentException("t: needs a matrix (rank 2), got " + describe() + "; use transpose(a, b) or permute");
        }
        return transpose(0, 1);
    }

    /** Elements {@code start .. start+length-1} along {@code axis}. */
    public Tensor narrow(int axis, int start, int length) { return Views.narrow(this, axis, start, length); }

    /** Python's {@code x[start:end:step]} along {@code axis} (negative start/end count from the end; step > 0). */
    public Tensor slice(int axis, int start, int end, int step) { return Views.slice(this, axis, start, end, step); }

    /** The sub-tensor at {@code index} along {@code axis}, that axis removed. */
    public Tensor select(int axis, int index) { return Views.select(this, axis, index); }

    /** Repeats size-1 axes (and new leading axes) to {@code dims} without copying; -1 keeps a size. */
    public Tensor expand(int... dims) { return Views.expand(this, dims); }

    /** {@link #expand} to a shape. */
    public Tensor broadcastTo(Shape target) { return Views.expand(this, target.toArray()); }

    /** Removes every size-1 axis. */
    public Tensor squeeze() { return Views.squeeze(this); }

    /** Removes {@code axis}, which must have size 1. */
    public Tensor squeeze(int axis) { return Views.squeeze(this, axis); }

    /** Inserts a size-1 axis at {@code axis} (in {@code [-rank-1, rank]}). */
    public Tensor unsqueeze(int axis) { return Views.unsqueeze(this, axis); }

    /** This tensor if contiguous, else a contiguous copy. */
    public Tensor contiguous() { return isContiguous() ? view(shape, strides, offset) : copy(); }

    /** A contiguous copy with its own memory. */
    public Tensor copy() { return to(dtype); }

    /** A contiguous copy converted to {@code target} (float to int truncates toward zero; nonzero to bool is true). */
    public Tensor to(DType target) { return Pointwise.cast(this, target); }

    // ---------------------------------------------------------------- elementwise

    public Tensor neg() { return Pointwise.unary(UnaryOp.NEG, this); }

    public Tensor abs() { return Pointwise.unary(UnaryOp.ABS, this); }

    public Tensor exp() { return Pointwise.unary(UnaryOp.EXP, this); }

    public Tensor log() { return Pointwise.unary(UnaryOp.LOG, this); }

    public Tensor sqrt() { return Pointwise.unary(UnaryOp.SQRT, this); }

    /** 1 / sqrt(x). */
    public Tensor rsqrt() { return Pointwise.unary(UnaryOp.RSQRT, this); }

    public Tensor tanh() { return Pointwise.unary(UnaryOp.TANH, this); }

    /** 1 / (1 + exp(-x)). */
    public Tensor sigmoid() { return Pointwise.unary(UnaryOp.SIGMOID, this); }

    /** max(x, 0). */
    public Tensor relu() { return Pointwise.unary(UnaryOp.RELU, this); }

    /** x·Φ(x), the exact (erf) form, as PyTorch's default. */
    public Tensor gelu() { return Pointwise.unary(UnaryOp.GELU, this); }

    public Tensor sin() { return Pointwise.unary(UnaryOp.SIN, this); }

    public Tensor cos() { return Pointwise.unary(UnaryOp.COS, this); }

    /** x^exponent, elementwise. */
    public Tensor pow(double exponent) { return Pointwise.pow(this, exponent); }

    /** min(max(x, lo), hi); lo must not exceed hi. */
    public Tensor clamp(double lo, double hi) { return Pointwise.clamp(this, lo, hi); }

    public Tensor add(Tensor other) { return Pointwise.binary(BinaryOp.ADD, this, other); }

    public Tensor sub(Tensor other) { return Pointwise.binary(BinaryOp.SUB, this, other); }

    public Tensor mul(Tensor other) { return Pointwise.binary(BinaryOp.MUL, this, other); }

    /** True division: integers divide to float32, as in PyTorch. */
    public Tensor div(Tensor other) { return Pointwise.binary(BinaryOp.DIV, this, other); }

    public Tensor pow(Tensor exponent) { return Pointwise.binary(BinaryOp.POW, this, exponent); }

    /** Elementwise maximum (NaN wins, like torch.maximum). */
    public Tensor maximum(Tensor other) { return Pointwise.binary(BinaryOp.MAX, this, other); }

    public Tensor minimum(Tensor other) { return Pointwise.binary(BinaryOp.MIN, this, other); }

    public Tensor add(double value) { return Pointwise.binaryScalar(BinaryOp.ADD, this, value); }

    public Tensor sub(double value) { return Pointwise.binaryScalar(BinaryOp.SUB, this, value); }

    public Tensor mul(double value) { return Pointwise.binaryScalar(BinaryOp.MUL, this, value); }

    public Tensor div(double value) { return Pointwise.binaryScalar(BinaryOp.DIV, this, value); }

    public Tensor eq(Tensor other) { return Pointwise.compare(CompareOp.EQ, this, other); }

    public Tensor ne(Tensor other) { return Pointwise.compare(CompareOp.NE, this, other); }

    public Tensor lt(Tensor other) { return Pointwise.compare(CompareOp.LT, this, other); }

    public Tensor le(Tensor other) { return Pointwise.compare(CompareOp.LE, this, other); }

    public Tensor gt(Tensor other) { return Pointwise.compare(CompareOp.GT, this, other); }

    public Tensor ge(Tensor other) { return Pointwise.compare(CompareOp.GE, this, other); }

    public Tensor eq(double value) { return Pointwise.compareScalar(CompareOp.EQ, this, value); }

    public Tensor lt(double value) { return Pointwise.compareScalar(CompareOp.LT, this, value); }

    public Tensor gt(double value) { return Pointwise.compareScalar(CompareOp.GT, this, value); }

    public Tensor ne(double value) { return Pointwise.compareScalar(CompareOp.NE, this, value); }

    public Tensor le(double value) { return Pointwise.compareScalar(CompareOp.LE, this, value); }

    public Tensor ge(double value) { return Pointwise.compareScalar(CompareOp.GE, this, value); }

    /** {@code cond ? a : b}, elementwise with broadcasting; cond must be bool. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Pointwise.where(cond, a, b); }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements (int types sum to int64). */
    public Tensor sum() { return Reductions.reduce(ReduceOp.SUM, this, null, false, 0); }

    public Tensor sum(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.SUM, this, new int[] {axis}, keepDim, 0); }

    public Tensor sum(int[] axes, boolean keepDim) { return Reductions.reduce(ReduceOp.SUM, this, axes, keepDim, 0); }

    public Tensor mean() { return Reductions.reduce(ReduceOp.MEAN, this, null, false, 0); }

    public Tensor mean(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.MEAN, this, new int[] {axis}, keepDim, 0); }

    public Tensor mean(int[] axes, boolean keepDim) { return Reductions.reduce(ReduceOp.MEAN, this, axes, keepDim, 0); }

    public Tensor max() { return Reductions.reduce(ReduceOp.MAX, this, null, false, 0); }

    public Tensor max(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.MAX, this, new int[] {axis}, keepDim, 0); }

    public Tensor max(int[] axes, boolean keepDim) { return Reductions.reduce(ReduceOp.MAX, this, axes, keepDim, 0); }

    public Tensor min() { return Reductions.reduce(ReduceOp.MIN, this, null, false, 0); }

    public Tensor min(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.MIN, this, new int[] {axis}, keepDim, 0); }

    public Tensor min(int[] axes, boolean keepDim) { return Reductions.reduce(ReduceOp.MIN, this, axes, keepDim, 0); }

    /** Unbiased variance (divides by n-1) of all elements, as torch.var. */
    public Tensor var() { return Reductions.reduce(ReduceOp.VAR, this, null, false, 1); }

    public Tensor var(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.VAR, this, new int[] {axis}, keepDim, 1); }

    /** Variance dividing by {@code n - correction} (0: population, 1: unbiased). */
    public Tensor var(int[] axes, boolean keepDim, int correction) { return Reductions.reduce(ReduceOp.VAR, this, axes, keepDim, correction); }

    public Tensor std() { return Reductions.reduce(ReduceOp.STD, this, null, false, 1); }

    public Tensor std(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.STD, this, new int[] {axis}, keepDim, 1); }

    public Tensor std(int[] axes, boolean keepDim, int correction) { return Reductions.reduce(ReduceOp.STD, this, axes, keepDim, correction); }

    /** log(Σ exp(x)), computed stably. */
    public Tensor logsumexp(int axis, boolean keepDim) { return Reductions.reduce(ReduceOp.LOG_SUM_EXP, this, new int[] {axis}, keepDim, 0); }

    public Tensor logsumexp(int[] axes, boolean keepDim) { return Reductions.reduce(ReduceOp.LOG_SUM_EXP, this, axes, keepDim, 0); }

    /** Flat index (int64 scalar) of the first maximum. */
    public Tensor argmax() { return Reductions.argReduce(true, this, null, false); }

    /** Index (int64) of the first maximum along {@code axis}. */
    public Tensor argmax(int axis, boolean keepDim) { return Reductions.argReduce(true, this, axis, keepDim); }

    public Tensor argmin() { return Reductions.argReduce(false, this, null, false); }

    public Tensor argmin(int axis, boolean keepDim) { return Reductions.argReduce(false, this, axis, keepDim); }

    // ---------------------------------------------------------------- linear algebra and softmax

    /**
     * Matrix product with NumPy's rules: {@code (..., M, K) @ (..., K, N) -> (..., M, N)} with the
     * batch axes broadcast; a 1-D left operand is a row vector, a 1-D right operand a column vector.
     */
    public Tensor matmul(Tensor other) { return LinearAlgebra.matmul(this, other); }

    /** exp(x) / Σ exp(x) along {@code axis}, computed stably (the maximum subtracted first). */
    public Tensor softmax(int axis) { return LinearAlgebra.softmax(this, axis, false); }

    /** x − logsumexp(x) along {@code axis}, computed stably. */
    public Tensor logSoftmax(int axis) { return LinearAlgebra.softmax(this, axis, true); }

    // ---------------------------------------------------------------- indexing

    /** {@code out[i][j] = this[index[i][j]][j]} for axis 0 (generally: index replaces the coordinate along axis). */
    public Tensor gather(int axis, Tensor index) { return Indexing.gather(this, axis, index); }

    /** A copy of this tensor with {@code src} added at the positions {@code index} names along {@code axis} (repeats accumulate). */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) { return Indexing.scatterAdd(this, axis, index, src); }

    /** The entries at positions {@code index} (1-D integer tensor) along {@code axis}. */
    public Tensor indexSelect(int axis, Tensor index) { return Indexing.indexSelect(this, axis, index); }

    /** One-hot encoding of integer labels in {@code [0, classes)}: shape {@code labels.shape + [classes]}, int64. */
    public static Tensor oneHot(Tensor labels, int classes) { return Indexing.oneHot(labels, classes); }

    // ---------------------------------------------------------------- joining and splitting

    /** Joins tensors along an existing axis; all other sizes must match. */
    public static Tensor cat(int axis, Tensor... tensors) { return Joining.cat(axis, Arrays.asList(tensors)); }

    public static Tensor cat(int axis, List<Tensor> tensors) { return Joining.cat(axis, tensors); }

    /** Joins same-shaped tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... tensors) { return Joining.stack(axis, Arrays.asList(tensors)); }

    public static Tensor stack(int axis, List<Tensor> tensors) { return Joining.stack(axis, tensors); }

    /** Views of {@code size} elements along {@code axis} (the last may be smaller). */
    public List<Tensor> split(int size, int axis) { return Joining.split(this, size, axis); }

    /** {@code chunks} views along {@code axis}, as equal as possible (like torch.chunk, possibly fewer). */
    public List<Tensor> chunk(int chunks, int axis) { return Joining.chunk(this, chunks, axis); }

    // ---------------------------------------------------------------- printing

    /** NumPy-style printing; large tensors show their first and last three entries per axis. */
    @Override
    public String toString() {
        if (closed) {
            return "tensor(<closed> " + describe() + ")";
        }
        return TensorFormatter.format(this);
    }
}

package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.CompareOp;
import kiln.kernels.cpu.ReduceOp;
import kiln.kernels.cpu.UnaryOp;
import kiln.kernels.cpu.WindowGeometry;

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
    // Autograd state: see Autograd. A leaf may require a gradient; a recorded result has a node.
    private boolean requiresGrad;
    private GradNode gradNode;
    private Tensor grad;

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
            if (grad != null) {
                grad.close();
                grad = null;
            }
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

    /** Where this tensor's first element lies in GPU memory (for the CUDA backend). */
    long devicePointer() {
        ensureOpen();
        return storage.devicePointer() + offset * dtype.byteSize();
    }

    /**
     * A contiguous copy of this tensor on {@code target}, or a view of this tensor when it is there
     * already; the gradient goes back to this tensor's device. Between the CPU and a GPU: the data is
     * copied through the driver (a strided view on a GPU is gathered there first).
     */
    public Tensor to(Device target) {
        ensureOpen();
        if (target == null) {
            throw new IllegalArgumentException("to: the target device is null (Device.CPU or Device.cuda(i))");
        }
        Device source = device();
        if (target.equals(source)) {
            return view(shape, strides, offset);
        }
        return Autograd.record("to(" + target + ")", () -> copyTo(target), this, (g, y) -> g.to(source));
    }

    private Tensor copyTo(Device target) {
        if (device().kind() != Device.Kind.CPU && target.kind() != Device.Kind.CPU) {
            throw new UnsupportedOperationException("copies between GPUs are not supported yet: " + describe() + " from " + device() + " to " + target);
        }
        if (device().kind() != Device.Kind.CPU && !isContiguous()) {
            try (Tensor dense = Pointwise.cast(this, dtype)) {       // gathered on the GPU first
                return dense.copyTo(target);
            }
        }
        long bytes = numel() * dtype.byteSize();
        Tensor out = empty(dtype, shape, target);
        try {
            if (target.kind() == Device.Kind.CPU) {
                Backends.cuda(device()).download(out.segment(), devicePointer(), bytes);
            } else {
                try (Tensor host = isContiguous() ? view(shape, strides, offset) : Pointwise.cast(this, dtype)) {
                    MemorySegment data = host.segment().asSlice(host.offset() * dtype.byteSize(), bytes);
                    Backends.cuda(target).upload(out.devicePointer(), data, bytes);
                }
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
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
    //
    // Each differentiable method names its forward computation and, beside it, the gradient of each
    // input as a function of the output's gradient g (and of the output y when that is cheapest).
    // See Autograd for how these rules are recorded and run.

    /** The same elements in a new shape; one dimension may be -1 (inferred). A view when the strides allow, else a copy. */
    public Tensor reshape(int... dims) {
        return Autograd.record("reshape", () -> Views.reshape(this, dims), this,
                (g, y) -> g.reshape(dims()));                                    // same elements, old shape
    }

    /** Like {@link #reshape} but never copies: throws if the strides don't allow a view. */
    public Tensor view(int... dims) {
        return Autograd.record("view", () -> Views.view(this, dims), this,
                (g, y) -> g.reshape(dims()));
    }

    /** All elements as one axis. */
    public Tensor flatten() { return reshape(-1); }

    /** Reorders the axes: result axis i is this tensor's axis {@code order[i]}. */
    public Tensor permute(int... order) {
        return Autograd.record("permute", () -> Views.permute(this, order), this,
                (g, y) -> g.permute(Views.inversePermutation(order, rank())));  // move the axes back
    }

    /** Swaps two axes. */
    public Tensor transpose(int axis0, int axis1) {
        return Autograd.record("transpose", () -> Views.transpose(this, axis0, axis1), this,
                (g, y) -> g.transpose(axis0, axis1));                            // a swap undoes itself
    }

    /** The transpose of a matrix (rank 2). */
    public Tensor t() {
        if (rank() != 2) {
            throw new IllegalArgumentException("t: needs a matrix (rank 2), got " + describe() + "; use transpose(a, b) or permute");
        }
        return transpose(0, 1);
    }

    /** Elements {@code start .. start+length-1} along {@code axis}. */
    public Tensor narrow(int axis, int start, int length) {
        return Autograd.record("narrow", () -> Views.narrow(this, axis, start, length), this,
                (g, y) -> Autograd.intoZeros(shape, g, z -> z.narrow(axis, start, length)));  // zero outside the window
    }

    /** Python's {@code x[start:end:step]} along {@code axis} (negative start/end count from the end; step > 0). */
    public Tensor slice(int axis, int start, int end, int step) {
        return Autograd.record("slice", () -> Views.slice(this, axis, start, end, step), this,
                (g, y) -> Autograd.intoZeros(shape, g, z -> z.slice(axis, start, end, step)));
    }

    /** The sub-tensor at {@code index} along {@code axis}, that axis removed. */
    public Tensor select(int axis, int index) {
        return Autograd.record("select", () -> Views.select(this, axis, index), this,
                (g, y) -> Autograd.intoZeros(shape, g, z -> z.select(axis, index)));
    }

    /** Repeats size-1 axes (and new leading axes) to {@code dims} without copying; -1 keeps a size. */
    public Tensor expand(int... dims) {
        return Autograd.record("expand", () -> Views.expand(this, dims), this,
                (g, y) -> g);                                // the copies' gradients are summed by Autograd.sumToShape
    }

    /** {@link #expand} to a shape. */
    public Tensor broadcastTo(Shape target) { return expand(target.toArray()); }

    /** Removes every size-1 axis. */
    public Tensor squeeze() {
        return Autograd.record("squeeze", () -> Views.squeeze(this), this, (g, y) -> g.reshape(dims()));
    }

    /** Removes {@code axis}, which must have size 1. */
    public Tensor squeeze(int axis) {
        return Autograd.record("squeeze", () -> Views.squeeze(this, axis), this, (g, y) -> g.reshape(dims()));
    }

    /** Inserts a size-1 axis at {@code axis} (in {@code [-rank-1, rank]}). */
    public Tensor unsqueeze(int axis) {
        return Autograd.record("unsqueeze", () -> Views.unsqueeze(this, axis), this, (g, y) -> g.reshape(dims()));
    }

    /** This tensor if contiguous (as a new view), else a contiguous copy. */
    public Tensor contiguous() {
        return Autograd.record("contiguous", () -> isContiguous() ? view(shape, strides, offset) : Pointwise.cast(this, dtype), this,
                (g, y) -> g);
    }

    /** A contiguous copy with its own memory. */
    public Tensor copy() { return to(dtype); }

    /** A contiguous copy converted to {@code target} (float to int truncates toward zero; nonzero to bool is true). */
    public Tensor to(DType target) {
        if (target == null || !target.isFloatingPoint()) {
            return Pointwise.cast(this, target);       // integers and bools carry no gradient
        }
        return Autograd.record("to", () -> Pointwise.cast(this, target), this,
                (g, y) -> g.to(dtype));                                          // the gradient in the input's dtype
    }

    // ---------------------------------------------------------------- elementwise

    public Tensor neg() {
        return Autograd.record("neg", () -> Pointwise.unary(UnaryOp.NEG, this), this,
                (g, y) -> g.neg());                                              // d(−x) = −1
    }

    public Tensor abs() {
        return Autograd.record("abs", () -> Pointwise.unary(UnaryOp.ABS, this), this,
                (g, y) -> g.mul(sign()));                                        // d|x| = sign(x), 0 at 0
    }

    public Tensor exp() {
        return Autograd.record("exp", () -> Pointwise.unary(UnaryOp.EXP, this), this,
                (g, y) -> g.mul(y));                                             // d eˣ = eˣ
    }

    public Tensor log() {
        return Autograd.record("log", () -> Pointwise.unary(UnaryOp.LOG, this), this,
                (g, y) -> g.div(this));                                          // d ln x = 1/x
    }

    public Tensor sqrt() {
        return Autograd.record("sqrt", () -> Pointwise.unary(UnaryOp.SQRT, this), this,
                (g, y) -> g.div(y.mul(2)));                                      // d √x = 1/(2√x)
    }

    /** 1 / sqrt(x). */
    public Tensor rsqrt() {
        return Autograd.record("rsqrt", () -> Pointwise.unary(UnaryOp.RSQRT, this), this,
                (g, y) -> g.mul(y.pow(3)).mul(-0.5));                            // d x^(−1/2) = −½ x^(−3/2)
    }

    public Tensor tanh() {
        return Autograd.record("tanh", () -> Pointwise.unary(UnaryOp.TANH, this), this,
                (g, y) -> g.mul(y.mul(y).neg().add(1)));                         // d tanh = 1 − tanh²
    }

    /** 1 / (1 + exp(-x)). */
    public Tensor sigmoid() {
        return Autograd.record("sigmoid", () -> Pointwise.unary(UnaryOp.SIGMOID, this), this,
                (g, y) -> g.mul(y.mul(y.neg().add(1))));                         // d σ = σ(1 − σ)
    }

    /** max(x, 0). */
    public Tensor relu() {
        return Autograd.record("relu", () -> Pointwise.unary(UnaryOp.RELU, this), this,
                (g, y) -> Pointwise.binary(BinaryOp.RELU_GRAD, g, this));        // g where x > 0, else 0
    }

    /** x·Φ(x), the exact (erf) form, as PyTorch's default. */
    public Tensor gelu() {
        return Autograd.record("gelu", () -> Pointwise.unary(UnaryOp.GELU, this), this,
                (g, y) -> {
                    // d[xΦ(x)] = Φ(x) + x·φ(x). Φ(x) = gelu(x)/x, which is 1/2 at x = 0;
                    // φ(x) = e^(−x²/2)/√(2π).
                    Tensor cdf = where(eq(0), scalar(0.5, dtype), y.div(this));
                    Tensor density = mul(this).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
                    return g.mul(cdf.add(mul(density)));
                });
    }

    public Tensor sin() {
        return Autograd.record("sin", () -> Pointwise.unary(UnaryOp.SIN, this), this,
                (g, y) -> g.mul(cos()));                                         // d sin = cos
    }

    public Tensor cos() {
        return Autograd.record("cos", () -> Pointwise.unary(UnaryOp.COS, this), this,
                (g, y) -> g.mul(sin()).neg());                                   // d cos = −sin
    }

    /** −1, 0 or +1 by the sign of each element, in this tensor's dtype (not differentiable: its derivative is 0). */
    public Tensor sign() {
        try (Autograd.NoGrad off = Autograd.noGrad(); Tensor positive = gt(0).to(dtype); Tensor negative = lt(0).to(dtype)) {
            return positive.sub(negative);
        }
    }

    /** x^exponent, elementwise. */
    public Tensor pow(double exponent) {
        return Autograd.record("pow", () -> Pointwise.pow(this, exponent), this,
                (g, y) -> exponent == 0 ? g.mul(0) : g.mul(pow(exponent - 1)).mul(exponent));  // d xᵖ = p·xᵖ⁻¹
    }

    /** min(max(x, lo), hi); lo must not exceed hi. */
    public Tensor clamp(double lo, double hi) {
        return Autograd.record("clamp", () -> Pointwise.clamp(this, lo, hi), this,
                (g, y) -> g.mul(ge(lo).to(dtype)).mul(le(hi).to(dtype)));       // 1 inside [lo, hi], as PyTorch
    }

    public Tensor add(Tensor other) {
        return Autograd.record("add", () -> Pointwise.binary(BinaryOp.ADD, this, other), new Tensor[] {this, other},
                (g, y) -> g,
                (g, y) -> g);
    }

    public Tensor sub(Tensor other) {
        return Autograd.record("sub", () -> Pointwise.binary(BinaryOp.SUB, this, other), new Tensor[] {this, other},
                (g, y) -> g,
                (g, y) -> g.neg());
    }

    public Tensor mul(Tensor other) {
        return Autograd.record("mul", () -> Pointwise.binary(BinaryOp.MUL, this, other), new Tensor[] {this, other},
                (g, y) -> g.mul(other),                                          // d(ab)/da = b
                (g, y) -> g.mul(this));                                          // d(ab)/db = a
    }

    /** True division: integers divide to float32, as in PyTorch. */
    public Tensor div(Tensor other) {
        return Autograd.record("div", () -> Pointwise.binary(BinaryOp.DIV, this, other), new Tensor[] {this, other},
                (g, y) -> g.div(other),                                          // d(a/b)/da = 1/b
                (g, y) -> g.mul(y).div(other).neg());                            // d(a/b)/db = −a/b² = −y/b
    }

    public Tensor pow(Tensor exponent) {
        return Autograd.record("pow", () -> Pointwise.binary(BinaryOp.POW, this, exponent), new Tensor[] {this, exponent},
                (g, y) -> g.mul(exponent).mul(pow(exponent.sub(1))),            // d aᵇ/da = b·aᵇ⁻¹
                (g, y) -> where(eq(0), scalar(0, y.dtype()), g.mul(y).mul(log()))); // d aᵇ/db = aᵇ·ln a, taken as 0 at a = 0
    }

    /** Elementwise maximum (NaN wins, like torch.maximum); ties share the gradient equally, a NaN gets none. */
    public Tensor maximum(Tensor other) {
        return Autograd.record("maximum", () -> Pointwise.binary(BinaryOp.MAX, this, other), new Tensor[] {this, other},
                (g, y) -> g.mul(Pointwise.winnerWeight(this, other)),
                (g, y) -> g.mul(Pointwise.winnerWeight(other, this)));
    }

    /** Elementwise minimum; ties share the gradient equally. */
    public Tensor minimum(Tensor other) {
        return Autograd.record("minimum", () -> Pointwise.binary(BinaryOp.MIN, this, other), new Tensor[] {this, other},
                (g, y) -> g.mul(Pointwise.winnerWeight(other, this)),
                (g, y) -> g.mul(Pointwise.winnerWeight(this, other)));
    }

    public Tensor add(double value) {
        return Autograd.record("add", () -> Pointwise.binaryScalar(BinaryOp.ADD, this, value), this, (g, y) -> g);
    }

    public Tensor sub(double value) {
        return Autograd.record("sub", () -> Pointwise.binaryScalar(BinaryOp.SUB, this, value), this, (g, y) -> g);
    }

    public Tensor mul(double value) {
        return Autograd.record("mul", () -> Pointwise.binaryScalar(BinaryOp.MUL, this, value), this, (g, y) -> g.mul(value));
    }

    public Tensor div(double value) {
        return Autograd.record("div", () -> Pointwise.binaryScalar(BinaryOp.DIV, this, value), this, (g, y) -> g.div(value));
    }

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
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Autograd.record("where", () -> Pointwise.where(cond, a, b), new Tensor[] {a, b},
                (g, y) -> where(cond, g, scalar(0, g.dtype())),                 // the gradient goes where the value came from
                (g, y) -> where(cond, scalar(0, g.dtype()), g));
    }

    // ---------------------------------------------------------------- reductions
    //
    // The gradient of a reduction is spread back over the reduced axes: Reductions.unreduce reshapes
    // g to the input's rank (reduced axes of size 1), and expand or broadcasting repeats it.

    /** Sum of all elements (int types sum to int64). */
    public Tensor sum() { return sum(null, false); }

    public Tensor sum(int axis, boolean keepDim) { return sum(new int[] {axis}, keepDim); }

    /** Sum over {@code axes} ({@code null}: all), keeping them as size-1 axes if {@code keepDim}. */
    public Tensor sum(int[] axes, boolean keepDim) {
        return Autograd.record("sum", () -> Reductions.reduce(ReduceOp.SUM, this, axes, keepDim, 0), this,
                (g, y) -> Reductions.unreduce(g, this, axes).expand(dims()));  // each element counted once
    }

    public Tensor mean() { return mean(null, false); }

    public Tensor mean(int axis, boolean keepDim) { return mean(new int[] {axis}, keepDim); }

    public Tensor mean(int[] axes, boolean keepDim) {
        return Autograd.record("mean", () -> Reductions.reduce(ReduceOp.MEAN, this, axes, keepDim, 0), this,
                (g, y) -> Reductions.unreduce(g, this, axes).div(Reductions.count(this, axes)).expand(dims()));
    }

    public Tensor max() { return max(null, false); }

    public Tensor max(int axis, boolean keepDim) { return max(new int[] {axis}, keepDim); }

    /** Largest element over {@code axes}; the gradient is shared equally by tied maxima (as torch.amax). */
    public Tensor max(int[] axes, boolean keepDim) {
        return Autograd.record("max", () -> Reductions.reduce(ReduceOp.MAX, this, axes, keepDim, 0), this,
                (g, y) -> Reductions.toExtremes(g, y, this, axes));
    }

    public Tensor min() { return min(null, false); }

    public Tensor min(int axis, boolean keepDim) { return min(new int[] {axis}, keepDim); }

    public Tensor min(int[] axes, boolean keepDim) {
        return Autograd.record("min", () -> Reductions.reduce(ReduceOp.MIN, this, axes, keepDim, 0), this,
                (g, y) -> Reductions.toExtremes(g, y, this, axes));
    }

    /** Unbiased variance (divides by n-1) of all elements, as torch.var. */
    public Tensor var() { return var(null, false, 1); }

    public Tensor var(int axis, boolean keepDim) { return var(new int[] {axis}, keepDim, 1); }

    /** Variance dividing by {@code n - correction} (0: population, 1: unbiased). */
    public Tensor var(int[] axes, boolean keepDim, int correction) {
        return Autograd.record("var", () -> Reductions.reduce(ReduceOp.VAR, this, axes, keepDim, correction), this,
                (g, y) -> Reductions.unreduce(g, this, axes)                     // d var = 2(x − mean)/(n − correction)
                        .mul(Reductions.deviations(this, axes))
                        .mul(2.0 / (Reductions.count(this, axes) - correction)));
    }

    public Tensor std() { return std(null, false, 1); }

    public Tensor std(int axis, boolean keepDim) { return std(new int[] {axis}, keepDim, 1); }

    public Tensor std(int[] axes, boolean keepDim, int correction) {
        return Autograd.record("std", () -> Reductions.reduce(ReduceOp.STD, this, axes, keepDim, correction), this,
                (g, y) -> {                                                      // d std = (x − mean)/((n − correction)·std)
                    Tensor std = Reductions.unreduce(y, this, axes);
                    Tensor safeStd = where(std.eq(0), scalar(1, dtype), std);      // 0, not 0/0, for constant data (as PyTorch)
                    return Reductions.unreduce(g, this, axes).mul(Reductions.deviations(this, axes))
                            .div(safeStd.mul(Reductions.count(this, axes) - correction));
                });
    }

    /** log(Σ exp(x)), computed stably. */
    public Tensor logsumexp(int axis, boolean keepDim) { return logsumexp(new int[] {axis}, keepDim); }

    public Tensor logsumexp(int[] axes, boolean keepDim) {
        return Autograd.record("logsumexp", () -> Reductions.reduce(ReduceOp.LOG_SUM_EXP, this, axes, keepDim, 0), this,
                (g, y) -> Reductions.unreduce(g, this, axes)                     // d lse = exp(x − lse), the softmax
                        .mul(sub(Reductions.unreduce(y, this, axes)).exp()));
    }

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
     * Gradients: dA = dC·Bᵀ and dB = Aᵀ·dC, summed over broadcast batch axes.
     */
    public Tensor matmul(Tensor other) {
        return Autograd.record("matmul", () -> LinearAlgebra.matmul(this, other), new Tensor[] {this, other},
                (g, y) -> LinearAlgebra.matmulGradLeft(g, this, other),
                (g, y) -> LinearAlgebra.matmulGradRight(g, this, other));
    }

    /**
     * A linear map, PyTorch's {@code linear}: {@code this [..., in] · weightᵀ + bias} with
     * {@code weight [out, in]} and {@code bias [out]} (null for none); shape {@code [..., out]}. The
     * same values as {@code matmul(weight.t()).add(bias)}, with gradients that come out in the
     * parameters' own layouts (see LinearAlgebra).
     */
    public Tensor linear(Tensor weight, Tensor bias) { return LinearAlgebra.linear(this, weight, bias); }

    /**
     * {@code relu(linear(weight, bias))} as one op: the float32 kernel adds the bias and applies the ReLU
     * as it writes the product, in one pass over the output (a linear layer followed by a ReLU).
     */
    public Tensor linearRelu(Tensor weight, Tensor bias) { return LinearAlgebra.linear(this, weight, bias, true); }

    /** exp(x) / Σ exp(x) along {@code axis}, computed stably. */
    public Tensor softmax(int axis) {
        return Autograd.record("softmax", () -> LinearAlgebra.softmax(this, axis, false), this,
                (g, y) -> y.mul(g.sub(g.mul(y).sum(LinearAlgebra.softmaxAxes(this, axis), true))));  // dx = y·(g − Σ g·y)
    }

    /** x − logsumexp(x) along {@code axis}, computed stably. */
    public Tensor logSoftmax(int axis) {
        return Autograd.record("logSoftmax", () -> LinearAlgebra.softmax(this, axis, true), this,
                (g, y) -> g.sub(y.exp().mul(g.sum(LinearAlgebra.softmaxAxes(this, axis), true))));  // dx = g − softmax·Σ g
    }

    /**
     * Cross-entropy of each row of these logits {@code [M, C]} against {@code labels} (integer class
     * indices, {@code [M]}): {@code −log softmax(x[r])[labels[r]]}, and 0 for rows labelled
     * {@code ignoreIndex}; shape {@code [M]}. One op (see CrossEntropy) where log-softmax and a gather
     * would record many; the gradient is {@code softmax − onehot} per row.
     */
    public Tensor crossEntropyRows(Tensor labels, long ignoreIndex) { return CrossEntropy.rows(this, labels, ignoreIndex); }

    // ---------------------------------------------------------------- indexing

    /** {@code out[i][j] = this[index[i][j]][j]} for axis 0 (generally: index replaces the coordinate along axis). */
    public Tensor gather(int axis, Tensor index) {
        return Autograd.record("gather", () -> Indexing.gather(this, axis, index), this,
                (g, y) -> zerosLike(this).scatterAdd(axis, index, g));         // each read sends its gradient back
    }

    /** A copy of this tensor with {@code src} added at the positions {@code index} names along {@code axis} (repeats accumulate). */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        return Autograd.record("scatterAdd", () -> Indexing.scatterAdd(this, axis, index, src), new Tensor[] {this, src},
                (g, y) -> g,
                (g, y) -> Indexing.scatterAddSourceGrad(g, axis, index, src));
    }

    /** The entries at positions {@code index} (1-D integer tensor) along {@code axis}. */
    public Tensor indexSelect(int axis, Tensor index) {
        return Autograd.record("indexSelect", () -> Indexing.indexSelect(this, axis, index), this,
                (g, y) -> Indexing.indexAddGrad(g, this, axis, index));
    }

    /** One-hot encoding of integer labels in {@code [0, classes)}: shape {@code labels.shape + [classes]}, int64. */
    public static Tensor oneHot(Tensor labels, int classes) { return Indexing.oneHot(labels, classes); }

    // ---------------------------------------------------------------- joining and splitting

    /** Joins tensors along an existing axis; all other sizes must match. */
    public static Tensor cat(int axis, Tensor... tensors) { return cat(axis, Arrays.asList(tensors)); }

    public static Tensor cat(int axis, List<Tensor> tensors) {
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        GradNode.Partial[] partials = new GradNode.Partial[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            int position = i;
            partials[i] = (g, y) -> {                                           // each input gets its own slab back
                int start = 0;
                for (int j = 0; j < position; j++) {
                    start += inputs[j].dim(axis);
                }
                return g.narrow(axis, start, inputs[position].dim(axis));
            };
        }
        return Autograd.record("cat", () -> Joining.cat(axis, tensors), inputs, partials);
    }

    /** Joins same-shaped tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... tensors) { return stack(axis, Arrays.asList(tensors)); }

    public static Tensor stack(int axis, List<Tensor> tensors) {
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        GradNode.Partial[] partials = new GradNode.Partial[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            int position = i;
            partials[i] = (g, y) -> g.select(axis, position);
        }
        return Autograd.record("stack", () -> Joining.stack(axis, tensors), inputs, partials);
    }

    /** Views of {@code size} elements along {@code axis} (the last may be smaller); each is recorded as a narrow. */
    public List<Tensor> split(int size, int axis) { return Joining.split(this, size, axis); }

    /** {@code chunks} views along {@code axis}, as equal as possible (like torch.chunk, possibly fewer). */
    public List<Tensor> chunk(int chunks, int axis) { return Joining.chunk(this, chunks, axis); }

    // ---------------------------------------------------------------- windows (convolution and pooling)

    /**
     * A copy with a constant border: axis {@code a} gets {@code before[a]} entries equal to
     * {@code value} in front of its elements and {@code after[a]} behind them (one count >= 0 per axis).
     */
    public Tensor pad(int[] before, int[] after, double value) {
        return Autograd.record("pad", () -> Windows.pad(this, before, after, value), this,
                (g, y) -> Windows.interior(g, before, dims()));                // the border is constant: g without it
    }

    /**
     * im2col: every kernelH×kernelW window of the image batch {@code [N, C, H, W]}, as columns
     * {@code [N, C, kH, kW, OH, OW]} with {@code out[n, c, i, j, oh, ow] = x[n, c, oh·sH + i·dH − pH, ow·sW + j·dW − pW]}
     * ({@code padValue} where that falls outside x). OH = ⌊(H + 2pH − dH(kH − 1) − 1)/sH⌋ + 1 and OW
     * likewise, as PyTorch. A convolution is a matmul of the weights with these columns, a pooling a
     * reduction over the kernel axes; see Windows for a picture. The gradient adds each column
     * entry's gradient back into the element it was read from (col2im).
     */
    public Tensor unfold2d(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                           int dilationH, int dilationW, double padValue) {
        WindowGeometry window = Windows.geometry("unfold2d", kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW);
        return Autograd.record("unfold2d", () -> Windows.unfold2d(this, window, padValue), this,
                (g, y) -> Windows.fold2d(g, window, shape));
    }

    /**
     * 2-D convolution (PyTorch's {@code conv2d}, a cross-correlation) of this image batch
     * {@code [N, C, H, W]} with {@code weight [O, C/groups, kH, kW]} and an optional {@code bias [O]}
     * (null for none): {@code y[n, o, oh, ow] = bias[o] + Σ_{c, i, j} weight[o, c, i, j] · x[n, g·C/G + c,
     * oh·sH + i·dH − pH, ow·sW + j·dW − pW]} with g the group of o, zero outside x; shape
     * {@code [N, O, OH, OW]}, sizes as {@link #unfold2d}. Differentiable in all three; float32 runs
     * dedicated kernels, other dtypes im2col and a matmul (see Convolution).
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int strideH, int strideW, int padH, int padW,
                         int dilationH, int dilationW, int groups) {
        return Convolution.conv2d(this, weight, bias, strideH, strideW, padH, padW, dilationH, dilationW, groups);
    }

    /**
     * 2-D max pooling of this image batch {@code [N, C, H, W]}: the largest element of each
     * kernelH×kernelW window, the padding counting as −∞; sizes as {@link #unfold2d}. The gradient
     * goes to each window's first maximum in row-major order, as PyTorch's.
     */
    public Tensor maxPool2d(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                            int dilationH, int dilationW) {
        return Pooling.maxPool2d(this, Windows.geometry("maxPool2d", kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW));
    }

    /**
     * 2-D average pooling of this image batch {@code [N, C, H, W]}: the mean of each kernelH×kernelW
     * window, the zero padding counted in the divisor (PyTorch's {@code count_include_pad=True});
     * sizes as {@link #unfold2d} without dilation. Each input element gets the gradients of the
     * windows holding it, divided by kernelH·kernelW.
     */
    public Tensor avgPool2d(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
        return Pooling.avgPool2d(this, Windows.geometry("avgPool2d", kernelH, kernelW, strideH, strideW, padH, padW, 1, 1));
    }

    /**
     * Average pooling of this image batch {@code [N, C, H, W]} to {@code [N, C, outH, outW]} (PyTorch's
     * {@code adaptive_avg_pool2d}): output row i averages the input rows
     * [⌊i·H/outH⌋, ⌈(i+1)·H/outH⌉), columns likewise (neighbouring windows may overlap and differ in size).
     */
    public Tensor adaptiveAvgPool2d(int outH, int outW) {
        return Pooling.adaptiveAvgPool2d(this, outH, outW);
    }

    /**
     * Batch normalisation of this {@code [N, C, ...]} over every axis but the channels (PyTorch's
     * {@code batch_norm}): {@code y = (x − μ)/√(σ² + ε)·weight + bias} per channel, with the batch's
     * mean and biased variance when {@code training} (then the running statistics, if given, move
     * towards them by {@code momentum}, the variance unbiased, in place and not recorded), the running
     * statistics otherwise. weight, bias and the running statistics are {@code [C]}; differentiable in
     * this, weight and bias.
     */
    public Tensor batchNorm(Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                            double momentum, double eps) {
        return BatchNormalization.batchNorm(this, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    // ---------------------------------------------------------------- gradients

    /**
     * Marks this tensor as a leaf whose gradient backward() should compute (or stops that); returns
     * this. Only floating-point leaves can require gradients; results of recorded ops require one
     * automatically when an input does.
     */
    public Tensor requiresGrad(boolean required) {
        ensureOpen();
        if (gradNode != null) {
            throw new IllegalStateException("requiresGrad: " + describe() + " is the result of '" + gradNode.op
                    + "', not a leaf; its gradient flows to its inputs (use detach() for a leaf copy of its values)");
        }
        if (required && !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("requiresGrad: only floating-point tensors have gradients, got " + describe());
        }
        this.requiresGrad = required;
        return this;
    }

    /** Whether backward() reaches this tensor: a leaf marked with requiresGrad(true), or a recorded result. */
    public boolean requiresGrad() { return requiresGrad || gradNode != null; }

    /** Whether this tensor was made by the user rather than by a recorded op. */
    public boolean isLeaf() { return gradNode == null; }

    /** The name of the op that made this tensor ("matmul", "relu"...), or null for a leaf. */
    public String gradFn() { return gradNode == null ? null : gradNode.op; }

    GradNode gradNode() { return gradNode; }

    void attachGradNode(GradNode node) { this.gradNode = node; }

    /** The accumulated gradient of a leaf, or null before the first backward() that reaches it. */
    public Tensor grad() { return grad; }

    /**
     * Replaces the accumulated gradient (null drops it, closing the old one). The new gradient must
     * have this tensor's shape and dtype; this tensor owns it from now on (no scope will close it).
     */
    public void setGrad(Tensor newGrad) {
        if (newGrad != null && (!newGrad.shape().equals(shape) || newGrad.dtype() != dtype)) {
            throw new IllegalArgumentException("setGrad: the gradient " + newGrad.describe() + " must have the shape and dtype of " + describe());
        }
        if (grad != null && grad != newGrad) {
            grad.close();
        }
        grad = newGrad == null ? null : MemoryScope.disown(newGrad);
    }

    /** A view of the same data that is a leaf with no gradient: values flow on, gradients stop here. */
    public Tensor detach() { return view(shape, strides, offset); }

    /**
     * Computes the gradient of this scalar with respect to every leaf that requires one, adding it to
     * their {@link #grad()}. The graph's saved tensors are then released: a second backward() through
     * it throws, as in PyTorch.
     */
    public void backward() { Autograd.backward(this, null, false); }

    /** backward() that keeps the graph (for a scalar), so that backward can run through it again. */
    public void backward(boolean keepGraph) { Autograd.backward(this, null, keepGraph); }

    /** backward() for a non-scalar: {@code seed} is d(loss)/d(this), of this tensor's shape. */
    public void backward(Tensor seed) { Autograd.backward(this, seed, false); }

    /** backward(seed) that keeps the graph, so that backward can run through it again. */
    public void backward(Tensor seed, boolean keepGraph) { Autograd.backward(this, seed, keepGraph); }

    // ---------------------------------------------------------------- in place (never recorded)

    private void checkWritable(String op) {
        ensureOpen();
        if (requiresGrad() && Autograd.isRecording()) {
            throw new IllegalStateException(op + ": " + describe() + " requires a gradient and would be changed in place"
                    + " while recording; update parameters inside Autograd.noGrad()");
        }
    }

    /** Overwrites this tensor's elements with {@code source} (broadcast to this shape, converted to this dtype, copied from its device); returns this. */
    public Tensor copyFrom(Tensor source) {
        checkWritable("copyFrom");
        if (!source.device().equals(device())) {                 // e.g. a checkpoint's values into a model on a GPU
            try (Autograd.NoGrad off = Autograd.noGrad(); Tensor here = source.to(device())) {
                return copyFrom(here);
            }
        }
        try (Tensor wide = Views.expand(source, dims())) {
            backend().copy(this, wide);
        }
        return this;
    }

    /** Sets every element to {@code value}; returns this. */
    public Tensor fill(double value) {
        checkWritable("fill");
        if (isContiguous()) {
            backend().fill(this, value);            // in place: no constant tensor to copy from
            return this;
        }
        try (Tensor constant = full(value, dtype, dims())) {
            backend().copy(this, constant);
        }
        return this;
    }

    /** this += other (broadcast to this shape), in place; returns this. */
    public Tensor addInPlace(Tensor other) {
        checkWritable("addInPlace");
        Pointwise.checkSameDevice("addInPlace", this, other);
        try (Tensor typed = other.dtype() == dtype ? Views.expand(other, other.dims()) : Pointwise.cast(other, dtype);
             Tensor wide = Views.expand(typed, dims())) {
            backend().binary(BinaryOp.ADD, this, this, wide);             // out may alias a (see Backend.binary)
        }
        return this;
    }

    /** A tensor of zeros with the dtype, shape and device of {@code like}. */
    public static Tensor zerosLike(Tensor like) { return Factories.full(0, like.dtype(), like.shape(), like.device()); }

    /** A tensor of ones with the dtype, shape and device of {@code like}. */
    public static Tensor onesLike(Tensor like) { return Factories.full(1, like.dtype(), like.shape(), like.device()); }

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

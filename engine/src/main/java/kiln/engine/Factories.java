package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Creating tensors from values, and reading their values back into Java arrays. */
final class Factories {
    private Factories() {}

    static Tensor full(double value, DType dtype, Shape shape) {
        return full(value, dtype, shape, Device.CPU);
    }

    static Tensor full(double value, DType dtype, Shape shape, Device device) {
        Tensor out = Tensor.empty(dtype, shape, device);
        out.backend().fill(out, value);
        return out;
    }

    static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || !Double.isFinite(step) || !Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("arange: start, end and step must be finite and step nonzero, got start="
                    + start + ", end=" + end + ", step=" + step);
        }
        long count = (long) Math.max(0, Math.ceil((end - start) / step));
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("arange: " + count + " elements is too many");
        }
        Tensor out = Tensor.empty(dtype, Shape.of((int) count), Device.CPU);
        MemorySegment data = out.segment();
        for (long i = 0; i < count; i++) {
            Elements.setDouble(dtype, data, i, start + i * step);
        }
        return out;
    }

    static Tensor linspace(double start, double end, int steps, DType dtype) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        }
        Tensor out = Tensor.empty(dtype, Shape.of(steps), Device.CPU);
        double delta = steps > 1 ? (end - start) / (steps - 1) : 0;
        for (int i = 0; i < steps; i++) {
            // The last value is exactly end, not start + (steps-1)·delta rounded; a single step is start.
            double value = i == steps - 1 && steps > 1 ? end : start + i * delta;
            Elements.setDouble(dtype, out.segment(), i, value);
        }
        return out;
    }

    static Tensor eye(int rows, int cols, DType dtype) {
        Tensor out = full(0, dtype, Shape.of(rows, cols));
        for (int i = 0; i < Math.min(rows, cols); i++) {
            Elements.setDouble(dtype, out.segment(), (long) i * cols + i, 1);
        }
        return out;
    }

    private static Tensor fromValues(DType dtype, Shape shape, int length, MemorySegment source) {
        if (length != shape.numel()) {
            throw new IllegalArgumentException("fromArray: " + length + " values cannot fill shape " + shape
                    + " (" + shape.numel() + " elements)");
        }
        Tensor out = Tensor.empty(dtype, shape, Device.CPU);
        MemorySegment.copy(source, 0, out.segment(), 0, (long) length * dtype.byteSize());
        return out;
    }

    static Tensor fromArray(float[] data, Shape shape) { return fromValues(DType.FLOAT32, shape, data.length, MemorySegment.ofArray(data)); }

    static Tensor fromArray(double[] data, Shape shape) { return fromValues(DType.FLOAT64, shape, data.length, MemorySegment.ofArray(data)); }

    static Tensor fromArray(int[] data, Shape shape) { return fromValues(DType.INT32, shape, data.length, MemorySegment.ofArray(data)); }

    static Tensor fromArray(long[] data, Shape shape) { return fromValues(DType.INT64, shape, data.length, MemorySegment.ofArray(data)); }

    static Tensor fromArray(boolean[] data, Shape shape) {
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = (byte) (data[i] ? 1 : 0);
        }
        return fromValues(DType.BOOL, shape, bytes.length, MemorySegment.ofArray(bytes));
    }

    /** The source of random draws of one element, so that every random factory shares one filling loop. */
    private interface Draw {
        double next();
    }

    private static Tensor random(String op, DType dtype, Shape shape, Draw draw) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": dtype must be float32 or float64, got " + dtype);
        }
        Tensor out = Tensor.empty(dtype, shape, Device.CPU);
        MemorySegment data = out.segment();
        for (long i = 0; i < shape.numel(); i++) {
            Elements.setDouble(dtype, data, i, draw.next());
        }
        return out;
    }

    static Tensor rand(Generator generator, DType dtype, Shape shape) {
        // float32 takes 24-bit draws so that a value is never rounded up to 1.0.
        return random("rand", dtype, shape, dtype == DType.FLOAT32 ? generator::nextFloat : generator::nextDouble);
    }

    static Tensor randn(Generator generator, DType dtype, Shape shape) {
        return random("randn", dtype, shape, generator::nextGaussian);
    }

    static Tensor randint(Generator generator, long low, long high, Shape shape) {
        if (low >= high) {
            throw new IllegalArgumentException("randint: needs low < high, got low=" + low + ", high=" + high);
        }
        Tensor out = Tensor.empty(DType.INT64, shape, Device.CPU);
        MemorySegment data = out.segment();
        for (long i = 0; i < shape.numel(); i++) {
            data.setAtIndex(ValueLayout.JAVA_LONG, i, low + generator.nextLong(high - low));
        }
        return out;
    }

    // ---------------------------------------------------------------- reading back

    /**
     * A contiguous tensor of {@code dtype} in host memory holding t's values: t itself when it already
     * is one; a GPU tensor is converted there and copied down (the arrays and {@code item()} of a GPU
     * tensor read it as PyTorch's {@code tolist()} and {@code item()} do).
     */
    private static Tensor contiguousAs(Tensor t, DType dtype) {
        if (t.device().kind() != Device.Kind.CPU) {
            try (Autograd.NoGrad off = Autograd.noGrad(); Tensor typed = t.to(dtype)) {
                return typed.to(Device.CPU);
            }
        }
        return t.dtype() == dtype && t.isContiguous() ? t : t.to(dtype);
    }

    private static void copyOut(Tensor t, DType dtype, MemorySegment target) {
        Tensor source = contiguousAs(t, dtype);
        try {
            long bytes = t.numel() * dtype.byteSize();
            MemorySegment.copy(source.segment(), source.offset() * dtype.byteSize(), target, 0, bytes);
        } finally {
            if (source != t) {
                source.close();
            }
        }
    }

    static float[] toFloatArray(Tensor t) {
        float[] out = new float[(int) contiguousCount(t)];
        copyOut(t, DType.FLOAT32, MemorySegment.ofArray(out));
        return out;
    }

    static double[] toDoubleArray(Tensor t) {
        double[] out = new double[(int) contiguousCount(t)];
        copyOut(t, DType.FLOAT64, MemorySegment.ofArray(out));
        return out;
    }

    static int[] toIntArray(Tensor t) {
        int[] out = new int[(int) contiguousCount(t)];
        copyOut(t, DType.INT32, MemorySegment.ofArray(out));
        return out;
    }

    static long[] toLongArray(Tensor t) {
        long[] out = new long[(int) contiguousCount(t)];
        copyOut(t, DType.INT64, MemorySegment.ofArray(out));
        return out;
    }

    static boolean[] toBooleanArray(Tensor t) {
        byte[] bytes = new byte[(int) contiguousCount(t)];
        copyOut(t, DType.BOOL, MemorySegment.ofArray(bytes));
        boolean[] out = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] != 0;
        }
        return out;
    }

    private static long contiguousCount(Tensor t) {
        t.ensureOpen();
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("toArray: " + t.describe() + " has too many elements for a Java array");
        }
        return t.numel();
    }

    static double get(Tensor t, int[] index) {
        t.ensureOpen();
        if (t.device().kind() != Device.Kind.CPU) {
            try (Autograd.NoGrad off = Autograd.noGrad(); Tensor host = t.to(Device.CPU)) {
                return get(host, index);
            }
        }
        if (index.length != t.rank()) {
            throw new IllegalArgumentException("get: " + t.describe() + " needs " + t.rank() + " indices, got " + index.length);
        }
        long element = t.offset();
        long[] strides = t.strides();
        for (int axis = 0; axis < index.length; axis++) {
            int size = t.dim(axis);
            int i = index[axis];
            if (i < -size || i >= size) {
                throw new IndexOutOfBoundsException("get: index " + i + " is out of range for axis " + axis
                        + " of " + t.describe() + " (valid: [" + (-size) + ", " + (size - 1) + "])");
            }
            element += (long) (i < 0 ? i + size : i) * strides[axis];
        }
        return Elements.getDouble(t.dtype(), t.segment(), element);
    }
}

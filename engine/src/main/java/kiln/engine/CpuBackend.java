package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.kernels.cpu.BinaryKernels;
import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.CompareOp;
import kiln.kernels.cpu.ReduceKernels;
import kiln.kernels.cpu.ReduceOp;
import kiln.kernels.cpu.Sgemm;
import kiln.kernels.cpu.Simd;
import kiln.kernels.cpu.SoftmaxKernels;
import kiln.kernels.cpu.UnaryKernels;
import kiln.kernels.cpu.UnaryOp;

/**
 * The CPU backend. float32 work goes to the kernels of {@code kiln.kernels.cpu} (Vector API, with
 * scalar references behind {@code -Dkiln.simd=false}), one row at a time as {@link StridedLoop}
 * lays the operands out; float64 and the integer types take the plain loops of {@link ScalarOps}.
 */
final class CpuBackend implements Backend {

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String describe() {
        return Simd.describe();
    }

    private static StridedLoop loop(Tensor shapeSource, Tensor... operands) {
        long[][] strides = new long[operands.length][];
        long[] offsets = new long[operands.length];
        for (int k = 0; k < operands.length; k++) {
            strides[k] = operands[k].strides();
            offsets[k] = operands[k].offset();
        }
        return new StridedLoop(shapeSource.dims(), strides, offsets);
    }

    // ---------------------------------------------------------------- copying and filling

    @Override
    public void copy(Tensor out, Tensor in) {
        MemorySegment to = out.segment();
        MemorySegment from = in.segment();
        DType toType = out.dtype();
        DType fromType = in.dtype();
        StridedLoop loop = loop(out, out, in);
        long[] steps = loop.steps();
        int size = toType.byteSize();
        loop.forEachRow((starts, n) -> {
            if (toType == fromType && steps[0] == 1 && steps[1] == 1) {
                MemorySegment.copy(from, starts[1] * size, to, starts[0] * size, (long) n * size);
            } else if (toType == fromType) {
                for (int i = 0; i < n; i++) {
                    copyRaw(size, to, starts[0] + i * steps[0], from, starts[1] + i * steps[1]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    Elements.copy(toType, to, starts[0] + i * steps[0], fromType, from, starts[1] + i * steps[1]);
                }
            }
        });
    }

    /** Copies one element of {@code size} bytes unchanged, whatever its type. */
    private static void copyRaw(int size, MemorySegment to, long toIndex, MemorySegment from, long fromIndex) {
        switch (size) {
            case 1 -> to.set(ValueLayout.JAVA_BYTE, toIndex, from.get(ValueLayout.JAVA_BYTE, fromIndex));
            case 4 -> to.setAtIndex(ValueLayout.JAVA_INT, toIndex, from.getAtIndex(ValueLayout.JAVA_INT, fromIndex));
            case 8 -> to.setAtIndex(ValueLayout.JAVA_LONG, toIndex, from.getAtIndex(ValueLayout.JAVA_LONG, fromIndex));
            default -> throw new IllegalStateException("no element type has " + size + " bytes");
        }
    }

    @Override
    public void fill(Tensor out, double value) {
        MemorySegment data = out.segment();
        long count = out.numel();
        if (value == 0 && Double.doubleToRawLongBits(value) == 0) {
            data.asSlice(out.offset() * out.dtype().byteSize(), count * out.dtype().byteSize()).fill((byte) 0);
            return;
        }
        if (count == 0) {
            return;
        }
        // Write one element, then double the filled prefix with bulk copies.
        long first = out.offset();
        int size = out.dtype().byteSize();
        Elements.setDouble(out.dtype(), data, first, value);
        for (long filled = 1; filled < count; filled *= 2) {
            long chunk = Math.min(filled, count - filled);
            MemorySegment.copy(data, first * size, data, (first + filled) * size, chunk * size);
        }
    }

    // ---------------------------------------------------------------- elementwise

    /** A float32 row kernel over contiguous runs: {@code n} outputs from {@code n} inputs. */
    private interface Float32Row {
        void run(MemorySegment out, long outStart, MemorySegment in, long inStart, int n);
    }

    /** The general rule for one element at {@code outIndex} from the element at {@code inIndex}, any dtype. */
    private interface ElementRule {
        void apply(MemorySegment out, long outIndex, MemorySegment in, long inIndex);
    }

    /**
     * The shared skeleton of the one-input ops: contiguous float32 rows go to the SIMD kernel, every
     * other row (strided, or another dtype) element by element through the general rule.
     */
    private static void map(Tensor out, Tensor in, Float32Row kernel, ElementRule rule) {
        MemorySegment to = out.segment();
        MemorySegment from = in.segment();
        boolean float32 = out.dtype() == DType.FLOAT32;
        StridedLoop loop = loop(out, out, in);
        long[] steps = loop.steps();
        loop.forEachRow((starts, n) -> {
            if (float32 && steps[0] == 1 && steps[1] == 1) {
                kernel.run(to, starts[0], from, starts[1], n);
                return;
            }
            for (int i = 0; i < n; i++) {
                rule.apply(to, starts[0] + i * steps[0], from, starts[1] + i * steps[1]);
            }
        });
    }

    @Override
    public void unary(UnaryOp op, Tensor out, Tensor in) {
        DType type = out.dtype();
        map(out, in, (to, o, from, x, n) -> UnaryKernels.map(op, to, o, from, x, n), (to, o, from, x) -> {
            switch (type) {
                case FLOAT32 -> to.setAtIndex(ValueLayout.JAVA_FLOAT, o, op.apply(from.getAtIndex(ValueLayout.JAVA_FLOAT, x)));
                case FLOAT64 -> Elements.setDouble(type, to, o, ScalarOps.unary(op, Elements.getDouble(type, from, x)));
                default -> Elements.setLong(type, to, o, ScalarOps.unary(op, Elements.getLong(type, from, x)));
            }
        });
    }

    @Override
    public void powScalar(Tensor out, Tensor in, double exponent) {
        DType type = out.dtype();
        map(out, in, (to, o, from, x, n) -> UnaryKernels.pow(to, o, from, x, (float) exponent, n),
                (to, o, from, x) -> Elements.setDouble(type, to, o, Math.pow(Elements.getDouble(type, from, x), exponent)));
    }

    @Override
    public void clamp(Tensor out, Tensor in, double lo, double hi) {
        DType type = out.dtype();
        map(out, in, (to, o, from, x, n) -> UnaryKernels.clamp(to, o, from, x, (float) lo, (float) hi, n), (to, o, from, x) -> {
            if (type.isFloatingPoint()) {
                double v = Elements.getDouble(type, from, x);
                Elements.setDouble(type, to, o, Double.isNaN(v) ? v : Math.min(Math.max(v, lo), hi));
            } else {
                long v = Elements.getLong(type, from, x);
                Elements.setLong(type, to, o, Math.min(Math.max(v, (long) Math.ceil(lo)), (long) Math.floor(hi)));
            }
        });
    }

    /** Whether a float32 row can go to a SIMD row kernel: every input contiguous (1) or broadcast (0). */
    private static boolean rowKernelFits(long[] steps) {
        if (steps[0] != 1) {
            return false;
        }
        for (int k = 1; k < steps.length; k++) {
            if (steps[k] != 0 && steps[k] != 1) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
        MemorySegment to = out.segment();
        MemorySegment left = a.segment();
        MemorySegment right = b.segment();
        DType type = out.dtype();
        StridedLoop loop = loop(out, out, a, b);
        long[] steps = loop.steps();
        loop.forEachRow((starts, n) -> {
            if (type == DType.FLOAT32 && rowKernelFits(steps)) {
                BinaryKernels.zip(op, to, starts[0], left, starts[1], (int) steps[1], right, starts[2], (int) steps[2], n);
                return;
            }
            for (int i = 0; i < n; i++) {
                long o = starts[0] + i * steps[0];
                long x = starts[1] + i * steps[1];
                long y = starts[2] + i * steps[2];
                if (type.isFloatingPoint()) {
                    double result = ScalarOps.binary(op, Elements.getDouble(type, left, x), Elements.getDouble(type, right, y));
                    Elements.setDouble(type, to, o, result);
                } else {
                    long result = ScalarOps.binary(op, Elements.getLong(type, left, x), Elements.getLong(type, right, y));
                    Elements.setLong(type, to, o, result);
                }
            }
        });
    }

    @Override
    public void compare(CompareOp op, Tensor out, Tensor a, Tensor b) {
        MemorySegment to = out.segment();
        MemorySegment left = a.segment();
        MemorySegment right = b.segment();
        DType type = a.dtype();
        StridedLoop loop = loop(out, out, a, b);
        long[] steps = loop.steps();
        loop.forEachRow((starts, n) -> {
            if (type == DType.FLOAT32 && rowKernelFits(steps)) {
                BinaryKernels.compare(op, to, starts[0], left, starts[1], (int) steps[1], right, starts[2], (int) steps[2], n);
                return;
            }
            for (int i = 0; i < n; i++) {
                long x = starts[1] + i * steps[1];
                long y = starts[2] + i * steps[2];
                boolean result = type.isFloatingPoint()
                        ? ScalarOps.compare(op, Elements.getDouble(type, left, x), Elements.getDouble(type, right, y))
                        : ScalarOps.compare(op, Elements.getLong(type, left, x), Elements.getLong(type, right, y));
                to.set(ValueLayout.JAVA_BYTE, starts[0] + i * steps[0], (byte) (result ? 1 : 0));
            }
        });
    }

    @Override
    public void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
        MemorySegment to = out.segment();
        MemorySegment mask = cond.segment();
        MemorySegment left = a.segment();
        MemorySegment right = b.segment();
        DType type = out.dtype();
        int size = type.byteSize();
        StridedLoop loop = loop(out, out, cond, a, b);
        long[] steps = loop.steps();
        loop.forEachRow((starts, n) -> {
            if (type == DType.FLOAT32 && rowKernelFits(steps)) {
                BinaryKernels.where(to, starts[0], mask, starts[1], (int) steps[1], left, starts[2], (int) steps[2],
                        right, starts[3], (int) steps[3], n);
                return;
            }
            for (int i = 0; i < n; i++) {
                boolean pick = mask.get(ValueLayout.JAVA_BYTE, starts[1] + i * steps[1]) != 0;
                copyRaw(size, to, starts[0] + i * steps[0],
                        pick ? left : right, pick ? starts[2] + i * steps[2] : starts[3] + i * steps[3]);
            }
        });
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public void reduceRows(ReduceOp op, Tensor out, Tensor in, int correction) {
        int rows = in.dim(0);
        int len = in.dim(1);
        DType type = in.dtype();
        MemorySegment from = in.segment();
        MemorySegment to = out.segment();
        if (type == DType.FLOAT32) {
            ReduceKernels.reduceRows(op, to, out.offset(), from, in.offset(), rows, len, correction);
            return;
        }
        for (int r = 0; r < rows; r++) {
            long start = in.offset() + (long) r * len;
            long target = out.offset() + r;
            if (type == DType.FLOAT64) {
                Elements.setDouble(type, to, target, reduceDoubles(op, from, start, len, correction));
            } else {
                Elements.setLong(type, to, target, reduceLongs(op, type, from, start, len));
            }
        }
    }

    @Override
    public void sumColumns(Tensor out, Tensor in) {
        ReduceKernels.sumColumns(out.segment(), out.offset(), in.segment(), in.offset(), in.dim(0), in.dim(1));
    }

    /** The float64 reference for one row. */
    private static double reduceDoubles(ReduceOp op, MemorySegment data, long start, int len, int correction) {
        DType t = DType.FLOAT64;
        double sum = 0;
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        boolean nan = false;
        for (int i = 0; i < len; i++) {
            double x = Elements.getDouble(t, data, start + i);
            sum += x;
            max = Math.max(max, x);
            min = Math.min(min, x);
            nan |= Double.isNaN(x);
        }
        return switch (op) {
            case SUM -> sum;
            case MEAN -> sum / len;
            case MAX -> nan ? Double.NaN : max;
            case MIN -> nan ? Double.NaN : min;
            case VAR, STD -> {
                double mean = sum / len;
                double squares = 0;
                for (int i = 0; i < len; i++) {
                    double d = Elements.getDouble(t, data, start + i) - mean;
                    squares += d * d;
                }
                double variance = squares / Math.max(0, len - correction);
                yield op == ReduceOp.VAR ? variance : Math.sqrt(variance);
            }
            case LOG_SUM_EXP -> {
                if (max == Double.NEGATIVE_INFINITY || nan || max == Double.POSITIVE_INFINITY) {
                    yield nan ? Double.NaN : max;
                }
                double total = 0;
                for (int i = 0; i < len; i++) {
                    total += Math.exp(Elements.getDouble(t, data, start + i) - max);
                }
                yield max + Math.log(total);
            }
        };
    }

    /** Integer rows: SUM (in int64), MAX and MIN. */
    private static long reduceLongs(ReduceOp op, DType type, MemorySegment data, long start, int len) {
        long result = switch (op) {
            case SUM -> 0;
            case MAX -> Long.MIN_VALUE;
            case MIN -> Long.MAX_VALUE;
            default -> throw new IllegalArgumentException(op + " is not an integer reduction");
        };
        for (int i = 0; i < len; i++) {
            long x = Elements.getLong(type, data, start + i);
            result = switch (op) {
                case SUM -> result + x;
                case MAX -> Math.max(result, x);
                default -> Math.min(result, x);
            };
        }
        return result;
    }

    @Override
    public void argReduceRows(boolean max, Tensor out, Tensor in) {
        int rows = in.dim(0);
        int len = in.dim(1);
        DType type = in.dtype();
        MemorySegment from = in.segment();
        MemorySegment to = out.segment();
        for (int r = 0; r < rows; r++) {
            long start = in.offset() + (long) r * len;
            long best;
            if (type == DType.FLOAT32) {
                best = max ? ReduceKernels.argmax(from, start, len) : ReduceKernels.argmin(from, start, len);
            } else {
                best = 0;
                for (int i = 1; i < len; i++) {
                    if (better(max, type, from, start + i, start + best)) {
                        best = i;
                    }
                }
            }
            to.setAtIndex(ValueLayout.JAVA_LONG, out.offset() + r, best);
        }
    }

    /** Whether element i beats the best so far; a NaN beats everything and is kept (as torch.argmax). */
    private static boolean better(boolean max, DType type, MemorySegment data, long i, long best) {
        if (type.isFloatingPoint()) {
            double x = Elements.getDouble(type, data, i);
            double b = Elements.getDouble(type, data, best);
            if (Double.isNaN(b)) {
                return false;
            }
            return Double.isNaN(x) || (max ? x > b : x < b);
        }
        long x = Elements.getLong(type, data, i);
        long b = Elements.getLong(type, data, best);
        return max ? x > b : x < b;
    }

    // ---------------------------------------------------------------- matmul and softmax

    @Override
    public void matmul(Tensor out, Tensor a, Tensor b) {
        int rank = out.rank();
        int m = out.dim(-2);
        int n = out.dim(-1);
        int k = a.dim(-1);
        long[] as = a.strides();
        long[] bs = b.strides();
        MemorySegment c = out.segment();
        MemorySegment left = a.segment();
        MemorySegment right = b.segment();
        // One product per batch index; StridedLoop over the batch axes gives each matrix's start.
        int[] batchDims = java.util.Arrays.copyOf(out.dims(), rank - 2);
        long[][] batchStrides = {
                java.util.Arrays.copyOf(out.strides(), rank - 2),
                java.util.Arrays.copyOf(as, rank - 2),
                java.util.Arrays.copyOf(bs, rank - 2)};
        StridedLoop batches = new StridedLoop(batchDims, batchStrides, new long[] {out.offset(), a.offset(), b.offset()});
        long[] steps = batches.steps();
        long aRow = as[rank - 2], aCol = as[rank - 1], bRow = bs[rank - 2], bCol = bs[rank - 1];
        batches.forEachRowInOrder((starts, count) -> {
            for (int i = 0; i < count; i++) {
                long cStart = starts[0] + i * steps[0];
                long aStart = starts[1] + i * steps[1];
                long bStart = starts[2] + i * steps[2];
                if (out.dtype() == DType.FLOAT32) {
                    Sgemm.sgemm(c, cStart, n, left, aStart, aRow, aCol, right, bStart, bRow, bCol, m, n, k, false);
                } else {
                    dgemm(c, cStart, left, aStart, aRow, aCol, right, bStart, bRow, bCol, m, n, k);
                }
            }
        });
    }

    /** C = A·B in float64, the plain triple loop (float64 serves gradient checks, not speed). */
    private static void dgemm(MemorySegment c, long cOff, MemorySegment a, long aOff, long aRow, long aCol,
                              MemorySegment b, long bOff, long bRow, long bCol, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += a.getAtIndex(ValueLayout.JAVA_DOUBLE, aOff + i * aRow + p * aCol)
                            * b.getAtIndex(ValueLayout.JAVA_DOUBLE, bOff + p * bRow + j * bCol);
                }
                c.setAtIndex(ValueLayout.JAVA_DOUBLE, cOff + (long) i * n + j, sum);
            }
        }
    }

    @Override
    public void softmaxRows(Tensor out, Tensor in, boolean log) {
        int rows = in.dim(0);
        int cols = in.dim(1);
        MemorySegment to = out.segment();
        MemorySegment from = in.segment();
        if (in.dtype() == DType.FLOAT32) {
            if (log) {
                SoftmaxKernels.logSoftmaxRows(to, out.offset(), from, in.offset(), rows, cols);
            } else {
                SoftmaxKernels.softmaxRows(to, out.offset(), from, in.offset(), rows, cols);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            long start = in.offset() + (long) r * cols;
            long target = out.offset() + (long) r * cols;
            double logTotal = reduceDoubles(ReduceOp.LOG_SUM_EXP, from, start, cols, 0);
            for (int j = 0; j < cols; j++) {
                double shifted = from.getAtIndex(ValueLayout.JAVA_DOUBLE, start + j) - logTotal;
                to.setAtIndex(ValueLayout.JAVA_DOUBLE, target + j, log ? shifted : Math.exp(shifted));
            }
        }
    }

    // ---------------------------------------------------------------- indexing

    /**
     * Walks every position of {@code index} together with the matching positions of {@code out} and
     * {@code data} (a view of the indexed tensor over index's shape, its {@code axis} stride set to 0
     * so that the index value alone picks the coordinate along it).
     */
    private static void forEachIndexed(String op, Tensor index, Tensor other, Tensor indexed, int axis, boolean inOrder,
                                       IndexedElement body) {
        long[] dataStrides = indexed.strides();
        long axisStride = dataStrides[axis];
        int axisSize = indexed.dim(axis);
        dataStrides[axis] = 0;
        long[][] strides = {index.strides(), other.strides(), dataStrides};
        StridedLoop loop = new StridedLoop(index.dims(), strides, new long[] {index.offset(), other.offset(), indexed.offset()});
        long[] steps = loop.steps();
        MemorySegment indices = index.segment();
        DType indexType = index.dtype();
        StridedLoop.Row row = (starts, n) -> {
            for (int i = 0; i < n; i++) {
                long position = Elements.getLong(indexType, indices, starts[0] + i * steps[0]);
                if (position < 0 || position >= axisSize) {
                    throw new IndexOutOfBoundsException(op + ": index " + position + " is out of range for axis " + axis
                            + " of size " + axisSize + " (valid: [0, " + (axisSize - 1) + "])");
                }
                body.run(starts[1] + i * steps[1], starts[2] + i * steps[2] + position * axisStride);
            }
        };
        if (inOrder) {
            loop.forEachRowInOrder(row);
        } else {
            loop.forEachRow(row);
        }
    }

    private interface IndexedElement {
        void run(long otherIndex, long dataIndex);
    }

    @Override
    public void gather(Tensor out, Tensor in, int axis, Tensor index) {
        MemorySegment to = out.segment();
        MemorySegment from = in.segment();
        int size = in.dtype().byteSize();
        forEachIndexed("gather", index, out, in, axis, false,
                (outIndex, inIndex) -> copyRaw(size, to, outIndex, from, inIndex));
    }

    @Override
    public void indexSelect(Tensor out, Tensor in, int axis, Tensor index) {
        int axisSize = in.dim(axis), picks = index.dim(0);
        long outer = 1, sliceBytes = in.dtype().byteSize();             // in is [outer, axisSize, slice]
        for (int d = 0; d < axis; d++) {
            outer *= in.dim(d);
        }
        for (int d = axis + 1; d < in.rank(); d++) {
            sliceBytes *= in.dim(d);
        }
        MemorySegment to = out.segment(), from = in.segment(), indices = index.segment();
        long inStart = in.offset() * in.dtype().byteSize(), outStart = out.offset() * out.dtype().byteSize();
        long indexStride = index.strides()[0];
        DType indexType = index.dtype();
        for (int j = 0; j < picks; j++) {
            long position = Elements.getLong(indexType, indices, index.offset() + j * indexStride);
            if (position < 0 || position >= axisSize) {
                throw new IndexOutOfBoundsException("indexSelect: index " + position + " is out of range for axis " + axis
                        + " of size " + axisSize + " (valid: [0, " + (axisSize - 1) + "])");
            }
            for (long o = 0; o < outer; o++) {                              // one bulk copy per slice
                MemorySegment.copy(from, inStart + (o * axisSize + position) * sliceBytes,
                        to, outStart + (o * picks + j) * sliceBytes, sliceBytes);
            }
        }
    }

    @Override
    public void scatterAdd(Tensor out, int axis, Tensor index, Tensor src) {
        MemorySegment to = out.segment();
        MemorySegment from = src.segment();
        DType type = out.dtype();
        // In order, on one thread: two positions may name the same target, and float sums must not race.
        forEachIndexed("scatterAdd", index, src, out, axis, true, (srcIndex, outIndex) -> {
            if (type.isFloatingPoint()) {
                Elements.setDouble(type, to, outIndex, Elements.getDouble(type, to, outIndex) + Elements.getDouble(type, from, srcIndex));
            } else {
                Elements.setLong(type, to, outIndex, Elements.getLong(type, to, outIndex) + Elements.getLong(type, from, srcIndex));
            }
        });
    }
}

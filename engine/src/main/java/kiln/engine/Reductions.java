package kiln.engine;

import kiln.kernels.cpu.ReduceOp;

/**
 * Reductions along any set of axes. Every reduction is brought to one shape of problem: the kept
 * axes are moved first and the reduced axes last, the result made contiguous, and viewed as a matrix
 * {@code [rows, len]} whose rows the backend reduces. One kernel per op then serves every axis choice.
 */
final class Reductions {
    private Reductions() {}

    /** The normalized, sorted, duplicate-free axes to reduce ({@code null} means all). */
    private static boolean[] reducedAxes(String op, Tensor t, int[] axes) {
        boolean[] reduced = new boolean[t.rank()];
        if (axes == null) {
            java.util.Arrays.fill(reduced, true);
            return reduced;
        }
        for (int axis : axes) {
            int a = t.shape().axis(axis, op);
            if (reduced[a]) {
                throw new IllegalArgumentException(op + ": axis " + axis + " is listed twice");
            }
            reduced[a] = true;
        }
        return reduced;
    }

    private static DType resultType(ReduceOp op, String name, Tensor t) {
        DType type = t.dtype();
        return switch (op) {
            case SUM -> type.isFloatingPoint() ? type : DType.INT64;
            case MAX, MIN -> {
                if (type == DType.BOOL) {
                    throw new IllegalArgumentException(name + ": not defined for bool tensors like " + t.describe());
                }
                yield type;
            }
            case MEAN, VAR, STD, LOG_SUM_EXP -> {
                if (!type.isFloatingPoint()) {
                    throw new IllegalArgumentException(name + ": needs a floating-point tensor, got " + t.describe()
                            + "; convert first with to(DType.FLOAT32)");
                }
                yield type;
            }
        };
    }

    /** The problem as {@code [rows, len]}: kept axes first, reduced axes last, contiguous. */
    private static Tensor asRows(Tensor t, boolean[] reduced, long[] rowsAndLen) {
        int rank = t.rank();
        int[] order = new int[rank];
        int next = 0;
        long rows = 1;
        long len = 1;
        for (int a = 0; a < rank; a++) {
            if (!reduced[a]) {
                order[next++] = a;
                rows *= t.dim(a);
            }
        }
        for (int a = 0; a < rank; a++) {
            if (reduced[a]) {
                order[next++] = a;
                len *= t.dim(a);
            }
        }
        if (rows > Integer.MAX_VALUE || len > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("reduction of " + t.describe() + " is too large (rows or row length above 2^31)");
        }
        rowsAndLen[0] = rows;
        rowsAndLen[1] = len;
        try (Tensor permuted = t.permute(order); Tensor dense = permuted.contiguous()) {
            return dense.reshape((int) rows, (int) len);
        }
    }

    private static int[] resultDims(Tensor t, boolean[] reduced, boolean keepDim) {
        java.util.List<Integer> dims = new java.util.ArrayList<>();
        for (int a = 0; a < t.rank(); a++) {
            if (!reduced[a]) {
                dims.add(t.dim(a));
            } else if (keepDim) {
                dims.add(1);
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    static Tensor reduce(ReduceOp op, Tensor t, int[] axes, boolean keepDim, int correction) {
        String name = Pointwise.opName(op);
        t.ensureOpen();
        boolean[] reduced = reducedAxes(name, t, axes);
        DType type = resultType(op, name, t);
        if (correction < 0) {
            throw new IllegalArgumentException(name + ": correction must be >= 0, got " + correction);
        }
        if (op == ReduceOp.SUM && type == DType.FLOAT32 && t.dtype() == type && t.isContiguous() && leadingOnly(reduced)) {
            return sumLeadingAxes(t, reduced, keepDim);
        }
        long[] rowsAndLen = new long[2];
        try (Tensor typed = t.dtype() == type ? t.view(t.shape(), t.strides(), t.offset()) : t.to(type);
             Tensor rows = asRows(typed, reduced, rowsAndLen)) {
            if (rowsAndLen[1] == 0 && rowsAndLen[0] > 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN)) {
                throw new IllegalArgumentException(name + ": cannot reduce " + t.describe()
                        + " over an empty axis (no identity for " + name + ")");
            }
            Tensor out = Tensor.empty(type, Shape.of((int) rowsAndLen[0]), t.device());
            t.backend().reduceRows(op, out, rows, correction);
            try (out) {
                return out.reshape(resultDims(t, reduced, keepDim));
            }
        }
    }

    /** Whether the reduced axes are the first ones, some but not all: then t is {@code [rows, cols]} as it lies. */
    private static boolean leadingOnly(boolean[] reduced) {
        int leading = 0;
        while (leading < reduced.length && reduced[leading]) {
            leading++;
        }
        for (int a = leading; a < reduced.length; a++) {
            if (reduced[a]) {
                return false;
            }
        }
        return leading > 0 && leading < reduced.length;
    }

    /**
     * The sum over leading axes of a contiguous tensor (a bias gradient: a batch's sum) read in place
     * as the columns of {@code [rows, cols]}, rather than transposed into rows first.
     */
    private static Tensor sumLeadingAxes(Tensor t, boolean[] reduced, boolean keepDim) {
        long rows = 1, cols = 1;
        for (int a = 0; a < t.rank(); a++) {
            if (reduced[a]) {
                rows *= t.dim(a);
            } else {
                cols *= t.dim(a);
            }
        }
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("reduction of " + t.describe() + " is too large (rows or row length above 2^31)");
        }
        Tensor out = Tensor.empty(DType.FLOAT32, Shape.of((int) cols), t.device());
        try (out; Tensor matrix = t.reshape((int) rows, (int) cols)) {
            t.backend().sumColumns(out, matrix);
            return out.reshape(resultDims(t, reduced, keepDim));
        }
    }

    static Tensor argReduce(boolean max, Tensor t, Integer axis, boolean keepDim) {
        try (Autograd.NoGrad off = Autograd.noGrad()) {      // indices have no gradient: the reshapes inside need no graph
            return argReduceUnrecorded(max, t, axis, keepDim);
        }
    }

    private static Tensor argReduceUnrecorded(boolean max, Tensor t, Integer axis, boolean keepDim) {
        String name = max ? "argmax" : "argmin";
        t.ensureOpen();
        if (t.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(name + ": not defined for bool tensors like " + t.describe());
        }
        boolean[] reduced = reducedAxes(name, t, axis == null ? null : new int[] {axis});
        long[] rowsAndLen = new long[2];
        try (Tensor flat = axis == null ? t.reshape(1, -1) : t.view(t.shape(), t.strides(), t.offset());
             Tensor rows = axis == null ? flat.view(flat.shape(), flat.strides(), flat.offset()) : asRows(flat, reduced, rowsAndLen)) {
            long len = axis == null ? t.numel() : rowsAndLen[1];
            if (len == 0) {
                throw new IllegalArgumentException(name + ": cannot reduce " + t.describe() + " over an empty axis");
            }
            Tensor dense = rows.contiguous();
            try (dense; Tensor out = Tensor.empty(DType.INT64, Shape.of(dense.dim(0)), t.device())) {
                t.backend().argReduceRows(max, out, dense);
                return axis == null ? out.reshape() : out.reshape(resultDims(t, reduced, keepDim));
            }
        }
    }

    // ---------------------------------------------------------------- helpers of the gradient rules (see Tensor)

    /** {@code g}, a reduction's result or gradient, reshaped to x's rank with size-1 reduced axes (keepDim form). */
    static Tensor unreduce(Tensor g, Tensor x, int[] axes) {
        boolean[] reduced = reducedAxes("backward", x, axes);
        int[] dims = x.dims();
        for (int a = 0; a < dims.length; a++) {
            if (reduced[a]) {
                dims[a] = 1;
            }
        }
        return g.reshape(dims);
    }

    /** How many elements each result of reducing x over {@code axes} combines. */
    static long count(Tensor x, int[] axes) {
        boolean[] reduced = reducedAxes("backward", x, axes);
        long n = 1;
        for (int a = 0; a < reduced.length; a++) {
            if (reduced[a]) {
                n *= x.dim(a);
            }
        }
        return n;
    }

    /** x minus its mean over {@code axes}. */
    static Tensor deviations(Tensor x, int[] axes) {
        return x.sub(x.mean(axes, true));
    }

    /** The gradient of max or min: g goes to the elements equal to the result, shared equally among ties. */
    static Tensor toExtremes(Tensor g, Tensor y, Tensor x, int[] axes) {
        Tensor isExtreme = x.eq(unreduce(y, x, axes)).to(x.dtype());
        return unreduce(g, x, axes).mul(isExtreme).div(isExtreme.sum(axes, true));
    }
}

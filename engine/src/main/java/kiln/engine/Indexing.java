package kiln.engine;

import java.util.Arrays;

/** Reading and writing at positions held in an integer tensor: gather, scatterAdd, indexSelect, oneHot. */
final class Indexing {
    private Indexing() {}

    private static void requireIndexType(String op, Tensor index) {
        if (!index.dtype().isInteger()) {
            throw new IllegalArgumentException(op + ": index must be int32 or int64, got " + index.describe());
        }
    }

    /** PyTorch's rule: the index has the tensor's rank and is no larger along the axes other than {@code axis}. */
    private static void requireFits(String op, Tensor index, Tensor t, int axis, String what) {
        if (index.rank() != t.rank()) {
            throw new IllegalArgumentException(op + ": index " + index.shape() + " must have the same rank as the "
                    + what + " " + t.shape());
        }
        for (int d = 0; d < t.rank(); d++) {
            if (d != axis && index.dim(d) > t.dim(d)) {
                throw new IllegalArgumentException(op + ": index " + index.shape() + " is larger than the " + what + " "
                        + t.shape() + " along axis " + d + " (" + index.dim(d) + " > " + t.dim(d) + ")");
            }
        }
    }

    static Tensor gather(Tensor t, int axis, Tensor index) {
        Pointwise.checkSameDevice("gather", t, index);
        int a = Shape.normalizeAxis(axis, Math.max(1, t.rank()), "gather");
        requireIndexType("gather", index);
        requireFits("gather", index, t, a, "input");
        Tensor out = Tensor.empty(t.dtype(), index.shape(), t.device());
        try {
            t.backend().gather(out, t, a, index);
        } catch (RuntimeException e) {
            out.close();     // a bad index: release the result before reporting it
            throw e;
        }
        return out;
    }

    static Tensor scatterAdd(Tensor t, int axis, Tensor index, Tensor src) {
        Pointwise.checkSameDevice("scatterAdd", t, index, src);
        int a = Shape.normalizeAxis(axis, Math.max(1, t.rank()), "scatterAdd");
        requireIndexType("scatterAdd", index);
        if (t.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("scatterAdd: not defined for bool tensors like " + t.describe());
        }
        requireFits("scatterAdd", index, t, a, "input");
        if (src.rank() != index.rank()) {
            throw new IllegalArgumentException("scatterAdd: src " + src.shape() + " must have the rank of index " + index.shape());
        }
        for (int d = 0; d < index.rank(); d++) {
            if (index.dim(d) > src.dim(d)) {
                throw new IllegalArgumentException("scatterAdd: index " + index.shape() + " is larger than src "
                        + src.shape() + " along axis " + d);
            }
        }
        Tensor out = t.copy();
        try (Tensor typed = src.dtype() == t.dtype() ? src.view(src.shape(), src.strides(), src.offset()) : src.to(t.dtype())) {
            t.backend().scatterAdd(out, a, index, typed);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    static Tensor indexSelect(Tensor t, int axis, Tensor index) {
        Pointwise.checkSameDevice("indexSelect", t, index);
        int a = t.shape().axis(axis, "indexSelect");
        requireIndexType("indexSelect", index);
        if (index.rank() != 1) {
            throw new IllegalArgumentException("indexSelect: index must be 1-D, got " + index.describe());
        }
        int[] outDims = t.dims();
        outDims[a] = index.dim(0);
        if (t.isContiguous()) {                          // whole slices lie whole in memory: copy them in bulk
            Tensor out = Tensor.empty(t.dtype(), Shape.of(outDims), t.device());
            try {
                t.backend().indexSelect(out, t, a, index);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
        // Otherwise, selecting whole slices is a gather whose index repeats along every other axis (a stride-0 view).
        int[] along = new int[t.rank()];
        Arrays.fill(along, 1);
        along[a] = index.dim(0);
        try (Tensor column = index.reshape(along); Tensor wide = column.expand(outDims)) {
            return gather(t, a, wide);
        }
    }

    static Tensor oneHot(Tensor labels, int classes) {
        labels.ensureOpen();
        requireIndexType("oneHot", labels);
        if (classes <= 0) {
            throw new IllegalArgumentException("oneHot: classes must be positive, got " + classes);
        }
        if (labels.numel() > 0) {
            try (Tensor low = labels.min(); Tensor high = labels.max()) {
                if (low.item() < 0 || high.item() >= classes) {
                    double bad = low.item() < 0 ? low.item() : high.item();
                    throw new IllegalArgumentException("oneHot: label " + (long) bad + " is out of range for "
                            + classes + " classes (valid: [0, " + (classes - 1) + "])");
                }
            }
        }
        try (Tensor column = labels.unsqueeze(-1);
             Tensor classIds = Tensor.arange(classes);
             Tensor hits = column.eq(classIds)) {
            return hits.to(DType.INT64);
        }
    }

    /**
     * The gradient of scatterAdd's {@code src}: each element added into the result receives the
     * gradient at the place it went to ({@code g.gather}). The index may be smaller than src; the
     * elements beyond it were never read and get 0 (the window {@code [0, index.dim(d))} along every
     * axis keeps src's strides and offset).
     */
    static Tensor scatterAddSourceGrad(Tensor g, int axis, Tensor index, Tensor src) {
        Tensor read = g.gather(axis, index);
        if (read.shape().equals(src.shape())) {
            return read;
        }
        return Autograd.intoZeros(src.shape(), read, zeros -> zeros.view(index.shape(), zeros.strides(), zeros.offset()));
    }

    /**
     * The gradient of indexSelect: zeros of x's shape with each slab of g added back at the position
     * it was read from (a repeated index receives the sum).
     */
    static Tensor indexAddGrad(Tensor g, Tensor x, int axis, Tensor index) {
        int a = x.shape().axis(axis, "indexSelect");
        int[] along = new int[g.rank()];
        java.util.Arrays.fill(along, 1);
        along[a] = g.dim(a);
        Tensor spread = index.reshape(along).expand(g.dims());
        return Tensor.zerosLike(x).scatterAdd(a, spread, g);
    }
}

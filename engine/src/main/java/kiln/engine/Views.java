package kiln.engine;

import java.util.Arrays;

/**
 * Ops that change how a tensor's memory is read (shape, strides, offset) without touching the data.
 * Every result shares its input's storage.
 */
final class Views {
    private Views() {}

    /** Fills in a single -1 so that the new shape has the same number of elements, or throws. */
    static Shape inferShape(String op, Tensor t, int[] dims) {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + Arrays.toString(dims));
                }
                inferred = i;
            } else if (dims[i] < 0) {
                throw new IllegalArgumentException(op + ": dimension " + i + " is " + dims[i] + " (sizes are >= 0, or -1 to infer)");
            } else {
                known *= dims[i];
            }
        }
        int[] result = dims.clone();
        if (inferred >= 0) {
            if (known == 0 || t.numel() % known != 0) {
                throw new IllegalArgumentException(op + ": cannot reshape " + t.shape() + " (" + t.numel()
                        + " elements) into " + Arrays.toString(dims));
            }
            result[inferred] = (int) (t.numel() / known);
        }
        Shape shape = Shape.of(result);
        if (shape.numel() != t.numel()) {
            throw new IllegalArgumentException(op + ": cannot reshape " + t.shape() + " (" + t.numel()
                    + " elements) into " + shape + " (" + shape.numel() + " elements)");
        }
        return shape;
    }

    /**
     * Strides that read t's elements in row-major order with the new shape, or null when no strides
     * can (then a copy is needed).
     *
     * <p>Walking the old axes from the last, they fall into chunks: runs of axes laid out back to back
     * in memory (axis i-1 steps exactly over all of axis i). Within a chunk the elements are evenly
     * spaced, so any new axes covering exactly the same number of elements can be cut out of it. A
     * view exists if and only if the new axes can be grouped chunk by chunk like that.
     */
    static long[] viewStrides(Tensor t, Shape target) {
        int[] oldDims = t.dims();
        long[] oldStrides = t.strides();
        int[] newDims = target.toArray();
        long[] newStrides = new long[newDims.length];
        if (t.numel() == 0 || oldDims.length == 0) {
            return target.contiguousStrides();     // nothing to read, or one element: any strides work
        }
        int newAxis = newDims.length - 1;
        long chunkStep = oldStrides[oldDims.length - 1];  // distance between neighbours in this chunk
        long chunkCount = 1;                               // old elements in the chunk so far
        long newCount = 1;                                 // elements covered by the new axes assigned to it
        for (int oldAxis = oldDims.length - 1; oldAxis >= 0; oldAxis--) {
            chunkCount *= oldDims[oldAxis];
            boolean chunkEnds = oldAxis == 0
                    || (oldDims[oldAxis - 1] != 1 && oldStrides[oldAxis - 1] != chunkCount * chunkStep);
            if (!chunkEnds) {
                continue;
            }
            while (newAxis >= 0 && (newCount < chunkCount || newDims[newAxis] == 1)) {
                newStrides[newAxis] = newCount * chunkStep;
                newCount *= newDims[newAxis];
                newAxis--;
            }
            if (newCount != chunkCount) {
                return null;
            }
            if (oldAxis > 0) {
                chunkStep = oldStrides[oldAxis - 1];
                chunkCount = 1;
                newCount = 1;
            }
        }
        return newAxis == -1 ? newStrides : null;
    }

    static Tensor reshape(Tensor t, int[] dims) {
        t.ensureOpen();
        Shape target = inferShape("reshape", t, dims);
        long[] strides = viewStrides(t, target);
        if (strides != null) {
            return t.view(target, strides, t.offset());
        }
        try (Tensor dense = t.copy()) {
            return dense.view(target, target.contiguousStrides(), 0);
        }
    }

    static Tensor view(Tensor t, int[] dims) {
        t.ensureOpen();
        Shape target = inferShape("view", t, dims);
        long[] strides = viewStrides(t, target);
        if (strides == null) {
            throw new IllegalArgumentException("view: " + t.describe() + " with strides " + Arrays.toString(t.strides())
                    + " cannot be viewed as " + target + " without a copy; use reshape or contiguous()");
        }
        return t.view(target, strides, t.offset());
    }

    static Tensor permute(Tensor t, int[] order) {
        t.ensureOpen();
        int rank = t.rank();
        if (order.length != rank) {
            throw new IllegalArgumentException("permute: " + t.describe() + " needs an order of " + rank
                    + " axes, got " + Arrays.toString(order));
        }
        int[] dims = new int[rank];
        long[] strides = new long[rank];
        boolean[] seen = new boolean[rank];
        long[] oldStrides = t.strides();
        for (int i = 0; i < rank; i++) {
            int axis = Shape.normalizeAxis(order[i], rank, "permute");
            if (seen[axis]) {
                throw new IllegalArgumentException("permute: axis " + axis + " appears twice in " + Arrays.toString(order));
            }
            seen[axis] = true;
            dims[i] = t.dim(axis);
            strides[i] = oldStrides[axis];
        }
        return t.view(Shape.of(dims), strides, t.offset());
    }

    static Tensor transpose(Tensor t, int axis0, int axis1) {
        int rank = t.rank();
        int a = Shape.normalizeAxis(axis0, rank, "transpose");
        int b = Shape.normalizeAxis(axis1, rank, "transpose");
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = i;
        }
        order[a] = b;
        order[b] = a;
        return permute(t, order);
    }

    static Tensor narrow(Tensor t, int axis, int start, int length) {
        t.ensureOpen();
        int a = t.shape().axis(axis, "narrow");
        int size = t.dim(a);
        if (start < 0 || length < 0 || (long) start + length > size) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " and length " + length
                    + " do not fit axis " + a + " of size " + size + " in " + t.describe()
                    + " (need 0 <= start, 0 <= length, start + length <= " + size + ")");
        }
        int[] dims = t.dims();
        dims[a] = length;
        long[] strides = t.strides();
        return t.view(Shape.of(dims), strides, t.offset() + (long) start * strides[a]);
    }

    static Tensor slice(Tensor t, int axis, int start, int end, int step) {
        t.ensureOpen();
        int a = t.shape().axis(axis, "slice");
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int size = t.dim(a);
        // Python semantics: negative bounds count from the end, then clamp into [0, size].
        int from = Math.clamp(start < 0 ? (long) start + size : start, 0, size);
        int to = Math.clamp(end < 0 ? (long) end + size : end, 0, size);
        int length = to > from ? (to - from + step - 1) / step : 0;
        int[] dims = t.dims();
        dims[a] = length;
        long[] strides = t.strides();
        long offset = t.offset() + (long) from * strides[a];
        strides[a] *= step;
        return t.view(Shape.of(dims), strides, offset);
    }

    static Tensor select(Tensor t, int axis, int index) {
        t.ensureOpen();
        int a = t.shape().axis(axis, "select");
        int size = t.dim(a);
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for axis " + a
                    + " of " + t.describe() + " (valid: [" + (-size) + ", " + (size - 1) + "])");
        }
        int i = index < 0 ? index + size : index;
        return remove(t, a, t.offset() + (long) i * t.strides()[a]);
    }

    /** A view without axis {@code a}, starting at {@code offset}. */
    private static Tensor remove(Tensor t, int a, long offset) {
        int[] dims = t.dims();
        long[] strides = t.strides();
        int[] newDims = new int[dims.length - 1];
        long[] newStrides = new long[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i != a) {
                newDims[j] = dims[i];
                newStrides[j++] = strides[i];
            }
        }
        return t.view(Shape.of(newDims), newStrides, offset);
    }

    static Tensor expand(Tensor t, int[] dims) {
        t.ensureOpen();
        int rank = t.rank();
        if (dims.length < rank) {
            throw new IllegalArgumentException("expand: cannot expand " + t.shape() + " to fewer axes " + Arrays.toString(dims));
        }
        int[] newDims = new int[dims.length];
        long[] newStrides = new long[dims.length];
        long[] strides = t.strides();
        int lead = dims.length - rank;
        for (int i = 0; i < dims.length; i++) {
            int old = i < lead ? 1 : t.dim(i - lead);
            int wanted = dims[i] == -1 && i >= lead ? old : dims[i];
            if (wanted < 0) {
                throw new IllegalArgumentException("expand: size " + dims[i] + " at axis " + i + " of " + Arrays.toString(dims) + " is invalid");
            }
            if (old == wanted) {
                newDims[i] = old;
                newStrides[i] = i < lead ? 0 : strides[i - lead];
            } else if (old == 1) {
                newDims[i] = wanted;
                newStrides[i] = 0;         // every index along this axis reads the same element
            } else {
                throw new IllegalArgumentException("expand: shape " + t.shape() + " cannot be expanded to "
                        + Arrays.toString(dims) + " (axis " + i + ": " + old + " is not 1)");
            }
        }
        return t.view(Shape.of(newDims), newStrides, t.offset());
    }

    static Tensor squeeze(Tensor t) {
        t.ensureOpen();
        int[] dims = t.dims();
        long[] strides = t.strides();
        int kept = (int) Arrays.stream(dims).filter(d -> d != 1).count();
        int[] newDims = new int[kept];
        long[] newStrides = new long[kept];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (dims[i] != 1) {
                newDims[j] = dims[i];
                newStrides[j++] = strides[i];
            }
        }
        return t.view(Shape.of(newDims), newStrides, t.offset());
    }

    static Tensor squeeze(Tensor t, int axis) {
        t.ensureOpen();
        int a = t.shape().axis(axis, "squeeze");
        if (t.dim(a) != 1) {
            throw new IllegalArgumentException("squeeze: axis " + a + " of " + t.describe() + " has size " + t.dim(a) + ", not 1");
        }
        return remove(t, a, t.offset());
    }

    static Tensor unsqueeze(Tensor t, int axis) {
        t.ensureOpen();
        int rank = t.rank();
        int a = Shape.normalizeAxis(axis, rank + 1, "unsqueeze");
        int[] dims = t.dims();
        long[] strides = t.strides();
        int[] newDims = new int[rank + 1];
        long[] newStrides = new long[rank + 1];
        for (int i = 0, j = 0; i <= rank; i++) {
            if (i == a) {
                newDims[i] = 1;
                newStrides[i] = a < rank ? strides[a] * dims[a] : 1;
            } else {
                newDims[i] = dims[j];
                newStrides[i] = strides[j++];
            }
        }
        return t.view(Shape.of(newDims), newStrides, t.offset());
    }

    /** The order that undoes {@code permute(order)}: inverse[order[i]] = i (axes normalized). */
    static int[] inversePermutation(int[] order, int rank) {
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) {
            inverse[Shape.normalizeAxis(order[i], rank, "permute")] = i;
        }
        return inverse;
    }
}

package kiln.engine;

import java.util.ArrayList;
import java.util.List;

/** Joining tensors (cat, stack) and cutting one into views (split, chunk). */
final class Joining {
    private Joining() {}

    static Tensor cat(int axis, List<Tensor> tensors) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: needs at least one tensor");
        }
        Tensor first = tensors.get(0);
        Pointwise.checkSameDevice("cat", tensors.toArray(Tensor[]::new));
        if (first.rank() == 0) {
            throw new IllegalArgumentException("cat: cannot join scalars along an axis; use stack");
        }
        int a = first.shape().axis(axis, "cat");
        DType type = first.dtype();
        long total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.rank() != first.rank()) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + t.shape() + ", tensor 0 has "
                        + first.shape() + " (ranks differ)");
            }
            for (int d = 0; d < first.rank(); d++) {
                if (d != a && t.dim(d) != first.dim(d)) {
                    throw new IllegalArgumentException("cat: tensor " + i + " has shape " + t.shape() + ", tensor 0 has "
                            + first.shape() + " (axis " + d + " differs; only axis " + a + " may)");
                }
            }
            type = DType.promote(type, t.dtype());
            total += t.dim(a);
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cat: the joined axis would have " + total + " entries");
        }
        int[] dims = first.dims();
        dims[a] = (int) total;
        Tensor out = Tensor.empty(type, Shape.of(dims), first.device());
        int start = 0;
        for (Tensor t : tensors) {
            try (Tensor window = out.narrow(a, start, t.dim(a))) {
                out.backend().copy(window, t);
            }
            start += t.dim(a);
        }
        return out;
    }

    static Tensor stack(int axis, List<Tensor> tensors) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one tensor");
        }
        Shape shape = tensors.get(0).shape();
        int a = Shape.normalizeAxis(axis, shape.rank() + 1, "stack");
        List<Tensor> columns = new ArrayList<>();
        try {
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                if (!t.shape().equals(shape)) {
                    throw new IllegalArgumentException("stack: tensor " + i + " has shape " + t.shape()
                            + ", tensor 0 has " + shape + " (all must be equal)");
                }
                columns.add(t.unsqueeze(a));
            }
            return cat(a, columns);
        } finally {
            columns.forEach(Tensor::close);
        }
    }

    static List<Tensor> split(Tensor t, int size, int axis) {
        t.ensureOpen();
        int a = t.shape().axis(axis, "split");
        if (size <= 0) {
            throw new IllegalArgumentException("split: size must be positive, got " + size);
        }
        List<Tensor> parts = new ArrayList<>();
        int length = t.dim(a);
        for (int start = 0; start < length || (length == 0 && parts.isEmpty()); start += size) {
            parts.add(t.narrow(a, start, Math.min(size, length - start)));
        }
        return parts;
    }

    static List<Tensor> chunk(Tensor t, int chunks, int axis) {
        t.ensureOpen();
        int a = t.shape().axis(axis, "chunk");
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
        }
        int length = t.dim(a);
        int size = Math.max(1, (length + chunks - 1) / chunks);   // as torch.chunk: ceil, so possibly fewer chunks
        return split(t, size, a);
    }
}

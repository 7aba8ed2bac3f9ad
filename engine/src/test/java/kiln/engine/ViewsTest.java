package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Views change only shape, strides and offset: values read through them, and memory sharing. */
class ViewsTest {

    /** 0, 1, ..., n-1 as float32 in the given shape. */
    private static Tensor iota(int... dims) {
        try (Tensor flat = Tensor.arange(0, Check.numel(dims), 1, DType.FLOAT32)) {
            return flat.reshape(dims);
        }
    }

    private static boolean sharesMemory(Tensor a, Tensor b) {
        return a.segment().address() == b.segment().address();
    }

    /** Writes {@code value} into storage element {@code index} of t's memory. */
    private static void poke(Tensor t, long index, float value) {
        t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, index, value);
    }

    @Test
    void reshapeInfersMinusOneAndIsAViewWhenContiguous() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(2, 3, 4);
            Tensor r = x.reshape(4, -1);
            assertEquals(Shape.of(4, 6), r.shape());
            assertArrayEquals(x.toFloatArray(), r.toFloatArray());
            assertTrue(sharesMemory(x, r), "reshape of a contiguous tensor is a view");
            poke(x, 7, -1);
            assertEquals(-1.0, r.get(1, 1), 0.0, "a write to the base shows through the view");

            assertEquals(Shape.of(24), x.reshape(-1).shape());
            assertEquals(Shape.of(2, 12), x.reshape(2, -1).shape());
            assertEquals(Shape.of(1, 24, 1), x.reshape(1, -1, 1).shape());
            assertEquals(Shape.of(24), x.flatten().shape());
            assertEquals(Shape.scalar(), iota(1).reshape().shape(), "one element reshapes to a scalar");
            assertEquals(Shape.of(5, 0), Tensor.zeros(0, 5).reshape(5, 0).shape());
            // As PyTorch: with zero elements, -1 could be anything, so it is refused.
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(0, 5).reshape(0, -1), "reshape", "[0, -1]");
        }
    }

    @Test
    void reshapeOfATransposeCopiesWhenItMust() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(3, 4);
            Tensor t = x.t();                         // [4, 3], strides [1, 4]
            Tensor flat = t.reshape(12);
            assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, flat.toFloatArray());
            assertFalse(sharesMemory(x, flat), "no strides read a transpose row-major: a copy");
            assertTrue(flat.isContiguous());

            // Splitting an axis of a transpose is still a view.
            Tensor split = t.reshape(2, 2, 3);
            assertTrue(sharesMemory(x, split));
            assertEquals(t.get(3, 1), split.get(1, 1, 1), 0.0);
        }
    }

    @Test
    void viewRefusesToCopyAndSaysWhy() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(3, 4);
            Tensor v = x.view(2, 6);
            assertTrue(sharesMemory(x, v));
            Check.assertThrowsWith(IllegalArgumentException.class, () -> x.t().view(12),
                    "view", "strides [1, 4]", "[12]", "reshape");
        }
    }

    @Test
    void permuteTransposeAndTSwapAxes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(2, 3, 4);
            Tensor p = x.permute(2, 0, 1);
            assertEquals(Shape.of(4, 2, 3), p.shape());
            assertArrayEquals(new long[] {1, 12, 4}, p.strides());
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        assertEquals(x.get(i, j, k), p.get(k, i, j), 0.0);
                    }
                }
            }
            assertTrue(sharesMemory(x, p));
            assertFalse(p.isContiguous());

            Tensor tr = x.transpose(0, -1);
            assertEquals(Shape.of(4, 3, 2), tr.shape());
            assertEquals(x.get(1, 2, 3), tr.get(3, 2, 1), 0.0);

            Tensor m = iota(2, 3);
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, m.t().toFloatArray());
            assertArrayEquals(m.toFloatArray(), m.t().t().toFloatArray());
            assertTrue(m.t().t().isContiguous());
        }
    }

    @Test
    void narrowSliceAndSelectPickWindows() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(4, 5);
            Tensor n = x.narrow(1, 1, 3);
            assertEquals(Shape.of(4, 3), n.shape());
            assertEquals(1, n.offset());
            assertArrayEquals(new float[] {1, 2, 3, 6, 7, 8, 11, 12, 13, 16, 17, 18}, n.toFloatArray());
            assertEquals(0, x.narrow(0, 4, 0).numel(), "an empty window at the end is allowed");

            // Python x[1:-1] along axis 1, x[::2] along axis 0, x[-3:] and x[1:100:3].
            assertArrayEquals(new float[] {1, 2, 3, 6, 7, 8, 11, 12, 13, 16, 17, 18}, x.slice(1, 1, -1, 1).toFloatArray());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 10, 11, 12, 13, 14}, x.slice(0, 0, 4, 2).toFloatArray());
            assertArrayEquals(new float[] {2, 3, 4}, x.select(0, 0).slice(0, -3, 5, 1).toFloatArray());
            assertArrayEquals(new float[] {6, 9}, x.select(0, 1).slice(0, 1, 100, 3).toFloatArray());
            assertArrayEquals(new float[] {4, 14}, x.slice(0, -100, 100, 2).select(1, -1).toFloatArray(), "bounds clamp");
            assertEquals(0, x.slice(1, 3, 1, 1).numel(), "start past end is empty");
            Tensor stepped = x.slice(1, 0, 5, 2);
            assertArrayEquals(new long[] {5, 2}, stepped.strides());
            assertTrue(sharesMemory(x, stepped));

            Tensor row = x.select(0, 2);
            assertEquals(Shape.of(5), row.shape());
            assertArrayEquals(new float[] {10, 11, 12, 13, 14}, row.toFloatArray());
            Tensor col = x.select(1, -1);
            assertArrayEquals(new float[] {4, 9, 14, 19}, col.toFloatArray());
            assertEquals(19.0, x.select(0, 3).select(0, 4).item(), 0.0);
        }
    }

    @Test
    void expandRepeatsWithStrideZero() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor col = Tensor.fromArray(new float[] {1, 2, 3}, 3, 1);
            Tensor wide = col.expand(2, 3, 4);
            assertEquals(Shape.of(2, 3, 4), wide.shape());
            assertArrayEquals(new long[] {0, 1, 0}, wide.strides());
            assertTrue(sharesMemory(col, wide));
            float[] values = wide.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(1 + (i / 4) % 3, values[i], 0.0f, "element " + i);
            }
            Tensor keep = col.expand(-1, 5);
            assertEquals(Shape.of(3, 5), keep.shape());

            Tensor row = Tensor.fromArray(new float[] {7, 8}, 2);
            Tensor b = row.broadcastTo(Shape.of(3, 2));
            assertArrayEquals(new long[] {0, 1}, b.strides());
            assertArrayEquals(new float[] {7, 8, 7, 8, 7, 8}, b.toFloatArray());
            poke(row, 1, 9);
            assertEquals(9.0, b.get(2, 1), 0.0, "every broadcast row reads the one element");
            assertArrayEquals(new float[] {7, 9, 7, 9, 7, 9}, b.contiguous().toFloatArray());
        }
    }

    @Test
    void squeezeAndUnsqueezeAddAndRemoveUnitAxes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(1, 3, 1, 2);
            assertEquals(Shape.of(3, 2), x.squeeze().shape());
            assertEquals(Shape.of(3, 1, 2), x.squeeze(0).shape());
            assertEquals(Shape.of(1, 3, 2), x.squeeze(-2).shape());
            assertArrayEquals(x.toFloatArray(), x.squeeze().toFloatArray());

            Tensor v = iota(3, 2);
            assertEquals(Shape.of(1, 3, 2), v.unsqueeze(0).shape());
            assertEquals(Shape.of(3, 1, 2), v.unsqueeze(1).shape());
            assertEquals(Shape.of(3, 2, 1), v.unsqueeze(2).shape());
            assertEquals(Shape.of(3, 2, 1), v.unsqueeze(-1).shape());
            assertEquals(Shape.of(1, 3, 2), v.unsqueeze(-3).shape());
            assertTrue(v.unsqueeze(1).isContiguous());
            assertArrayEquals(v.toFloatArray(), v.unsqueeze(1).toFloatArray());
            assertEquals(Shape.of(1), Tensor.scalar(5).unsqueeze(0).shape());
            // An unsqueezed transpose can be viewed back as the transpose.
            Tensor tu = v.t().unsqueeze(1);
            assertArrayEquals(v.t().toFloatArray(), tu.view(2, 3).toFloatArray());
        }
    }

    @Test
    void contiguousReturnsAViewOnlyWhenAlreadyContiguous() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(3, 4);
            Tensor same = x.contiguous();
            assertTrue(sharesMemory(x, same));
            Tensor t = x.t();
            assertFalse(t.isContiguous());
            Tensor dense = t.contiguous();
            assertTrue(dense.isContiguous());
            assertArrayEquals(new long[] {3, 1}, dense.strides());
            assertFalse(sharesMemory(x, dense));
            assertArrayEquals(t.toFloatArray(), dense.toFloatArray());
            Tensor narrowRows = x.narrow(0, 1, 2);
            assertTrue(narrowRows.isContiguous(), "whole rows with an offset are contiguous");
            assertTrue(sharesMemory(x, narrowRows.contiguous()));
            assertFalse(x.narrow(1, 1, 2).isContiguous());
            Tensor copy = x.copy();
            assertFalse(sharesMemory(x, copy), "copy() always has its own memory");
        }
    }

    @Test
    void viewsOfViewsComposeTheirWindows() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(4, 6, 5);
            // x[1:, ::2, :].permute(2, 0, 1)[3].t() narrowed, then selected.
            Tensor v = x.slice(0, 1, 4, 1).slice(1, 0, 6, 2).permute(2, 0, 1).select(0, 3).t().narrow(1, 1, 2);
            assertEquals(Shape.of(3, 2), v.shape());
            // v[j][i'] = x[1 + (i' + 1)][2·j][3]
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 2; i++) {
                    assertEquals(x.get(2 + i, 2 * j, 3), v.get(j, i), 0.0, "v[" + j + "][" + i + "]");
                }
            }
            assertTrue(sharesMemory(x, v));
            assertEquals(x.get(2, 0, 3), v.get(0, 0), 0.0);
        }
    }

    /**
     * Random chains of view ops against a plain-array model that materializes every intermediate
     * result row-major: the engine's strides and offsets (and reshape's choice between view and copy)
     * must read the same values the model computes directly.
     */
    @Test
    void randomViewChainsMatchAMaterializingModel() {
        Generator g = new Generator(2024);
        for (int trial = 0; trial < 300; trial++) {
            try (MemoryScope s = MemoryScope.open()) {
                int[] dims = {2 + (int) g.nextLong(3), 1 + (int) g.nextLong(4), 2 + (int) g.nextLong(3)};
                Tensor t = iota(dims);
                Model m = Model.iota(dims);
                StringBuilder trail = new StringBuilder(Arrays.toString(dims));
                for (int step = 0; step < 6; step++) {
                    int rank = m.dims.length;
                    int op = (int) g.nextLong(rank == 0 ? 1 : 7);
                    if (rank == 0) {
                        t = t.unsqueeze(0);
                        m = m.reshape(new int[] {1});
                        trail.append(" unsqueeze");
                    } else if (op == 0) {
                        int[] order = shuffled(g, rank);
                        t = t.permute(order);
                        m = m.permute(order);
                        trail.append(" permute").append(Arrays.toString(order));
                    } else if (op == 1) {
                        int axis = (int) g.nextLong(rank);
                        int size = m.dims[axis];
                        int start = (int) g.nextLong(size + 1);
                        int length = (int) g.nextLong(size - start + 1);
                        t = t.narrow(axis, start, length);
                        m = m.slice(axis, start, length, 1);
                        trail.append(" narrow(").append(axis).append(',').append(start).append(',').append(length).append(')');
                    } else if (op == 2) {
                        int axis = (int) g.nextLong(rank);
                        int size = m.dims[axis];
                        int step2 = 1 + (int) g.nextLong(3);
                        int start = (int) g.nextLong(size + 1);
                        int pythonStart = start < size ? start - size : start;   // a negative start counts from the end
                        t = t.slice(axis, pythonStart, size, step2);
                        int length = size > start ? (size - start + step2 - 1) / step2 : 0;
                        m = m.slice(axis, start, length, step2);
                        trail.append(" slice(").append(axis).append(',').append(pythonStart).append(",..,").append(step2).append(')');
                    } else if (op == 3) {
                        int axis = (int) g.nextLong(rank);
                        if (m.dims[axis] == 0) {
                            continue;
                        }
                        int index = (int) g.nextLong(m.dims[axis]);
                        t = t.select(axis, index);
                        m = m.select(axis, index);
                        trail.append(" select(").append(axis).append(',').append(index).append(')');
                    } else if (op == 5) {
                        // Insert a size-1 axis and broadcast it (stride 0), or broadcast an existing size-1 axis.
                        int axis = (int) g.nextLong(rank + 1);
                        t = t.unsqueeze(axis);
                        int[] unitDims = m.dims.clone();
                        int[] withUnit = new int[rank + 1];
                        for (int i = 0, j = 0; i <= rank; i++) {
                            withUnit[i] = i == axis ? 1 : unitDims[j++];
                        }
                        m = m.reshape(withUnit);
                        int[] target = withUnit.clone();
                        target[axis] = 1 + (int) g.nextLong(3);
                        t = t.expand(target);
                        m = m.expand(target);
                        trail.append(" unsqueeze(").append(axis).append(").expand").append(Arrays.toString(target));
                    } else {
                        int[] target = randomFactorization(g, m.numel());
                        Tensor before = t;
                        t = t.reshape(target);
                        // view() succeeds exactly when reshape could avoid a copy.
                        boolean shared = t.segment().address() == before.segment().address();
                        assertTrue(shared || !before.isContiguous(), trail + ": a contiguous tensor reshapes without a copy");
                        if (shared) {
                            assertArrayEquals(t.strides(), before.view(target).strides(), trail + " view strides");
                        } else {
                            assertThrows(IllegalArgumentException.class, () -> before.view(target), trail + " view must refuse");
                        }
                        m = m.reshape(target);
                        trail.append(" reshape").append(Arrays.toString(target));
                    }
                    assertArrayEquals(m.dims, t.dims(), trail.toString());
                    assertArrayEquals(m.values, t.toDoubleArray(), 0.0, trail.toString());
                }
            }
        }
    }

    private static int[] shuffled(Generator g, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = (int) g.nextLong(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    /** A random shape of 1 to 4 axes with {@code numel} elements (including size-1 axes). */
    private static int[] randomFactorization(Generator g, int numel) {
        int rank = 1 + (int) g.nextLong(4);
        int[] dims = new int[rank];
        int left = numel;
        for (int i = 0; i < rank - 1; i++) {
            int d = 1;
            if (left > 0) {
                for (int c = 1 + (int) g.nextLong(left); c >= 1; c--) {
                    if (left % c == 0) {
                        d = c;
                        break;
                    }
                }
            } else {
                d = (int) g.nextLong(3);
            }
            dims[i] = d;
            left = d == 0 ? 0 : left / d;
        }
        dims[rank - 1] = left;
        if (numel == 0 && Arrays.stream(dims).noneMatch(d -> d == 0)) {
            dims[rank - 1] = 0;
        }
        return dims;
    }

    /** A tensor as a plain row-major array: every op materializes its result. */
    private record Model(int[] dims, double[] values) {
        static Model iota(int[] dims) {
            double[] values = new double[(int) Check.numel(dims)];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            return new Model(dims.clone(), values);
        }

        int numel() {
            return values.length;
        }

        double at(int[] index) {
            return values[(int) Check.ravel(index, dims)];
        }

        /** Builds a model of {@code newDims} whose element at index i is {@code source.apply(i)}. */
        static Model build(int[] newDims, java.util.function.ToDoubleFunction<int[]> source) {
            double[] values = new double[(int) Check.numel(newDims)];
            for (int flat = 0; flat < values.length; flat++) {
                values[flat] = source.applyAsDouble(Check.unravel(flat, newDims));
            }
            return new Model(newDims, values);
        }

        Model permute(int[] order) {
            int[] newDims = new int[dims.length];
            for (int i = 0; i < order.length; i++) {
                newDims[i] = dims[order[i]];
            }
            return build(newDims, index -> {
                int[] old = new int[dims.length];
                for (int i = 0; i < order.length; i++) {
                    old[order[i]] = index[i];
                }
                return at(old);
            });
        }

        Model slice(int axis, int start, int length, int step) {
            int[] newDims = dims.clone();
            newDims[axis] = length;
            return build(newDims, index -> {
                int[] old = index.clone();
                old[axis] = start + index[axis] * step;
                return at(old);
            });
        }

        Model select(int axis, int position) {
            int[] newDims = new int[dims.length - 1];
            for (int i = 0, j = 0; i < dims.length; i++) {
                if (i != axis) {
                    newDims[j++] = dims[i];
                }
            }
            return build(newDims, index -> {
                int[] old = new int[dims.length];
                for (int i = 0, j = 0; i < dims.length; i++) {
                    old[i] = i == axis ? position : index[j++];
                }
                return at(old);
            });
        }

        Model reshape(int[] newDims) {
            return new Model(newDims.clone(), values);
        }

        /** Broadcasts size-1 axes to {@code newDims} (same rank). */
        Model expand(int[] newDims) {
            return build(newDims.clone(), index -> {
                int[] old = index.clone();
                for (int i = 0; i < old.length; i++) {
                    if (dims[i] == 1) {
                        old[i] = 0;
                    }
                }
                return at(old);
            });
        }
    }

    @Test
    void squeezingAndNarrowingKeepOffsets() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = iota(3, 4);
            Tensor n = x.narrow(0, 2, 1).narrow(1, 1, 2);
            assertEquals(9, n.offset());
            Tensor sq = n.squeeze(0);
            assertEquals(9, sq.offset());
            assertArrayEquals(new float[] {9, 10}, sq.toFloatArray());
            assertNotEquals(0, x.select(1, 3).offset());
        }
    }
}

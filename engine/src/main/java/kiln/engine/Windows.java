package kiln.engine;

import java.util.Arrays;

import kiln.kernels.cpu.BinaryOp;

/**
 * Sliding windows, the two primitives that convolution and pooling are built from: {@code pad} (a
 * constant border) and {@code unfold2d} (im2col), each with its gradient.
 *
 * <p><b>unfold2d</b> copies every kernel-sized window of an image batch {@code [N, C, H, W]} into
 * columns {@code [N, C, kH, kW, OH, OW]}: for each kernel tap (i, j), an OH×OW grid holding the
 * input element that tap sees at each output position,
 *
 * <pre>  out[n, c, i, j, oh, ow] = padded[n, c, oh·sH + i·dH, ow·sW + j·dW]</pre>
 *
 * (s the stride, d the dilation; {@code padded} has pH rows and pW columns of the pad value on each
 * side). For a 4×4 image, a 2×2 kernel, stride 2, no padding:
 *
 * <pre>
 *   x[n, c]           out[n, c, i, j] for the four taps (i, j)
 *   a b c d
 *   e f g h           (0,0): a c    (0,1): b d    (1,0): e g    (1,1): f h
 *   i j k l                  i k           j l           m o           n p
 *   m n o p
 * </pre>
 *
 * The forward pass needs no index arithmetic: the columns are one strided view of the padded input,
 * with strides (sN, sC, dH·sRow, dW·sCol, sH·sRow, sW·sCol), copied out once.
 *
 * <p><b>Its gradient (col2im)</b> sends each column entry's gradient back to the element it was read
 * from; an element read by several windows (when they overlap) receives the sum. For one tap (i, j)
 * the grid of elements read is a strided window of the padded input with no repeats, so the gradient
 * is kH·kW strided in-place additions, one per tap, into a zero tensor of the padded size; the
 * padding's gradient is then cut off. (The taps are added one at a time because their windows
 * overlap each other, which a single strided addition could not accumulate.)
 */
final class Windows {
    private Windows() {}

    /** Kernel size, stride, padding (per side) and dilation along the height and width axes. */
    record Geometry(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {
        Geometry {
            requireAtLeast("kernel", kernelH, kernelW, 1);
            requireAtLeast("stride", strideH, strideW, 1);
            requireAtLeast("padding", padH, padW, 0);
            requireAtLeast("dilation", dilationH, dilationW, 1);
        }

        private static void requireAtLeast(String what, int h, int w, int least) {
            if (h < least || w < least) {
                throw new IllegalArgumentException("unfold2d: " + what + " must be >= " + least + ", got " + h + "x" + w);
            }
        }

        /** PyTorch's output size ⌊(size + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1 (may be <= 0: no window fits). */
        private static int outputSize(int size, int kernel, int stride, int pad, int dilation) {
            return Math.floorDiv(size + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;
        }

        int outH(int height) { return outputSize(height, kernelH, strideH, padH, dilationH); }

        int outW(int width) { return outputSize(width, kernelW, strideW, padW, dilationW); }

        /** The padding of an image batch's four axes on one side: none for N and C. */
        int[] padding() { return new int[] {0, 0, padH, padW}; }

        @Override
        public String toString() {
            return "kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW
                    + ", padding " + padH + "x" + padW + ", dilation " + dilationH + "x" + dilationW;
        }
    }

    // ---------------------------------------------------------------- pad

    static Tensor pad(Tensor t, int[] before, int[] after, double value) {
        t.ensureOpen();
        int rank = t.rank();
        if (before == null || after == null || before.length != rank || after.length != rank) {
            throw new IllegalArgumentException("pad: " + t.describe() + " needs one count per axis before and after, got "
                    + Arrays.toString(before) + " and " + Arrays.toString(after));
        }
        int[] dims = t.dims();
        for (int a = 0; a < rank; a++) {
            if (before[a] < 0 || after[a] < 0) {
                throw new IllegalArgumentException("pad: counts must be >= 0, got " + Arrays.toString(before)
                        + " before and " + Arrays.toString(after) + " after");
            }
            dims[a] = Math.addExact(dims[a], Math.addExact(before[a], after[a]));
        }
        Tensor out = Tensor.empty(t.dtype(), Shape.of(dims), t.device());
        out.backend().fill(out, value);
        try (Tensor inside = interior(out, before, t.dims())) {
            out.backend().copy(inside, t);
        }
        return out;
    }

    /**
     * The part of {@code padded} that is not border: {@code dims[a]} entries from {@code before[a]} on
     * along each axis, as a view. Also pad's gradient: the border was a constant, so it has none.
     */
    static Tensor interior(Tensor padded, int[] before, int[] dims) {
        long[] strides = padded.strides();
        long offset = padded.offset();
        for (int a = 0; a < dims.length; a++) {
            offset += (long) before[a] * strides[a];
        }
        return padded.view(Shape.of(dims), strides, offset);
    }

    // ---------------------------------------------------------------- unfold2d and its gradient

    static Tensor unfold2d(Tensor x, Geometry window, double padValue) {
        x.ensureOpen();
        if (x.rank() != 4) {
            throw new IllegalArgumentException("unfold2d: input " + x.describe() + " must be a batch of images [N, C, H, W]");
        }
        int outH = window.outH(x.dim(2));
        int outW = window.outW(x.dim(3));
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("unfold2d: input " + x.describe() + " is too small for " + window
                    + ": the output would be " + Math.max(outH, 0) + "x" + Math.max(outW, 0)
                    + " (size = (H + 2·padding − dilation·(kernel − 1) − 1) / stride + 1)");
        }
        try (Tensor padded = pad(x, window.padding(), window.padding(), padValue);
             Tensor columns = columnView(padded, window, outH, outW)) {
            Tensor out = Tensor.empty(x.dtype(), columns.shape(), x.device());
            out.backend().copy(out, columns);
            return out;
        }
    }

    /** col2im: the gradient of unfold2d for an input of {@code inputShape}, given the columns' gradient g. */
    static Tensor fold2d(Tensor g, Geometry window, Shape inputShape) {
        int[] dims = inputShape.toArray();
        int[] paddedDims = {dims[0], dims[1], dims[2] + 2 * window.padH(), dims[3] + 2 * window.padW()};
        try (Tensor sums = Tensor.empty(g.dtype(), Shape.of(paddedDims), g.device());
             Tensor columns = columnView(sums, window, g.dim(4), g.dim(5))) {
            sums.backend().fill(sums, 0);
            for (int i = 0; i < window.kernelH(); i++) {
                for (int j = 0; j < window.kernelW(); j++) {
                    try (Tensor tapColumns = Views.select(columns, 2, i);
                         Tensor target = Views.select(tapColumns, 2, j);       // [N, C, OH, OW], distinct elements
                         Tensor tapGrads = Views.select(g, 2, i);
                         Tensor source = Views.select(tapGrads, 2, j)) {
                        sums.backend().binary(BinaryOp.ADD, target, target, source);    // target += source
                    }
                }
            }
            return interior(sums, window.padding(), dims);
        }
    }

    /** {@code padded [N, C, Hp, Wp]} seen as the columns {@code [N, C, kH, kW, OH, OW]} (see the class comment). */
    private static Tensor columnView(Tensor padded, Geometry window, int outH, int outW) {
        long[] s = padded.strides();
        Shape shape = Shape.of(padded.dim(0), padded.dim(1), window.kernelH(), window.kernelW(), outH, outW);
        long[] strides = {s[0], s[1], window.dilationH() * s[2], window.dilationW() * s[3], window.strideH() * s[2], window.strideW() * s[3]};
        return padded.view(shape, strides, padded.offset());
    }
}

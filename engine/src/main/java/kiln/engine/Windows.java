package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.Im2col;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.WindowGeometry;

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
 *
 * <p>Those two views are the definition, and what every dtype but float32 runs. float32, the
 * training dtype, runs the {@link Im2col} kernels instead, one image per parallel task: the same
 * entries, without a padded copy or a strided walk per row.
 */
final class Windows {
    private Windows() {}

    /** The window's geometry, its arguments checked, a bad one reported as {@code op}'s. */
    static WindowGeometry geometry(String op, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                                   int dilationH, int dilationW) {
        try {
            return new WindowGeometry(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW);
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException(op + ": " + bad.getMessage(), bad);
        }
    }

    /** The padding of an image batch's four axes on one side: none for N and C. */
    private static int[] padding(WindowGeometry window) {
        return new int[] {0, 0, window.padH(), window.padW()};
    }

    /**
     * Throws unless {@code x} is an image batch {@code [N, C, H, W]} on which at least one window fits
     * (the output size is PyTorch's formula, see {@link WindowGeometry}).
     */
    static void requireWindowsFit(String op, Tensor x, WindowGeometry window) {
        x.ensureOpen();
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + " must be a batch of images [N, C, H, W]");
        }
        int outH = window.outH(x.dim(2));
        int outW = window.outW(x.dim(3));
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + " is too small for " + window
                    + ": the output would be " + Math.max(outH, 0) + "x" + Math.max(outW, 0)
                    + " (size = (H + 2·padding − dilation·(kernel − 1) − 1) / stride + 1)");
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

    static Tensor unfold2d(Tensor x, WindowGeometry window, double padValue) {
        requireWindowsFit("unfold2d", x, window);
        int outH = window.outH(x.dim(2));
        int outW = window.outW(x.dim(3));
        if (x.dtype() == DType.FLOAT32) {
            return unfoldFloat32(x, window, (float) padValue, outH, outW);
        }
        try (Tensor padded = pad(x, padding(window), padding(window), padValue);
             Tensor columns = columnView(padded, window, outH, outW)) {
            Tensor out = Tensor.empty(x.dtype(), columns.shape(), x.device());
            out.backend().copy(out, columns);
            return out;
        }
    }

    /** float32 unfold2d by the im2col kernel, one image per task (on a GPU, one thread per column entry). */
    private static Tensor unfoldFloat32(Tensor x, WindowGeometry window, float padValue, int outH, int outW) {
        int channels = x.dim(1), height = x.dim(2), width = x.dim(3);
        Tensor out = Tensor.empty(x.dtype(), Shape.of(x.dim(0), channels, window.kernelH(), window.kernelW(), outH, outW), x.device());
        try (Tensor images = x.contiguous()) {
            if (x.device().kind() != Device.Kind.CPU) {
                Backends.cuda(x.device()).im2col(out, images, window, padValue);
                return out;
            }
            MemorySegment from = images.segment();
            MemorySegment to = out.segment();
            long imageSize = (long) channels * height * width;
            long columnsSize = Im2col.columnsSize(channels, height, width, window);
            Parallel.forEach(x.dim(0), n -> Im2col.im2col(from, images.offset() + n * imageSize, channels, height, width,
                    window, padValue, to, n * columnsSize));
        }
        return out;
    }

    /** col2im: the gradient of unfold2d for an input of {@code inputShape}, given the columns' gradient g. */
    static Tensor fold2d(Tensor g, WindowGeometry window, Shape inputShape) {
        int[] dims = inputShape.toArray();
        if (g.dtype() == DType.FLOAT32) {
            return foldFloat32(g, window, dims);
        }
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
            return interior(sums, padding(window), dims);
        }
    }

    /** float32 col2im by its kernel, one image per task (each task writes only its image: no races; on a GPU, one thread per element). */
    private static Tensor foldFloat32(Tensor g, WindowGeometry window, int[] dims) {
        int channels = dims[1], height = dims[2], width = dims[3];
        Tensor out = Tensor.empty(g.dtype(), Shape.of(dims), g.device());
        try (Tensor columns = g.contiguous()) {
            if (g.device().kind() != Device.Kind.CPU) {
                Backends.cuda(g.device()).col2im(out, columns, window);
                return out;
            }
            MemorySegment from = columns.segment();
            MemorySegment to = out.segment();
            long imageSize = (long) channels * height * width;
            long columnsSize = Im2col.columnsSize(channels, height, width, window);
            Parallel.forEach(dims[0], n -> {
                to.asSlice(n * imageSize * Float.BYTES, imageSize * Float.BYTES).fill((byte) 0);
                Im2col.col2im(from, columns.offset() + n * columnsSize, channels, height, width, window, to, n * imageSize);
            });
        }
        return out;
    }

    /** {@code padded [N, C, Hp, Wp]} seen as the columns {@code [N, C, kH, kW, OH, OW]} (see the class comment). */
    private static Tensor columnView(Tensor padded, WindowGeometry window, int outH, int outW) {
        long[] s = padded.strides();
        Shape shape = Shape.of(padded.dim(0), padded.dim(1), window.kernelH(), window.kernelW(), outH, outW);
        long[] strides = {s[0], s[1], window.dilationH() * s[2], window.dilationW() * s[3], window.strideH() * s[2], window.strideW() * s[3]};
        return padded.view(shape, strides, padded.offset());
    }
}

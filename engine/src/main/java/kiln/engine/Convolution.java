package kiln.engine;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import kiln.kernels.cpu.BinaryKernels;
import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.Im2col;
import kiln.kernels.cpu.ImplicitGemmConv;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.ReduceKernels;
import kiln.kernels.cpu.ReduceOp;
import kiln.kernels.cpu.Sgemm;
import kiln.kernels.cpu.WindowGeometry;

/**
 * 2-D convolution (PyTorch's cross-correlation) of an image batch {@code x [N, C, H, W]} with
 * filters {@code w [O, C/G, kH, kW]} in G groups, plus an optional bias {@code b [O]}: output channel
 * o of group g = ⌊o / (O/G)⌋ sees that group's C/G input channels,
 *
 * <pre>  y[n, o, oh, ow] = b[o] + Σ_{c, i, j} w[o, c, i, j] · x[n, g·C/G + c, oh·sH + i·dH − pH, ow·sW + j·dW − pW]</pre>
 *
 * <p><b>The definition</b> ({@link #composed}) is im2col followed by a matmul, with recorded tensor
 * ops: {@link Tensor#unfold2d} lays every window out as a column, and each group's filters
 * {@code [O/G, C/G·kH·kW]} multiply that group's columns {@code [C/G·kH·kW, OH·OW]}. Its gradient
 * comes from autograd. Every dtype but float32 takes this path (float64 for gradient checks).
 *
 * <p><b>The float32 path</b> computes the same products one image at a time, in parallel over the
 * batch, with each thread's im2col buffer reused from image to image (small enough to stay in the
 * cache between the im2col and the matmul that reads it), and gradients written as kernels:
 * <pre>
 *   dx[n] = col2im(wᵀ · dy[n])                     per image
 *   dw    = Σ_n dy[n] · im2col(x[n])ᵀ              per chunk of images, then the chunks summed in order
 *   db    = Σ_{n, oh, ow} dy[n, ·, oh, ow]         a sum per row (n, o), then over n in order
 * </pre>
 * The columns are recomputed for dw rather than kept from the forward pass (a copy is cheaper than
 * holding N images' columns across the step). Every output element is computed by one task whose
 * extent depends only on the sizes, so results do not depend on the number of threads.
 *
 * <p><b>Stride 1</b> (no dilation, one group, padding below the filter size: most layers) skips the
 * columns altogether: {@link ImplicitGemmConv} reads the padded image in "wide rows", where the inputs
 * of one filter tap for consecutive outputs are consecutive, and the input gradient is the same
 * forward pass over the padded output gradient with the filters flipped and transposed:
 * <pre>
 *   y  = implicit(pad(x, p), w)                    per image
 *   dx = implicit(pad(dy, k − 1 − p), flip(w)ᵀ)     per image
 *   dw = Σ_n wide(dy[n]) · shifted rows of pad(x[n])   per chunk of images, then the chunks summed in order
 * </pre>
 * Measured on LeNet-5 and on a 3×3 32→64 layer, it is faster than im2col ({@code -Dkiln.conv=im2col}
 * forces the im2col path, to compare: see ConvBench).
 */
final class Convolution {
    private Convolution() {}

    /** {@code -Dkiln.conv=im2col} keeps every float32 convolution on the im2col path (to compare the two, as ConvBench does). */
    private static final boolean IM2COL_ONLY = "im2col".equals(System.getProperty("kiln.conv"));

    /** Images per partial sum of the weight gradient, on both paths: the chunks are summed in order at the end. */
    private static final int IMAGES_PER_CHUNK = ImplicitGemmConv.IMAGES_PER_CHUNK;

    /** Checks the arguments, then takes the float32 path or the definition (see the class comment). */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int strideH, int strideW, int padH, int padW,
                         int dilationH, int dilationW, int groups) {
        x.ensureOpen();
        weight.ensureOpen();
        if (weight.rank() != 4) {
            throw new IllegalArgumentException("conv2d: weight " + weight.describe() + " must be [O, C/groups, kH, kW]");
        }
        WindowGeometry window = Windows.geometry("conv2d", weight.dim(2), weight.dim(3), strideH, strideW, padH, padW,
                dilationH, dilationW);
        check(x, weight, bias, window, groups);
        if (x.dtype() != DType.FLOAT32 || x.device().kind() != Device.Kind.CPU) {    // float64; GPUs (im2col, then matmul)
            return composed(x, weight, bias, window, groups);
        }
        Shape inputShape = x.shape();
        int[] weightDims = weight.dims();
        Tensor[] inputs = bias == null ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        GradNode.Partial[] partials = {
                (g, y) -> inputGrad(g, weight, inputShape, window, groups),
                (g, y) -> weightGrad(g, x, weightDims, window, groups),
                (g, y) -> biasGrad(g)};
        return Autograd.record("conv2d", () -> forward(x, weight, bias, window, groups), inputs,
                Arrays.copyOf(partials, inputs.length));
    }

    /** The definition, for any floating dtype: recorded unfold2d and matmul. */
    static Tensor composed(Tensor x, Tensor weight, Tensor bias, WindowGeometry window, int groups) {
        int batch = x.dim(0);
        int out = weight.dim(0);
        int patch = x.dim(1) / groups * window.kernelH() * window.kernelW();     // inputs per output value
        Tensor columns = x.unfold2d(window.kernelH(), window.kernelW(), window.strideH(), window.strideW(),
                window.padH(), window.padW(), window.dilationH(), window.dilationW(), 0);   // [N, C, kH, kW, OH, OW]
        int outH = columns.dim(4);
        int outW = columns.dim(5);
        Tensor grouped = columns.reshape(batch, groups, patch, outH * outW);    // [N, G, C/G·kH·kW, OH·OW]
        Tensor filters = weight.reshape(groups, out / groups, patch);           // [G, O/G, C/G·kH·kW]
        Tensor y = filters.matmul(grouped).reshape(batch, out, outH, outW);    // [N, G, O/G, OH·OW] → [N, O, OH, OW]
        return bias == null ? y : y.add(bias.reshape(out, 1, 1));
    }

    private static void check(Tensor x, Tensor weight, Tensor bias, WindowGeometry window, int groups) {
        Windows.requireWindowsFit("conv2d", x, window);
        if (bias != null) {
            bias.ensureOpen();
        }
        if (!x.dtype().isFloatingPoint() || weight.dtype() != x.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException("conv2d: input, weight and bias need one floating dtype, got " + x.describe()
                    + ", " + weight.describe() + (bias == null ? "" : " and " + bias.describe()));
        }
        if (groups < 1 || x.dim(1) % groups != 0 || weight.dim(0) % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups " + groups + " must divide the input's channels (" + x.describe()
                    + ") and the weight's output channels (" + weight.describe() + ")");
        }
        if (weight.dim(1) != x.dim(1) / groups || weight.dim(2) != window.kernelH() || weight.dim(3) != window.kernelW()) {
            throw new IllegalArgumentException("conv2d: weight " + weight.describe() + " must be [O, C/groups, kH, kW] = [O, "
                    + x.dim(1) / groups + ", " + window.kernelH() + ", " + window.kernelW() + "] for input " + x.describe());
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException("conv2d: bias " + bias.describe() + " must hold one value per output channel, ["
                    + weight.dim(0) + "]");
        }
    }

    /** The sizes of one convolution, as the kernels need them. */
    private record Sizes(int batch, int channels, int height, int width, int out, int outH, int outW, int groups, int patch) {
        static Sizes of(Shape input, int out, WindowGeometry window, int groups) {
            int channels = input.dim(1);
            return new Sizes(input.dim(0), channels, input.dim(2), input.dim(3), out, window.outH(input.dim(2)),
                    window.outW(input.dim(3)), groups, channels / groups * window.kernelH() * window.kernelW());
        }

        int spatial() { return outH * outW; }

        int outPerGroup() { return out / groups; }

        long imageSize() { return (long) channels * height * width; }

        long columnsSize() { return (long) groups * patch * spatial(); }
    }

    private static Tensor forward(Tensor x, Tensor weight, Tensor bias, WindowGeometry window, int groups) {
        Sizes s = Sizes.of(x.shape(), weight.dim(0), window, groups);
        Tensor y = Tensor.empty(DType.FLOAT32, Shape.of(s.batch(), s.out(), s.outH(), s.outW()), x.device());
        if (implicit(window, groups)) {
            try (Tensor padded = padded(x, window.padH(), window.padW());
                 Tensor filters = weight.contiguous(); Tensor shift = bias == null ? null : bias.contiguous()) {
                ImplicitGemmConv.forward(y.segment(), padded.segment(), s.channels(), s.height() + 2 * window.padH(),
                        s.width() + 2 * window.padW(), filters.segment(), filters.offset(), shift == null ? null : shift.segment(),
                        shift == null ? 0 : shift.offset(), s.batch(), s.out(), window.kernelH(), window.kernelW());
            }
            return y;
        }
        try (Tensor images = x.contiguous(); Tensor filters = weight.contiguous(); Tensor shift = bias == null ? null : bias.contiguous()) {
            MemorySegment xs = images.segment(), ws = filters.segment(), ys = y.segment();
            MemorySegment bs = shift == null ? null : shift.segment();
            int spatial = s.spatial(), og = s.outPerGroup(), patch = s.patch();
            Parallel.forEach(s.batch(), n -> {
                MemorySegment columns = columnsBuffer(s.columnsSize());
                Im2col.im2col(xs, images.offset() + n * s.imageSize(), s.channels(), s.height(), s.width(), window, 0f, columns, 0);
                long image = (long) n * s.out() * spatial;
                if (shift != null) {      // the bias first, then the product added to it
                    for (int o = 0; o < s.out(); o++) {
                        fillRow(ys, image + (long) o * spatial, spatial, bs.getAtIndex(JAVA_FLOAT, shift.offset() + o));
                    }
                }
                for (int g = 0; g < groups; g++) {
                    Sgemm.sgemm(ys, image + (long) g * og * spatial, spatial,
                            ws, filters.offset() + (long) g * og * patch, patch, 1,
                            columns, (long) g * patch * spatial, spatial, 1,
                            og, spatial, patch, shift != null);
                }
            });
        }
        return y;
    }

    /** dx[n] = col2im(wᵀ · dy[n]), one image per task. */
    private static Tensor inputGrad(Tensor g, Tensor weight, Shape inputShape, WindowGeometry window, int groups) {
        Sizes s = Sizes.of(inputShape, weight.dim(0), window, groups);
        Tensor dx = Tensor.empty(DType.FLOAT32, inputShape, g.device());
        if (implicit(window, groups)) {
            // dx is the forward pass over dy padded by k − 1 − p, with the filters flipped and transposed.
            int kh = window.kernelH(), kw = window.kernelW();
            try (Tensor padded = padded(g, kh - 1 - window.padH(), kw - 1 - window.padW());
                 Tensor flipped = flippedTransposed(weight)) {
                ImplicitGemmConv.forward(dx.segment(), padded.segment(), s.out(), s.height() + kh - 1, s.width() + kw - 1,
                        flipped.segment(), 0, null, 0, s.batch(), s.channels(), kh, kw);
            }
            return dx;
        }
        try (Tensor grads = g.contiguous(); Tensor filters = weight.contiguous()) {
            MemorySegment gs = grads.segment(), ws = filters.segment(), dxs = dx.segment();
            int spatial = s.spatial(), og = s.outPerGroup(), patch = s.patch();
            Parallel.forEach(s.batch(), n -> {
                MemorySegment columns = columnsBuffer(s.columnsSize());
                for (int group = 0; group < groups; group++) {
                    Sgemm.sgemm(columns, (long) group * patch * spatial, spatial,
                            ws, filters.offset() + (long) group * og * patch, 1, patch,                    // wᵀ: [patch, O/G]
                            gs, grads.offset() + ((long) n * s.out() + (long) group * og) * spatial, spatial, 1,
                            patch, spatial, og, false);
                }
                long image = n * s.imageSize();
                dxs.asSlice(image * Float.BYTES, s.imageSize() * Float.BYTES).fill((byte) 0);
                Im2col.col2im(columns, 0, s.channels(), s.height(), s.width(), window, dxs, image);
            });
        }
        return dx;
    }

    /** dw = Σ_n dy[n] · im2col(x[n])ᵀ: a partial sum per chunk of images, then the chunks added in order. */
    private static Tensor weightGrad(Tensor g, Tensor x, int[] weightDims, WindowGeometry window, int groups) {
        Sizes s = Sizes.of(x.shape(), weightDims[0], window, groups);
        if (s.batch() == 0) {
            return Tensor.zeros(DType.FLOAT32, weightDims);        // an empty sum
        }
        int spatial = s.spatial(), og = s.outPerGroup(), patch = s.patch();
        int weights = s.out() * patch;
        int chunks = Parallel.tasks(s.batch(), IMAGES_PER_CHUNK);
        Tensor dw = Tensor.empty(DType.FLOAT32, Shape.of(weightDims), g.device());
        if (implicit(window, groups)) {
            int paddedH = s.height() + 2 * window.padH(), paddedW = s.width() + 2 * window.padW();
            try (Tensor padded = padded(x, window.padH(), window.padW()); Tensor grads = g.contiguous();
                 Tensor wide = Tensor.empty(DType.FLOAT32, Shape.of(Math.toIntExact((long) s.batch() * s.out() * ImplicitGemmConv.wideRow(s.outH(), paddedW))), g.device());
                 Tensor partials = Tensor.empty(DType.FLOAT32, Shape.of(chunks, weights), g.device())) {
                ImplicitGemmConv.widen(wide.segment(), grads.segment(), grads.offset(), s.batch() * s.out(), s.outH(), s.outW(), paddedW);
                ImplicitGemmConv.weightGrad(partials.segment(), wide.segment(), padded.segment(),
                        s.batch(), s.out(), s.channels(), paddedH, paddedW, window.kernelH(), window.kernelW());
                sumInOrder(dw.segment(), partials.segment(), chunks, weights);
            }
            return dw;
        }
        try (Tensor grads = g.contiguous(); Tensor images = x.contiguous();
             Tensor partials = Tensor.empty(DType.FLOAT32, Shape.of(chunks, weights), g.device())) {
            MemorySegment gs = grads.segment(), xs = images.segment(), ps = partials.segment();
            Parallel.forEach(chunks, chunk -> {
                MemorySegment columns = columnsBuffer(s.columnsSize());
                int first = chunk * IMAGES_PER_CHUNK, end = Math.min(s.batch(), first + IMAGES_PER_CHUNK);
                for (int n = first; n < end; n++) {
                    Im2col.im2col(xs, images.offset() + n * s.imageSize(), s.channels(), s.height(), s.width(), window, 0f, columns, 0);
                    for (int group = 0; group < groups; group++) {
                        Sgemm.sgemm(ps, (long) chunk * weights + (long) group * og * patch, patch,
                                gs, grads.offset() + ((long) n * s.out() + (long) group * og) * spatial, spatial, 1,
                                columns, (long) group * patch * spatial, 1, spatial,                  // columnsᵀ: [spatial, patch]
                                og, patch, spatial, n > first);
                    }
                }
            });
            sumInOrder(dw.segment(), ps, chunks, weights);
        }
        return dw;
    }

    /** db[o] = Σ_{n, oh, ow} dy[n, o, oh, ow]: a sum per row (n, o) of dy, then the rows of each o added in order of n. */
    private static Tensor biasGrad(Tensor g) {
        int batch = g.dim(0), out = g.dim(1), spatial = g.dim(2) * g.dim(3);
        Tensor db = Tensor.empty(DType.FLOAT32, Shape.of(out), g.device());
        try (Tensor grads = g.contiguous(); Tensor rowSums = Tensor.empty(DType.FLOAT32, Shape.of(batch * out), g.device())) {
            MemorySegment sums = rowSums.segment(), dbs = db.segment();
            ReduceKernels.reduceRows(ReduceOp.SUM, sums, 0, grads.segment(), grads.offset(), batch * out, spatial, 0);
            for (int o = 0; o < out; o++) {
                float total = 0;
                for (int n = 0; n < batch; n++) {
                    total += sums.getAtIndex(JAVA_FLOAT, (long) n * out + o);
                }
                dbs.setAtIndex(JAVA_FLOAT, o, total);
            }
        }
        return db;
    }

    /** {@code sum = Σ_chunk partials[chunk]}, rows of {@code width} floats added in order of chunk: the same bits on any thread count. */
    private static void sumInOrder(MemorySegment sum, MemorySegment partials, int chunks, int width) {
        MemorySegment.copy(partials, 0, sum, 0, (long) width * Float.BYTES);
        for (int chunk = 1; chunk < chunks; chunk++) {
            BinaryKernels.zip(BinaryOp.ADD, sum, 0, sum, 0, 1, partials, (long) chunk * width, 1, width);
        }
    }

    /**
     * Whether the three passes take {@link ImplicitGemmConv}: stride 1, no dilation, one group, and
     * padding below the filter's size (the input gradient pads dy by k − 1 − p).
     */
    private static boolean implicit(WindowGeometry window, int groups) {
        return !IM2COL_ONLY && groups == 1 && window.strideH() == 1 && window.strideW() == 1 && window.dilationH() == 1 && window.dilationW() == 1
                && window.padH() < window.kernelH() && window.padW() < window.kernelW() && window.kernelW() <= 256;
    }

    /** Images [N, C, H, W] zero-padded by pad rows above and below and by padW columns left and right, plus ImplicitGemmConv.SLACK floats. */
    private static Tensor padded(Tensor images, int padH, int padW) {
        int batch = images.dim(0), channels = images.dim(1), height = images.dim(2), width = images.dim(3);
        long size = (long) batch * channels * (height + 2 * padH) * (width + 2 * padW);
        Tensor padded = Tensor.empty(DType.FLOAT32, Shape.of(Math.toIntExact(size + ImplicitGemmConv.SLACK)), images.device());
        try (Tensor source = images.contiguous()) {
            ImplicitGemmConv.pad(padded.segment(), source.segment(), source.offset(), batch * channels, height, width, padH, padH, padW, padW);
        }
        return padded;
    }

    /** {@code wt[c, o, i, j] = w[o, c, kH − 1 − i, kW − 1 − j]}: the filters of the input gradient, as [C, O·kH·kW]. */
    private static Tensor flippedTransposed(Tensor weight) {
        int out = weight.dim(0), channels = weight.dim(1), kh = weight.dim(2), kw = weight.dim(3);
        Tensor flipped = Tensor.empty(DType.FLOAT32, Shape.of(channels, out * kh * kw), weight.device());
        try (Tensor w = weight.contiguous()) {
            MemorySegment from = w.segment(), to = flipped.segment();
            for (int c = 0; c < channels; c++) {
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            float v = from.getAtIndex(JAVA_FLOAT, w.offset() + (((long) o * channels + c) * kh + kh - 1 - i) * kw + kw - 1 - j);
                            to.setAtIndex(JAVA_FLOAT, (((long) c * out + o) * kh + i) * kw + j, v);
                        }
                    }
                }
            }
        }
        return flipped;
    }

    private static void fillRow(MemorySegment s, long at, int n, float value) {
        for (int k = 0; k < n; k++) {
            s.setAtIndex(JAVA_FLOAT, at + k, value);
        }
    }

    /** Each thread's buffer for one image's columns, grown when a larger convolution needs more. */
    private static final ThreadLocal<MemorySegment[]> COLUMNS = ThreadLocal.withInitial(() -> new MemorySegment[] {MemorySegment.NULL});

    private static MemorySegment columnsBuffer(long floats) {
        MemorySegment[] held = COLUMNS.get();
        if (held[0].byteSize() < floats * Float.BYTES) {
            // An automatic arena: the garbage collector frees a buffer once a larger one replaces it.
            held[0] = Arena.ofAuto().allocate(Math.max(1, floats) * Float.BYTES, 64);
        }
        return held[0];
    }
}

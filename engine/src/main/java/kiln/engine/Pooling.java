package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import kiln.kernels.cpu.AvgPoolKernels;
import kiln.kernels.cpu.AvgPoolKernels.Axis;
import kiln.kernels.cpu.MaxPoolKernels;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.WindowGeometry;

/**
 * Pooling of an image batch {@code [N, C, H, W]}, each plane on its own.
 *
 * <p><b>Max pooling</b>: the largest element of each window, the padding counting as −∞, and the
 * gradient sent to each window's first maximum in row-major order (PyTorch's rule for ties;
 * {@code max()} would share a tie's gradient instead). <b>The definition</b> ({@link #composed}), for
 * every dtype but float32: the windows laid out by {@link Tensor#unfold2d} with −∞ padding, an argmax
 * over each window and a gather of it, all recorded, so autograd derives the gradient. <b>The float32
 * path</b> runs {@link MaxPoolKernels}: no window layout; the forward pass notes each window's winner,
 * and the backward pass sends the gradient there.
 *
 * <p><b>Average pooling</b>, fixed windows (the padding counted in the divisor, PyTorch's
 * {@code count_include_pad=True}) or adaptive ones (output size given, windows as
 * AdaptiveAvgPool2d's): the definition is the mean over unfolded windows (or, for uneven adaptive
 * windows, over narrowed rows and columns), recorded; float32 runs {@link AvgPoolKernels}, a sum of
 * rows then of columns per window, and its transpose for the gradient.
 *
 * <p>The kernels run over groups of image planes in parallel; each plane is one task's alone, so
 * results do not depend on the number of threads.
 */
final class Pooling {
    private Pooling() {}

    /** About this many input elements per parallel task. */
    private static final int ELEMENTS_PER_TASK = 1 << 15;

    static Tensor maxPool2d(Tensor x, WindowGeometry window) {
        Windows.requireWindowsFit("maxPool2d", x, window);
        if (x.dtype() != DType.FLOAT32) {
            return composed(x, window);
        }
        if (x.device().kind() != Device.Kind.CPU) {
            return onGpu(x, window);
        }
        int[] winners = new int[Math.toIntExact(x.dim(0) * x.dim(1) * (long) window.outH(x.dim(2)) * window.outW(x.dim(3)))];
        return Autograd.record("maxPool2d", () -> forward(x, window, winners), x, (g, y) -> backward(g, x.shape(), window, winners));
    }

    /** On a GPU: the same forward and backward kernels, the winners kept in device memory (int32 per output) with the graph. */
    private static Tensor onGpu(Tensor x, WindowGeometry window) {
        CudaBackend gpu = Backends.cuda(x.device());
        Shape inputShape = x.shape();
        Shape outputShape = Shape.of(x.dim(0), x.dim(1), window.outH(x.dim(2)), window.outW(x.dim(3)));
        Tensor winners = Tensor.empty(DType.INT32, outputShape, x.device());
        Tensor y = Autograd.record("maxPool2d", () -> {
            Tensor out = Tensor.empty(DType.FLOAT32, outputShape, x.device());
            try (Tensor images = x.contiguous()) {
                gpu.maxPool(out, winners, images, window);
            }
            return out;
        }, x, (g, out) -> {
            Tensor dx = Tensor.empty(DType.FLOAT32, inputShape, g.device());
            try (Tensor grads = g.contiguous()) {
                gpu.maxPoolBackward(dx, grads, winners, window);
            }
            return dx;
        });
        if (y.gradFn() == null) {
            winners.close();                      // nothing recorded: no backward pass will read them
        }
        return y;
    }

    /** The definition: argmax over the unfolded windows, then a gather of the winners. */
    static Tensor composed(Tensor x, WindowGeometry window) {
        Tensor columns = x.unfold2d(window.kernelH(), window.kernelW(), window.strideH(), window.strideW(),
                window.padH(), window.padW(), window.dilationH(), window.dilationW(), Double.NEGATIVE_INFINITY);
        int[] d = columns.dims();                                               // [N, C, kH, kW, OH, OW]
        Tensor windows = columns.reshape(d[0], d[1], d[2] * d[3], d[4], d[5]);  // [N, C, kH·kW, OH, OW]
        Tensor first = windows.argmax(2, true);                                 // where each window's first maximum is
        return windows.gather(2, first).squeeze(2);
    }

    /** y, and each output's winner into {@code winners} (a heap array: the garbage collector frees it with the graph). */
    private static Tensor forward(Tensor x, WindowGeometry window, int[] winners) {
        int planes = x.dim(0) * x.dim(1), height = x.dim(2), width = x.dim(3);
        int outs = window.outH(height) * window.outW(width);
        Tensor y = Tensor.empty(DType.FLOAT32, Shape.of(x.dim(0), x.dim(1), window.outH(height), window.outW(width)), x.device());
        try (Tensor images = x.contiguous()) {
            MemorySegment xs = images.segment(), ys = y.segment();
            forEachPlaneGroup(planes, height, width, (first, count) -> MaxPoolKernels.forward(
                    xs, images.offset() + (long) first * height * width, count, height, width, window,
                    ys, (long) first * outs, winners, first * outs));
        }
        return y;
    }

    private static Tensor backward(Tensor g, Shape inputShape, WindowGeometry window, int[] winners) {
        int planes = inputShape.dim(0) * inputShape.dim(1), height = inputShape.dim(2), width = inputShape.dim(3);
        int outs = window.outH(height) * window.outW(width);
        Tensor dx = Tensor.empty(DType.FLOAT32, inputShape, g.device());
        try (Tensor grads = g.contiguous()) {
            MemorySegment gs = grads.segment(), dxs = dx.segment();
            forEachPlaneGroup(planes, height, width, (first, count) -> MaxPoolKernels.backward(
                    gs, grads.offset() + (long) first * outs, winners, first * outs, count, height, width, window,
                    dxs, (long) first * height * width));
        }
        return dx;
    }

    // ------------------------------------------------------------------------------- average pooling

    /** Means of kernelH×kernelW windows (no dilation), zero padding counted in the divisor. */
    static Tensor avgPool2d(Tensor x, WindowGeometry window) {
        Windows.requireWindowsFit("avgPool2d", x, window);
        if (window.dilationH() != 1 || window.dilationW() != 1) {
            throw new IllegalArgumentException("avgPool2d: windows are not dilated, got " + window);
        }
        if (x.dtype() != DType.FLOAT32) {
            return composedAverage(x, window);
        }
        return averaged("avgPool2d", x, Axis.sliding(x.dim(2), window.kernelH(), window.strideH(), window.padH()),
                Axis.sliding(x.dim(3), window.kernelW(), window.strideW(), window.padW()));
    }

    /** Means over AdaptiveAvgPool2d's windows, outH×outW of them whatever the input's size. */
    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        x.ensureOpen();
        if (x.rank() != 4 || x.dim(2) == 0 || x.dim(3) == 0) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: input " + x.describe() + " must be a batch of images [N, C, H, W] with pixels");
        }
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: the output size must be positive, got " + outH + "x" + outW);
        }
        if (x.dtype() != DType.FLOAT32) {
            return composedAdaptive(x, outH, outW);
        }
        return averaged("adaptiveAvgPool2d", x, Axis.adaptive(x.dim(2), outH), Axis.adaptive(x.dim(3), outW));
    }

    /** The definition of avgPool2d: the mean over each unfolded window, zero padding included. */
    static Tensor composedAverage(Tensor x, WindowGeometry window) {
        Tensor columns = x.unfold2d(window.kernelH(), window.kernelW(), window.strideH(), window.strideW(),
                window.padH(), window.padW(), 1, 1, 0);                          // [N, C, kH, kW, OH, OW]
        return columns.mean(new int[] {2, 3}, false);
    }

    /**
     * The definition of adaptiveAvgPool2d: equal windows that tile the input are an average pooling
     * (kernel = stride = size / out); otherwise a window is a block of rows times a block of columns,
     * so its mean is the mean over its rows of the means over its columns: pool the width, then the height.
     */
    static Tensor composedAdaptive(Tensor x, int outH, int outW) {
        int h = x.dim(2), w = x.dim(3);
        if (h % outH == 0 && w % outW == 0) {
            return composedAverage(x, new WindowGeometry(h / outH, w / outW, h / outH, w / outW, 0, 0, 1, 1));
        }
        return averageAlong(averageAlong(x, 3, outW), 2, outH);
    }

    /** The means of the {@code count} adaptive windows along {@code axis}, side by side along it. */
    private static Tensor averageAlong(Tensor x, int axis, int count) {
        int size = x.dim(axis);
        List<Tensor> means = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int start = Math.floorDiv(i * size, count);
            int end = Math.ceilDiv((i + 1) * size, count);
            means.add(x.narrow(axis, start, end - start).mean(axis, true));
        }
        return Tensor.cat(axis, means);
    }

    /** float32 average pooling over the windows {@code rows} × {@code columns}, recorded with its gradient. */
    private static Tensor averaged(String op, Tensor x, Axis rows, Axis columns) {
        Shape inputShape = x.shape();
        return Autograd.record(op, () -> averageForward(x, rows, columns), x, (g, y) -> averageBackward(g, inputShape, rows, columns));
    }

    private static Tensor averageForward(Tensor x, Axis rows, Axis columns) {
        int planes = x.dim(0) * x.dim(1), height = x.dim(2), width = x.dim(3);
        int outs = rows.count() * columns.count();
        Tensor y = Tensor.empty(DType.FLOAT32, Shape.of(x.dim(0), x.dim(1), rows.count(), columns.count()), x.device());
        try (Tensor images = x.contiguous()) {
            MemorySegment xs = images.segment(), ys = y.segment();
            forEachPlaneGroup(planes, height, width, (first, count) -> AvgPoolKernels.forward(
                    xs, images.offset() + (long) first * height * width, count, height, width, rows, columns, ys, (long) first * outs));
        }
        return y;
    }

    private static Tensor averageBackward(Tensor g, Shape inputShape, Axis rows, Axis columns) {
        int planes = inputShape.dim(0) * inputShape.dim(1), height = inputShape.dim(2), width = inputShape.dim(3);
        int outs = rows.count() * columns.count();
        Tensor dx = Tensor.empty(DType.FLOAT32, inputShape, g.device());
        try (Tensor grads = g.contiguous()) {
            MemorySegment gs = grads.segment(), dxs = dx.segment();
            forEachPlaneGroup(planes, height, width, (first, count) -> AvgPoolKernels.backward(
                    gs, grads.offset() + (long) first * outs, count, height, width, rows, columns, dxs, (long) first * height * width));
        }
        return dx;
    }

    private interface PlaneGroup {
        void run(int first, int count);
    }

    /** Splits the planes into tasks of about {@link #ELEMENTS_PER_TASK} input elements (sizes only decide). */
    private static void forEachPlaneGroup(int planes, int height, int width, PlaneGroup body) {
        int perTask = (int) Math.max(1, ELEMENTS_PER_TASK / Math.max(1L, (long) height * width));
        Parallel.forEach(Parallel.tasks(planes, perTask), t -> {
            int first = t * perTask;
            body.run(first, Math.min(planes, first + perTask) - first);
        });
    }
}

package kiln.engine;

import java.lang.foreign.MemorySegment;

import kiln.kernels.cpu.MaxPoolKernels;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.WindowGeometry;

/**
 * Max pooling of an image batch {@code [N, C, H, W]}: the largest element of each window, the
 * padding counting as −∞, and the gradient sent to each window's first maximum in row-major order
 * (PyTorch's rule for ties; {@code max()} would share a tie's gradient instead).
 *
 * <p><b>The definition</b> ({@link #composed}), for every dtype but float32: the windows laid out by
 * {@link Tensor#unfold2d} with −∞ padding, an argmax over each window and a gather of it, all
 * recorded, so autograd derives the gradient. <b>The float32 path</b> runs {@link MaxPoolKernels}
 * over groups of image planes in parallel: no window layout; the forward pass notes each window's
 * winner, and the backward pass sends the gradient there. Each plane is one task's alone, so results
 * do not depend on the number of threads.
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
        int[] winners = new int[Math.toIntExact(x.dim(0) * x.dim(1) * (long) window.outH(x.dim(2)) * window.outW(x.dim(3)))];
        return Autograd.record("maxPool2d", () -> forward(x, window, winners), x, (g, y) -> backward(g, x.shape(), window, winners));
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

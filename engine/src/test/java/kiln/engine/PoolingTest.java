package kiln.engine;

import java.util.List;
import java.util.function.Function;

import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.WindowGeometry;
import org.junit.jupiter.api.Test;

/**
 * Average pooling, fixed and adaptive windows: the float32 kernels against the definitions (the mean
 * over unfolded windows, or over narrowed rows and columns, recorded and run on the same float32
 * values), forward and gradient; the same bits on 1 and 2 threads; and the error messages. (Max
 * pooling's kernels are checked the same way in ConvolutionTest.)
 */
class PoolingTest {
    /** One pooling {@code op} of a fresh leaf x: y, and dx for g = 1, 2, 3... */
    private static float[][] pool(Tensor values, Function<Tensor, Tensor> op) {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = values.detach().requiresGrad(true);
            Tensor y = op.apply(x);
            y.backward(Tensor.arange(1, y.numel() + 1, 1, DType.FLOAT32).reshape(y.dims()));
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray()};
        }
    }

    /** Both paths of {@code kernels}/{@code definition} agree, and the kernels give the same bits on 1 and 2 threads. */
    private static void check(String what, Tensor x, Function<Tensor, Tensor> kernels, Function<Tensor, Tensor> definition) {
        float[][] expected = pool(x, definition);
        float[][] actual = pool(x, kernels);
        // Means of at most a few dozen values of size ≤ 3 (gradients ≤ the output count), summed in another order.
        Check.assertAllClose(Check.toDoubles(expected[0]), actual[0], 1e-5, 1e-5, what + " forward");
        Check.assertAllClose(Check.toDoubles(expected[1]), actual[1], 1e-4, 1e-5, what + " gradient");
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[][] one = pool(x, kernels);
            Parallel.setThreads(2);
            float[][] two = pool(x, kernels);
            Check.assertBitIdentical(one[0], two[0], what + " forward, 1 vs 2 threads");
            Check.assertBitIdentical(one[1], two[1], what + " gradient, 1 vs 2 threads");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void avgPoolKernelsMatchTheDefinition() {
        List<WindowGeometry> windows = List.of(new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1),
                new WindowGeometry(3, 3, 2, 2, 1, 1, 1, 1), new WindowGeometry(2, 3, 1, 2, 1, 1, 1, 1));
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.randn(new Generator(3), 3, 5, 9, 11);
            for (WindowGeometry w : windows) {
                check("avgPool2d " + w, x,
                        in -> in.avgPool2d(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW()),
                        in -> Pooling.composedAverage(in, w));
            }
        }
    }

    @Test
    void adaptiveAvgPoolKernelsMatchTheDefinition() {
        int[][] sizes = {{3, 4}, {1, 1}, {9, 11}, {12, 5}, {2, 22}};    // uneven, global, identity, more rows than x, tiles
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.randn(new Generator(4), 2, 40, 9, 11);      // 80 planes: several parallel tasks
            for (int[] out : sizes) {
                check("adaptiveAvgPool2d " + out[0] + "x" + out[1], x, in -> in.adaptiveAvgPool2d(out[0], out[1]),
                        in -> Pooling.composedAdaptive(in, out[0], out[1]));
            }
        }
    }

    @Test
    void errorsNameTheOpAndTheShapes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor images = Tensor.zeros(2, 3, 4, 4);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.avgPool2d(5, 5, 1, 1, 0, 0),
                    "avgPool2d", "[2, 3, 4, 4]", "kernel 5x5", "0x0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3, 4, 4).avgPool2d(2, 2, 2, 2, 0, 0),
                    "avgPool2d", "[3, 4, 4]", "[N, C, H, W]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.adaptiveAvgPool2d(0, 2),
                    "adaptiveAvgPool2d", "0x2");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 0, 4).adaptiveAvgPool2d(1, 1),
                    "adaptiveAvgPool2d", "[2, 3, 0, 4]");
        }
    }
}

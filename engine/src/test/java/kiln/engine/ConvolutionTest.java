package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;

import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.WindowGeometry;
import org.junit.jupiter.api.Test;

/**
 * conv2d and maxPool2d: the float32 kernels against the definitions (recorded unfold2d, matmul,
 * argmax and gather, run on the same float32 values), forward and every gradient, on awkward
 * shapes; the same bits for 1 and 2 threads; and the error messages.
 */
class ConvolutionTest {

    /** One convolution: input [N, C, H, W], O filters of kH×kW, stride, padding, dilation, groups, bias. */
    private record Case(int n, int c, int h, int w, int o, int kH, int kW, int s, int p, int d, int groups, boolean bias) {
        WindowGeometry window() { return new WindowGeometry(kH, kW, s, s, p, p, d, d); }
    }

    private static final List<Case> CASES = List.of(
            new Case(3, 1, 28, 28, 6, 5, 5, 1, 2, 1, 1, true),      // LeNet's first layer, a small batch
            new Case(2, 6, 14, 14, 16, 5, 5, 1, 0, 1, 1, true),     // and its second
            new Case(1, 4, 7, 9, 6, 3, 2, 2, 1, 1, 2, false),       // groups, rectangular kernel, stride, no bias
            new Case(2, 3, 9, 8, 5, 3, 3, 1, 2, 2, 1, true),        // dilation and wide padding
            new Case(17, 2, 5, 5, 3, 1, 1, 1, 0, 1, 1, true),       // 1×1, more images than a chunk of the weight gradient
            new Case(0, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, true),        // no images: zero gradients for the parameters
            new Case(2, 5, 11, 13, 7, 3, 3, 1, 1, 1, 1, true),      // implicit GEMM: 7 filters (a block of 6, then 1), wide rows of 15
            new Case(9, 3, 6, 20, 13, 3, 2, 1, 1, 1, 1, false),     // rectangular filter, 9 images (two chunks), 13 filters
            new Case(1, 2, 4, 4, 2, 3, 3, 1, 2, 1, 1, true),        // padding k − 1: dy not padded for the input gradient
            new Case(1, 2, 4, 4, 2, 3, 3, 1, 3, 1, 1, true));       // padding ≥ k: the im2col path

    /** The float32 values of x, w, b, the upstream gradient g, and the four results (y, dx, dw, db) of one path. */
    private static float[][] run(Case k, boolean kernels, long seed) {
        Generator rng = new Generator(seed);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.randn(rng, k.n, k.c, k.h, k.w).requiresGrad(true);
            Tensor weight = Tensor.randn(rng, k.o, k.c / k.groups, k.kH, k.kW).requiresGrad(true);
            Tensor bias = k.bias ? Tensor.randn(rng, k.o).requiresGrad(true) : null;
            Tensor y = kernels
                    ? x.conv2d(weight, bias, k.s, k.s, k.p, k.p, k.d, k.d, k.groups)
                    : Convolution.composed(x, weight, bias, k.window(), k.groups);
            Tensor g = Tensor.randn(rng, y.dims());
            y.backward(g);
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), weight.grad().toFloatArray(),
                    bias == null ? new float[0] : bias.grad().toFloatArray()};
        }
    }

    @Test
    void float32KernelsMatchTheDefinition() {
        for (Case k : CASES) {
            float[][] expected = run(k, false, 7);
            float[][] actual = run(k, true, 7);
            // Sums of up to C·kH·kW (forward, dx) or N·OH·OW (dw, db) products of normal values in
            // another order or blocking: a few ulps of the magnitudes involved, well under 1e-4 here.
            String[] names = {"y", "dx", "dw", "db"};
            for (int r = 0; r < 4; r++) {
                Check.assertAllClose(Check.toDoubles(expected[r]), actual[r], 2e-4, 2e-5, k + " " + names[r]);
            }
        }
    }

    @Test
    void float32KernelsGiveTheSameBitsOnOneAndTwoThreads() {
        int before = Parallel.threads();
        try {
            for (Case k : CASES) {
                Parallel.setThreads(1);
                float[][] one = run(k, true, 8);
                Parallel.setThreads(2);
                float[][] two = run(k, true, 8);
                for (int r = 0; r < 4; r++) {
                    Check.assertBitIdentical(one[r], two[r], k + " result " + r);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** The max pool's output and input gradient by one path. */
    private static float[][] pool(Tensor values, WindowGeometry w, boolean kernels) {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = values.detach().requiresGrad(true);
            Tensor y = kernels
                    ? x.maxPool2d(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW(), w.dilationH(), w.dilationW())
                    : Pooling.composed(x, w);
            y.backward(Tensor.arange(1, y.numel() + 1, 1, DType.FLOAT32).reshape(y.dims()));
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray()};
        }
    }

    @Test
    void maxPoolKernelsMatchTheDefinitionTiesIncluded() {
        Generator rng = new Generator(9);
        List<WindowGeometry> windows = List.of(new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1),
                new WindowGeometry(3, 3, 2, 2, 1, 1, 1, 1), new WindowGeometry(2, 3, 1, 2, 1, 1, 2, 1));
        try (MemoryScope s = MemoryScope.open()) {
            // Truncated to small integers: many ties, which the first-maximum rule must settle alike.
            Tensor x = Tensor.randn(rng, 3, 2, 7, 8).mul(1.5).to(DType.INT32).to(DType.FLOAT32);
            for (WindowGeometry w : windows) {
                float[][] expected = pool(x, w, false);
                float[][] actual = pool(x, w, true);
                assertArrayEquals(expected[0], actual[0], w + " forward");
                assertArrayEquals(expected[1], actual[1], w + " gradient");
                int before = Parallel.threads();
                try {
                    Parallel.setThreads(1);
                    float[][] one = pool(x, w, true);
                    Parallel.setThreads(2);
                    float[][] two = pool(x, w, true);
                    Check.assertBitIdentical(one[1], two[1], w + " gradient, 1 vs 2 threads");
                } finally {
                    Parallel.setThreads(before);
                }
            }
        }
    }

    @Test
    void errorsNameTheOpShapesAndValues() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor images = Tensor.zeros(2, 4, 5, 5);
            Tensor weight = Tensor.zeros(6, 2, 3, 3);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(4, 5, 5).conv2d(weight, null, 1, 1, 0, 0, 1, 1, 2),
                    "conv2d", "[4, 5, 5]", "[N, C, H, W]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.conv2d(Tensor.zeros(6, 2, 3), null, 1, 1, 0, 0, 1, 1, 2),
                    "conv2d", "weight", "[6, 2, 3]", "[O, C/groups, kH, kW]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.conv2d(weight, null, 1, 1, 0, 0, 1, 1, 1),
                    "conv2d", "[6, 2, 3, 3]", "[O, 4, 3, 3]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.conv2d(weight, null, 1, 1, 0, 0, 1, 1, 3),
                    "conv2d", "groups 3");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.conv2d(weight, Tensor.zeros(5), 1, 1, 0, 0, 1, 1, 2),
                    "conv2d", "bias", "[5]", "[6]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.conv2d(weight.to(DType.FLOAT64), null, 1, 1, 0, 0, 1, 1, 2),
                    "conv2d", "float64", "one floating dtype");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.conv2d(weight, null, 1, 1, 0, 0, 3, 3, 2),
                    "conv2d", "kernel 3x3", "dilation 3x3", "0x0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.conv2d(weight, null, 0, 1, 0, 0, 1, 1, 2),
                    "conv2d", "stride", "0x1");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.maxPool2d(6, 6, 1, 1, 0, 0, 1, 1),
                    "maxPool2d", "[2, 4, 5, 5]", "kernel 6x6", "0x0");
        }
    }
}

package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** pad and unfold2d against plain loops written from their definitions; col2im likewise; error messages. */
class WindowsTest {

    /** One unfold2d configuration: kernel, stride, padding and dilation as (height, width) pairs. */
    private record Config(int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW) {
        int outH(int h) { return (h + 2 * pH - dH * (kH - 1) - 1) / sH + 1; }

        int outW(int w) { return (w + 2 * pW - dW * (kW - 1) - 1) / sW + 1; }

        Tensor unfold(Tensor x, double padValue) { return x.unfold2d(kH, kW, sH, sW, pH, pW, dH, dW, padValue); }
    }

    private static final Config[] CONFIGS = {
        new Config(3, 3, 1, 1, 0, 0, 1, 1),     // plain
        new Config(3, 2, 2, 2, 1, 1, 1, 1),     // rectangular kernel, stride and padding
        new Config(2, 3, 1, 2, 2, 0, 2, 1),     // dilation, different settings per axis
        new Config(2, 2, 3, 3, 0, 0, 1, 1),     // stride larger than the kernel: some elements are never read
        new Config(1, 1, 1, 1, 0, 0, 1, 1),     // 1×1: the columns are the input itself
    };

    /** The element of the padded image at (row, col) of x, a row-major [N, C, H, W] array. */
    private static double paddedAt(double[] x, int[] dims, int n, int c, int row, int col, double padValue) {
        if (row < 0 || row >= dims[2] || col < 0 || col >= dims[3]) {
            return padValue;
        }
        return x[((n * dims[1] + c) * dims[2] + row) * dims[3] + col];
    }

    /** im2col by definition: out[n, c, i, j, oh, ow] = x[n, c, oh·sH + i·dH − pH, ow·sW + j·dW − pW]. */
    private static double[] im2col(double[] x, int[] dims, Config k, double padValue) {
        int outH = k.outH(dims[2]);
        int outW = k.outW(dims[3]);
        double[] out = new double[dims[0] * dims[1] * k.kH * k.kW * outH * outW];
        int flat = 0;
        for (int n = 0; n < dims[0]; n++) {
            for (int c = 0; c < dims[1]; c++) {
                for (int i = 0; i < k.kH; i++) {
                    for (int j = 0; j < k.kW; j++) {
                        for (int oh = 0; oh < outH; oh++) {
                            for (int ow = 0; ow < outW; ow++) {
                                out[flat++] = paddedAt(x, dims, n, c, oh * k.sH + i * k.dH - k.pH, ow * k.sW + j * k.dW - k.pW, padValue);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** col2im by definition: every column entry's gradient added to the input element it was read from. */
    private static double[] col2im(double[] g, int[] dims, Config k) {
        int outH = k.outH(dims[2]);
        int outW = k.outW(dims[3]);
        double[] grad = new double[dims[0] * dims[1] * dims[2] * dims[3]];
        int flat = 0;
        for (int n = 0; n < dims[0]; n++) {
            for (int c = 0; c < dims[1]; c++) {
                for (int i = 0; i < k.kH; i++) {
                    for (int j = 0; j < k.kW; j++) {
                        for (int oh = 0; oh < outH; oh++) {
                            for (int ow = 0; ow < outW; ow++) {
                                int row = oh * k.sH + i * k.dH - k.pH;
                                int col = ow * k.sW + j * k.dW - k.pW;
                                double value = g[flat++];
                                if (row >= 0 && row < dims[2] && col >= 0 && col < dims[3]) {
                                    grad[((n * dims[1] + c) * dims[2] + row) * dims[3] + col] += value;
                                }
                            }
                        }
                    }
                }
            }
        }
        return grad;
    }

    @Test
    void padSurroundsEachAxisWithTheValue() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor padded = x.pad(new int[] {1, 0}, new int[] {0, 2}, -1);
            assertArrayEquals(new int[] {3, 5}, padded.dims());
            assertArrayEquals(new float[] {
                -1, -1, -1, -1, -1,
                 1,  2,  3, -1, -1,
                 4,  5,  6, -1, -1}, padded.toFloatArray());
            // A strided input (a transpose) is read through its strides; no padding is a copy.
            Tensor transposed = x.t().pad(new int[] {0, 1}, new int[] {0, 0}, 0);
            assertArrayEquals(new float[] {0, 1, 4, 0, 2, 5, 0, 3, 6}, transposed.toFloatArray());
            assertArrayEquals(x.toFloatArray(), x.pad(new int[2], new int[2], 7).toFloatArray());
            Tensor longs = Tensor.fromArray(new long[] {5}, 1).pad(new int[] {1}, new int[] {1}, 9);
            assertEquals(DType.INT64, longs.dtype());
            assertArrayEquals(new long[] {9, 5, 9}, longs.toLongArray());
        }
    }

    @Test
    void unfold2dMatchesThePlainLoopDefinition() {
        Generator rng = new Generator(21);
        int[] dims = {2, 3, 7, 6};
        double[] values = Check.uniform(rng, (int) Check.numel(dims), -1, 1);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x64 = Tensor.fromArray(values, dims);
            Tensor x32 = Tensor.fromArray(Check.toFloats(values), dims);
            // The same values through a non-contiguous view: stored as [N, C, W, H], transposed back.
            Tensor strided = x64.transpose(2, 3).contiguous().transpose(2, 3);
            for (Config k : CONFIGS) {
                double[] expected = im2col(values, dims, k, -2.5);
                Tensor columns = k.unfold(x64, -2.5);
                assertArrayEquals(new int[] {2, 3, k.kH, k.kW, k.outH(7), k.outW(6)}, columns.dims(), k.toString());
                assertArrayEquals(expected, columns.toDoubleArray(), 0, k + " float64");   // a copy: exact
                assertArrayEquals(expected, k.unfold(strided, -2.5).toDoubleArray(), 0, k + " strided input");
                float[] expected32 = Check.toFloats(im2col(Check.toDoubles(x32.toFloatArray()), dims, k, -2.5));
                assertArrayEquals(expected32, k.unfold(x32, -2.5).toFloatArray(), k + " float32");
                assertArrayEquals(expected32, k.unfold(x32.transpose(2, 3).contiguous().transpose(2, 3), -2.5).toFloatArray(),
                        k + " float32 strided input");
            }
        }
    }

    @Test
    void unfold2dGradientIsCol2im() {
        Generator rng = new Generator(22);
        int[] dims = {2, 2, 6, 7};
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            for (Config k : CONFIGS) {
                try (MemoryScope s = MemoryScope.open()) {
                    Tensor x = Tensor.zeros(dtype, dims).requiresGrad(true);
                    Tensor columns = k.unfold(x, 0);
                    double[] upstream = Check.toDoubles(Check.toFloats(Check.uniform(rng, (int) columns.numel(), -1, 1)));
                    columns.backward(Tensor.fromArray(upstream, columns.dims()).to(dtype));
                    // Overlapping windows sum up to kH·kW ≤ 9 terms below 1 per element; in float32 the sum's
                    // error is at most 9 roundings of at most 9, 81·u (u = eps/2).
                    double tolerance = dtype == DType.FLOAT64 ? 1e-14 : 81 * Check.EPS32 / 2;
                    Check.assertAllClose(col2im(upstream, dims, k), x.grad().toDoubleArray(), tolerance, tolerance, k + " " + dtype);
                }
            }
        }
    }

    @Test
    void padGradientDropsTheBorder() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.zeros(DType.FLOAT64, 2, 2).requiresGrad(true);
            Tensor padded = x.pad(new int[] {1, 0}, new int[] {0, 1}, 3);
            padded.backward(Tensor.arange(0, 9, 1, DType.FLOAT64).reshape(3, 3));
            // g = [[0 1 2] [3 4 5] [6 7 8]]: rows 1..2, columns 0..1 belong to x.
            assertArrayEquals(new double[] {3, 4, 6, 7}, x.grad().toDoubleArray());
        }
    }

    @Test
    void errorsNameTheOpShapesAndValues() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor images = Tensor.zeros(2, 3, 4, 5);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3, 4, 5).unfold2d(2, 2, 1, 1, 0, 0, 1, 1, 0),
                    "unfold2d", "[3, 4, 5]", "[N, C, H, W]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.unfold2d(5, 3, 1, 1, 0, 0, 1, 1, 0),
                    "unfold2d", "[2, 3, 4, 5]", "kernel 5x3", "0x3");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.unfold2d(3, 3, 1, 1, 0, 0, 2, 1, 0),
                    "unfold2d", "[2, 3, 4, 5]", "dilation 2x1", "0x3");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.unfold2d(0, 2, 1, 1, 0, 0, 1, 1, 0),
                    "unfold2d", "kernel", "0x2");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.unfold2d(2, 2, 1, -1, 0, 0, 1, 1, 0),
                    "unfold2d", "stride", "1x-1");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.unfold2d(2, 2, 1, 1, -1, 0, 1, 1, 0),
                    "unfold2d", "padding", "-1x0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.pad(new int[] {1}, new int[] {1}, 0),
                    "pad", "[2, 3, 4, 5]", "[1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> images.pad(new int[] {0, 0, -1, 0}, new int[4], 0),
                    "pad", ">= 0", "[0, 0, -1, 0]");
        }
    }
}

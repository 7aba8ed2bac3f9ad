package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.Simd;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/**
 * Matrix products against EJML (double precision) as the oracle.
 *
 * <p>Tolerance per element: a dot product of length K summed in any order (blocked, with or without
 * fused multiply-adds) is within γ·Σ_p |a_ip|·|b_pj| of the exact value with γ = (K + 1)·u, u = 2⁻²⁴ for
 * float32 and 2⁻⁵³ for float64 (Higham, Accuracy and Stability, §3.1). The Σ|a||b| matrix is computed by
 * EJML from the absolute values. EJML's own double error is far below the float32 bound.
 */
class MatmulTest {

    private static DMatrixRMaj matrix(int rows, int cols, double[] rowMajor) {
        return new DMatrixRMaj(rows, cols, true, rowMajor);
    }

    private static double[] abs(double[] x) {
        return Arrays.stream(x).map(Math::abs).toArray();
    }

    /** [product, tolerance] for A (m×k) times B (k×n), both row-major, in double. */
    private static double[][] oracle(double[] a, double[] b, int m, int k, int n, double u) {
        DMatrixRMaj c = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(matrix(m, k, a), matrix(k, n, b), c);
        DMatrixRMaj bound = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(matrix(m, k, abs(a)), matrix(k, n, abs(b)), bound);
        double[] tolerance = bound.getData().clone();
        for (int i = 0; i < tolerance.length; i++) {
            tolerance[i] *= (k + 1) * u;
        }
        return new double[][] {c.getData().clone(), tolerance};
    }

    private static void assertWithin(double[][] oracle, double[] actual, String what) {
        assertEquals(oracle[0].length, actual.length, what + ": size");
        for (int i = 0; i < actual.length; i++) {
            Check.assertClose(oracle[0][i], actual[i], oracle[1][i], 0, what + " at flat index " + i);
        }
    }

    private static final int[][] SIZES = {
        {1, 1, 1}, {1, 17, 1}, {17, 1, 33}, {1, 33, 17}, {17, 33, 65}, {33, 17, 1}, {16, 16, 16},
        {65, 129, 257}, {13, 515, 7}, {100, 3, 40},
    };

    @Test
    void float32MatchesEjmlOnAwkwardSizes() {
        Generator g = new Generator(41);
        for (int[] size : SIZES) {
            int m = size[0], k = size[1], n = size[2];
            double[] a = Check.toDoubles(Check.toFloats(Check.uniform(g, m * k, -1, 1)));
            double[] b = Check.toDoubles(Check.toFloats(Check.uniform(g, k * n, -1, 1)));
            double[][] expected = oracle(a, b, m, k, n, 0x1.0p-24);
            try (MemoryScope s = MemoryScope.open()) {
                Tensor c = Tensor.fromArray(Check.toFloats(a), m, k).matmul(Tensor.fromArray(Check.toFloats(b), k, n));
                assertEquals(DType.FLOAT32, c.dtype());
                assertEquals(Shape.of(m, n), c.shape());
                assertWithin(expected, Check.toDoubles(c.toFloatArray()), "float32 " + Arrays.toString(size));
            }
        }
    }

    @Test
    void float64MatchesEjml() {
        Generator g = new Generator(42);
        for (int[] size : SIZES) {
            int m = size[0], k = size[1], n = size[2];
            double[] a = Check.uniform(g, m * k, -1, 1);
            double[] b = Check.uniform(g, k * n, -1, 1);
            double[][] expected = oracle(a, b, m, k, n, 0x1.0p-53);
            try (MemoryScope s = MemoryScope.open()) {
                Tensor c = Tensor.fromArray(a, m, k).matmul(Tensor.fromArray(b, k, n));
                assertEquals(DType.FLOAT64, c.dtype());
                assertWithin(expected, c.toDoubleArray(), "float64 " + Arrays.toString(size));
            }
        }
    }

    @Test
    void transposedOperandsNeedNoCopyAndGiveTheSameProduct() {
        Generator g = new Generator(43);
        int m = 33, k = 65, n = 17;
        double[] a = Check.toDoubles(Check.toFloats(Check.uniform(g, m * k, -1, 1)));
        double[] b = Check.toDoubles(Check.toFloats(Check.uniform(g, k * n, -1, 1)));
        double[][] expected = oracle(a, b, m, k, n, 0x1.0p-24);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor aT = Tensor.fromArray(Check.toFloats(a), m, k).t().contiguous();   // stored [k, m]
            Tensor bT = Tensor.fromArray(Check.toFloats(b), k, n).t().contiguous();   // stored [n, k]
            Tensor aView = aT.t();
            Tensor bView = bT.t();
            assertEquals(Shape.of(m, k), aView.shape());
            assertWithin(expected, aView.matmul(Tensor.fromArray(Check.toFloats(b), k, n)).toDoubleArray(), "A transposed");
            assertWithin(expected, Tensor.fromArray(Check.toFloats(a), m, k).matmul(bView).toDoubleArray(), "B transposed");
            assertWithin(expected, aView.matmul(bView).toDoubleArray(), "both transposed");
            Tensor a64 = Tensor.fromArray(a, m, k).t().contiguous().t();
            Tensor b64 = Tensor.fromArray(b, k, n).t().contiguous().t();
            assertWithin(oracle(a, b, m, k, n, 0x1.0p-53), a64.matmul(b64).toDoubleArray(), "float64 both transposed");
        }
    }

    @Test
    void batchedProductsBroadcastTheBatchAxes() {
        Generator g = new Generator(44);
        int batches = 3, m = 5, k = 7, n = 4;
        double[] a = Check.toDoubles(Check.toFloats(Check.uniform(g, batches * m * k, -1, 1)));
        double[] w = Check.toDoubles(Check.toFloats(Check.uniform(g, k * n, -1, 1)));
        try (MemoryScope s = MemoryScope.open()) {
            // [B, M, K] @ [K, N] -> [B, M, N]: the weight is shared by every batch.
            Tensor c = Tensor.fromArray(Check.toFloats(a), batches, m, k).matmul(Tensor.fromArray(Check.toFloats(w), k, n));
            assertEquals(Shape.of(batches, m, n), c.shape());
            double[] got = c.toDoubleArray();
            for (int bi = 0; bi < batches; bi++) {
                double[] slice = Arrays.copyOfRange(a, bi * m * k, (bi + 1) * m * k);
                assertWithin(oracle(slice, w, m, k, n, 0x1.0p-24), Arrays.copyOfRange(got, bi * m * n, (bi + 1) * m * n), "batch " + bi);
            }

            // [B, 1, M, K] @ [C, K, N] -> [B, C, M, N]
            int cCount = 2;
            double[] right = Check.toDoubles(Check.toFloats(Check.uniform(g, cCount * k * n, -1, 1)));
            Tensor d = Tensor.fromArray(Check.toFloats(a), batches, 1, m, k).matmul(Tensor.fromArray(Check.toFloats(right), cCount, k, n));
            assertEquals(Shape.of(batches, cCount, m, n), d.shape());
            double[] dGot = d.toDoubleArray();
            for (int bi = 0; bi < batches; bi++) {
                for (int ci = 0; ci < cCount; ci++) {
                    double[] left = Arrays.copyOfRange(a, bi * m * k, (bi + 1) * m * k);
                    double[] r = Arrays.copyOfRange(right, ci * k * n, (ci + 1) * k * n);
                    int at = (bi * cCount + ci) * m * n;
                    assertWithin(oracle(left, r, m, k, n, 0x1.0p-24), Arrays.copyOfRange(dGot, at, at + m * n),
                            "batch " + bi + ", " + ci);
                }
            }

            // A batch of transposed matrices: [B, K, M] viewed as [B, M, K].
            Tensor stored = Tensor.fromArray(Check.toFloats(a), batches, m, k).transpose(1, 2).contiguous();
            Tensor again = stored.transpose(1, 2).matmul(Tensor.fromArray(Check.toFloats(w), k, n));
            assertArrayEquals(c.toFloatArray(), again.toFloatArray(), 0, "same product from a transposed batch");
        }
    }

    @Test
    void vectorsArePromotedAndTheirAxisRemoved() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor m = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor v3 = Tensor.fromArray(new float[] {1, 0, -1}, 3);
            Tensor v2 = Tensor.fromArray(new float[] {2, -1}, 2);
            Tensor mv = m.matmul(v3);                    // [2,3] @ [3] -> [2]
            assertEquals(Shape.of(2), mv.shape());
            assertArrayEquals(new float[] {-2, -2}, mv.toFloatArray());
            Tensor vm = v2.matmul(m);                    // [2] @ [2,3] -> [3]
            assertEquals(Shape.of(3), vm.shape());
            assertArrayEquals(new float[] {-2, -1, 0}, vm.toFloatArray());
            Tensor dot = v3.matmul(Tensor.fromArray(new float[] {4, 5, 6}, 3));   // [3] @ [3] -> []
            assertEquals(0, dot.rank());
            assertEquals(-2, dot.item(), 0.0);
            Tensor batchVec = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 3).matmul(v3);
            assertEquals(Shape.of(2, 2), batchVec.shape());
            assertArrayEquals(new float[] {-2, -2, -2, -2}, batchVec.toFloatArray());
            Tensor vecBatch = v2.matmul(Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 3));
            assertEquals(Shape.of(2, 3), vecBatch.shape());
            assertArrayEquals(new float[] {-2, -1, 0, 4, 5, 6}, vecBatch.toFloatArray());
            Tensor dot64 = Tensor.fromArray(new double[] {0.5, 0.25}, 2).matmul(Tensor.fromArray(new double[] {2, 4}, 2));
            assertEquals(DType.FLOAT64, dot64.dtype());
            assertEquals(2.0, dot64.item(), 0.0);
        }
    }

    @Test
    void emptyInnerDimensionGivesZerosAndEmptyOuterGivesEmpty() {
        try (MemoryScope s = MemoryScope.open()) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor c = Tensor.zeros(dtype, 2, 0).matmul(Tensor.zeros(dtype, 0, 3));
                assertEquals(Shape.of(2, 3), c.shape());
                // The output memory is fresh (undefined) until the product writes it: it must be written.
                assertArrayEquals(new double[6], c.toDoubleArray(), dtype.toString());
                assertEquals(Shape.of(0, 3), Tensor.zeros(dtype, 0, 4).matmul(Tensor.zeros(dtype, 4, 3)).shape());
            }
        }
    }

    @Test
    void broadcastRowsWithStrideZeroMultiplyCorrectly() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor row = Tensor.fromArray(new float[] {1, 2, 3}, 1, 3).expand(4, 3);    // stride 0 between rows
            Tensor b = Tensor.fromArray(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
            assertArrayEquals(new float[] {4, 5, 4, 5, 4, 5, 4, 5}, row.matmul(b).toFloatArray());
        }
    }

    /**
     * linear(w, b) is matmul(wᵀ) + b, and linearRelu(w, b) its relu: the same values, and the same
     * gradients (dw in w's own layout).
     */
    @Test
    void linearIsMatmulOfTheTransposePlusBias() {
        Generator g = new Generator(46);
        for (int[] dims : new int[][] {{5, 7}, {2, 3, 33}, {1, 130}, {0, 4}}) {
            for (int variant = 0; variant < 4; variant++) {
                boolean withBias = variant % 2 == 0, relu = variant >= 2;
                try (MemoryScope s = MemoryScope.open()) {
                    int in = dims[dims.length - 1], out = 9;
                    Tensor x = Tensor.randn(g, dims).requiresGrad(true);
                    Tensor w = Tensor.randn(g, out, in).requiresGrad(true);
                    Tensor b = withBias ? Tensor.randn(g, out).requiresGrad(true) : null;
                    Tensor fused = relu ? x.linearRelu(w, b) : x.linear(w, b);
                    Tensor upstream = Tensor.randn(g, fused.dims());
                    fused.backward(upstream);
                    float[][] fast = {fused.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray()};
                    assertTrue(w.grad().isContiguous(), "dw comes back as [out, in], not a transposed view");
                    float[] biasGrad = withBias ? b.grad().toFloatArray() : null;
                    x.setGrad(null);
                    w.setGrad(null);
                    if (withBias) {
                        b.setGrad(null);
                    }
                    Tensor product = x.matmul(w.t());
                    Tensor shifted = withBias ? product.add(b) : product;
                    Tensor plain = relu ? shifted.relu() : shifted;
                    plain.backward(upstream);
                    String what = Arrays.toString(dims) + (withBias ? " with bias" : "") + (relu ? ", relu" : "");
                    // Sums of up to 130 products of normal values, in another blocking: 1e-4 is far above rounding.
                    Check.assertAllClose(Check.toDoubles(plain.toFloatArray()), fast[0], 1e-4, 1e-5, what + " y");
                    Check.assertAllClose(Check.toDoubles(x.grad().toFloatArray()), fast[1], 1e-4, 1e-5, what + " dx");
                    Check.assertAllClose(Check.toDoubles(w.grad().toFloatArray()), fast[2], 1e-4, 1e-5, what + " dw");
                    if (withBias) {
                        Check.assertAllClose(Check.toDoubles(b.grad().toFloatArray()), biasGrad, 1e-4, 1e-5, what + " db");
                    }
                }
            }
        }
        try (MemoryScope s = MemoryScope.open()) {
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).linear(Tensor.zeros(4, 5), null),
                    "linear", "[2, 3]", "[4, 5]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).linear(Tensor.zeros(4, 3), Tensor.zeros(3)),
                    "linear", "bias", "[3]", "[4]");
        }
    }

    /** Views that are not contiguous (a transposed input and weight, a strided bias) give the values of their contiguous copies. */
    @Test
    void linearReadsOperandsThatAreNotContiguous() {
        Generator g = new Generator(47);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.randn(g, 33, 5).t(), w = Tensor.randn(g, 33, 9).t(), b = Tensor.randn(g, 18).slice(0, 0, 18, 2);
            assertFalse(x.isContiguous() || w.isContiguous() || b.isContiguous(), "the operands are views");
            float[] expected = x.contiguous().linearRelu(w.contiguous(), b.contiguous()).toFloatArray();
            assertArrayEquals(expected, x.linearRelu(w, b).toFloatArray());
        }
    }

    @Test
    void simdAndScalarKernelsAgreeWithinTheBound() {
        Generator g = new Generator(45);
        int m = 65, k = 129, n = 257;
        double[] a = Check.toDoubles(Check.toFloats(Check.uniform(g, m * k, -1, 1)));
        double[] b = Check.toDoubles(Check.toFloats(Check.uniform(g, k * n, -1, 1)));
        double[][] expected = oracle(a, b, m, k, n, 0x1.0p-24);
        boolean before = Simd.enabled();
        try (MemoryScope s = MemoryScope.open()) {
            Tensor ta = Tensor.fromArray(Check.toFloats(a), m, k);
            Tensor tb = Tensor.fromArray(Check.toFloats(b), k, n);
            Simd.setEnabled(true);
            double[] simd = ta.matmul(tb).toDoubleArray();
            Simd.setEnabled(false);
            double[] scalar = ta.matmul(tb).toDoubleArray();
            assertWithin(expected, simd, "SIMD");
            assertWithin(expected, scalar, "scalar reference");
            // Both within the bound of the exact product, so within twice the bound of each other.
            for (int i = 0; i < simd.length; i++) {
                Check.assertClose(scalar[i], simd[i], 2 * expected[1][i], 0, "SIMD vs scalar at " + i);
            }
        } finally {
            Simd.setEnabled(before);
        }
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        Generator g = new Generator(46);
        int size = 300;
        float[] a = Check.toFloats(Check.uniform(g, size * size, -1, 1));
        float[] b = Check.toFloats(Check.uniform(g, size * size, -1, 1));
        int before = Parallel.threads();
        try (MemoryScope s = MemoryScope.open()) {
            Tensor ta = Tensor.fromArray(a, size, size);
            Tensor tb = Tensor.fromArray(b, size, size);
            Parallel.setThreads(1);
            float[] one = ta.matmul(tb).toFloatArray();
            Parallel.setThreads(2);
            float[] two = ta.matmul(tb).toFloatArray();
            Check.assertBitIdentical(one, two, "300x300 matmul, 1 vs 2 threads");
        } finally {
            Parallel.setThreads(before);
        }
    }
}

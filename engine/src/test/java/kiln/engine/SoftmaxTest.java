package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * Softmax and log-softmax against a double reference, along every axis.
 *
 * <p>Tolerances, with u = 2⁻²⁴ (float32) or 2⁻⁵³ (float64), n the row length, d = |x_j − max| and
 * L = |log Σ e^(x−max)|:
 * <ul>
 *   <li>softmax y_j = e^(x_j − m)/s: x_j − m rounds by u·d, which e^ turns into a relative u·d; exp
 *       adds 1 ulp (2u); s, a sum of n positive terms, is within (n + 2)·u relative; 1/s and the
 *       product round twice more: relative (n + 6 + d + L)·u (L for float64, whose path exponentiates
 *       x − log-sum-exp directly).</li>
 *   <li>log-softmax (x_j − m) − log s: absolute (n + 4)·u from log s, and a few roundings relative
 *       to the magnitudes involved: 4·u·(d + |y_j| + L).</li>
 * </ul>
 */
class SoftmaxTest {

    /** Reference softmax (or log-softmax) along {@code axis} of row-major {@code x} with {@code dims}, and tolerances. */
    private static double[][] reference(double[] x, int[] dims, int axis, boolean log, double u) {
        int size = dims[axis];
        double[] out = new double[x.length];
        double[] tolerance = new double[x.length];
        long inner = 1;
        for (int a = axis + 1; a < dims.length; a++) {
            inner *= dims[a];
        }
        long outer = x.length / Math.max(1, size * inner);
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                long base = o * size * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < size; j++) {
                    m = Math.max(m, x[(int) (base + j * inner)]);
                }
                double s = 0;
                for (int j = 0; j < size; j++) {
                    s += Math.exp(x[(int) (base + j * inner)] - m);
                }
                double logS = Math.log(s);
                double lse = Math.abs(m + logS);
                for (int j = 0; j < size; j++) {
                    int at = (int) (base + j * inner);
                    double d = Math.abs(x[at] - m);
                    if (log) {
                        out[at] = (x[at] - m) - logS;
                        tolerance[at] = (size + 4) * u + 4 * u * (d + Math.abs(out[at]) + lse);
                    } else {
                        out[at] = Math.exp(x[at] - m) / s;
                        tolerance[at] = (size + 6 + d + lse) * u * out[at];
                    }
                }
            }
        }
        return new double[][] {out, tolerance};
    }

    private static void check(double[] x, int[] dims, int axis, DType dtype, String what) {
        int a = axis < 0 ? axis + dims.length : axis;
        double u = dtype == DType.FLOAT32 ? 0x1.0p-24 : 0x1.0p-53;
        try (MemoryScope s = MemoryScope.open()) {
            Tensor t = Tensor.fromArray(x, dims).to(dtype);
            for (boolean log : new boolean[] {false, true}) {
                Tensor y = log ? t.logSoftmax(axis) : t.softmax(axis);
                assertEquals(dtype, y.dtype());
                assertEquals(t.shape(), y.shape());
                assertTrue(y.isContiguous(), "the result is laid out row-major");
                double[][] ref = reference(x, dims, a, log, u);
                double[] got = y.toDoubleArray();
                for (int i = 0; i < got.length; i++) {
                    Check.assertClose(ref[0][i], got[i], ref[1][i], 0,
                            (log ? "logSoftmax " : "softmax ") + what + " " + dtype + " axis " + axis + " at " + i);
                }
            }
        }
    }

    @Test
    void alongEachAxisOfA3dTensor() {
        Generator g = new Generator(51);
        int[] dims = {3, 17, 5};
        double[] x = Check.toDoubles(Check.toFloats(Check.uniform(g, 3 * 17 * 5, -4, 4)));
        for (int axis = -3; axis < 3; axis++) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                check(x, dims, axis, dtype, Arrays.toString(dims));
            }
        }
    }

    @Test
    void awkwardRowLengthsIncludingOneLongerThanABlock() {
        Generator g = new Generator(52);
        for (int n : new int[] {1, 15, 16, 17, 1009, 40_000}) {
            int rows = n > 1000 ? 2 : 3;
            double[] x = Check.toDoubles(Check.toFloats(Check.uniform(g, rows * n, -5, 5)));
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                check(x, new int[] {rows, n}, 1, dtype, "rows of " + n);
            }
        }
    }

    @Test
    void rowsSumToOne() {
        Generator g = new Generator(53);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.randn(g, 7, 33).mul(3);
            Tensor sums = x.softmax(-1).sum(-1, false);
            // Each of 33 outputs within (33 + 6 + d)·u relative (d ≤ 20 here), summed: ≈ 60·u·1, plus the sum's own 33·u.
            for (double v : sums.toDoubleArray()) {
                assertEquals(1.0, v, 100 * Check.EPS32);
            }
            Tensor cols = x.softmax(0).sum(0, false);
            for (double v : cols.toDoubleArray()) {
                assertEquals(1.0, v, 100 * Check.EPS32);
            }
            Tensor logSums = x.logSoftmax(1).exp().sum(1, false);
            for (double v : logSums.toDoubleArray()) {
                assertEquals(1.0, v, 200 * Check.EPS32);
            }
        }
    }

    @Test
    void largeInputsDoNotOverflow() {
        try (MemoryScope s = MemoryScope.open()) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor big = Tensor.fromArray(new double[] {1000, 1001, 1002, -1000, -1001, -1002}, 2, 3).to(dtype);
                double z = 1 + Math.exp(-1) + Math.exp(-2);
                double[] expected = {Math.exp(-2) / z, Math.exp(-1) / z, 1 / z, 1 / z, Math.exp(-1) / z, Math.exp(-2) / z};
                Check.assertAllClose(expected, big.softmax(1).toDoubleArray(), 0, 1e-6, "softmax " + dtype);
                double[] logExpected = Arrays.stream(expected).map(Math::log).toArray();
                // x − m is exact here; the log-sum is ≈ 0.41, so absolute errors of a few u.
                Check.assertAllClose(logExpected, big.logSoftmax(1).toDoubleArray(), 1e-6, 0, "logSoftmax " + dtype);
                Tensor spread = Tensor.fromArray(new double[] {0, 200}, 2).to(dtype);
                double[] p = spread.softmax(0).toDoubleArray();
                assertEquals(1.0, p[1], 0.0);
                assertTrue(p[0] >= 0 && p[0] < 1e-80, "e^-200 underflows to (nearly) zero: " + p[0]);
                assertArrayEquals(new double[] {-200, 0}, spread.logSoftmax(0).toDoubleArray(), 1e-5,
                        "log-softmax keeps the tiny probability's log");
            }
        }
    }

    @Test
    void scalarAndSingletonAxes() {
        try (MemoryScope s = MemoryScope.open()) {
            assertEquals(1.0, Tensor.scalar(3).softmax(0).item(), 0.0);
            assertEquals(0.0, Tensor.scalar(3).logSoftmax(-1).item(), 0.0);
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3}, 3, 1);
            assertArrayEquals(new float[] {1, 1, 1}, x.softmax(1).toFloatArray());
            assertEquals(Shape.of(3, 0), Tensor.zeros(3, 0).softmax(1).shape());
            assertEquals(Shape.of(0, 4), Tensor.zeros(DType.FLOAT64, 0, 4).logSoftmax(0).shape());
        }
    }

    /**
     * Strided inputs read the same values. Compared with tolerance, not bit for bit: two separate calls
     * may run the SIMD exp before and after the JIT compiles it (see DeterminismTest), an ulp apart.
     * Each call is within the bounds of the class comment; rows of n ≤ 20 values of randn (d < 10, |y| < 15):
     * softmax within (20 + 6 + 10)·u relative, log-softmax within (20 + 4)·u + 4·u·25 absolute, each; twice that between two calls.
     */
    @Test
    void stridedInputsGiveTheSameResultAsContiguousOnes() {
        Generator g = new Generator(54);
        double u = 0x1.0p-24;
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.randn(g, 9, 20);
            Tensor viaTranspose = x.t().contiguous().t();
            assertTrue(!viaTranspose.isContiguous());
            double[] softmax = x.softmax(1).toDoubleArray();
            Check.assertAllClose(softmax, viaTranspose.softmax(1).toDoubleArray(), 0, 2 * 36 * u, "softmax of a transposed copy");
            Check.assertAllClose(x.logSoftmax(0).toDoubleArray(), viaTranspose.logSoftmax(0).toDoubleArray(), 2 * 124 * u, 0,
                    "logSoftmax of a transposed copy");
            Tensor every2nd = x.slice(1, 0, 20, 2);
            Check.assertAllClose(every2nd.contiguous().softmax(1).toDoubleArray(), every2nd.softmax(1).toDoubleArray(), 0, 2 * 36 * u,
                    "softmax of every other column");
        }
    }
}

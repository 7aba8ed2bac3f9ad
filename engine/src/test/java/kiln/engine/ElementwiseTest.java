package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleBinaryOperator;
import java.util.function.UnaryOperator;

import kiln.kernels.cpu.Simd;
import org.junit.jupiter.api.Test;

/**
 * Elementwise ops. float32 runs through the SIMD kernels (or their scalar references), float64 through
 * plain double loops, so the float64 result of the same op on the same values is the reference for
 * float32. Tolerances, in ulps of the float32 result (see {@link Check#assertUlps}):
 * <ul>
 *   <li>NEG, ABS, RELU, CLAMP, MAX, MIN: exact, 0 ulp.</li>
 *   <li>SQRT, and ADD/SUB/MUL/DIV: one correctly rounded operation, 0.5 ulp (double rounding through
 *       double is harmless: 53 ≥ 2·24 + 2).</li>
 *   <li>EXP, LOG, TANH: the kernels' own vector exp/log/tanh, measured over every float at 0.89, 0.94
 *       and 0.98 ulp: ≤ 1 ulp. POW: the scalar reference on both paths, 0.5 ulp (allow 1).</li>
 *   <li>SIN, COS: the reduction r = x − q·π/2 rounds r once (half an ulp of r, up to a whole ulp of
 *       sin r just below a power of two), then the polynomial and the final rounding: measured 1.67
 *       and 1.81 ulp over every float, ≤ 2 ulp.</li>
 *   <li>RSQRT = 1/√x in float: two correctly rounded ops, relative error ≤ 2·2⁻²⁴, ≤ 2 ulp.</li>
 *   <li>SIGMOID = 1/(1 + e) or e/(1 + e), e = e^−|x|, in float: exp's 1 ulp (2⁻²³) carries through
 *       1 + e scaled by at most 1, plus two roundings of 2⁻²⁴: relative ≤ 2⁻²², ≤ 4 ulp.</li>
 *   <li>GELU in float: about twenty float roundings on the path (t = 1/(1 + q·u), a degree-10
 *       Horner polynomial, exp and its correction, three products, x − x·Φ(−u)), each ≤ 2⁻²⁴
 *       relative on a well-conditioned sum, plus the fit's 5.3e-9: ≤ 20 ulp.</li>
 *   <li>With SIMD off, every float32 op is its scalar reference: computed in double and rounded once,
 *       0.5 ulp (GELU: plus its 5.3e-9 relative fit error, ≤ 0.09 ulp).</li>
 * </ul>
 */
class ElementwiseTest {

    private static final int[] AWKWARD_SIZES = {1, 15, 16, 17, 1009};

    /** One unary op: how to apply it, where its inputs come from, and its float32 tolerance (SIMD, then scalar). */
    private record Unary(String name, UnaryOperator<Tensor> op, double lo, double hi, double simdUlps, double scalarUlps) {}

    private static final Unary[] UNARY = {
        new Unary("neg", Tensor::neg, -100, 100, 0, 0),
        new Unary("abs", Tensor::abs, -100, 100, 0, 0),
        new Unary("exp", Tensor::exp, -20, 20, 1, 0.5),
        new Unary("log", Tensor::log, 1e-3, 1e3, 1, 0.5),
        new Unary("sqrt", Tensor::sqrt, 0, 100, 0.5, 0.5),
        new Unary("rsqrt", Tensor::rsqrt, 1e-3, 100, 2, 0.5),
        new Unary("tanh", Tensor::tanh, -10, 10, 1, 0.5),
        new Unary("sigmoid", Tensor::sigmoid, -30, 30, 4, 0.5),
        new Unary("relu", Tensor::relu, -5, 5, 0, 0),
        new Unary("gelu", Tensor::gelu, -12, 12, 20, 0.6),
        new Unary("sin", Tensor::sin, -20, 20, 2, 0.5),
        new Unary("cos", Tensor::cos, -20, 20, 2, 0.5),
        // Exponents that float32 holds exactly, so the float32 op and the float64 reference compute the same power.
        new Unary("pow(2)", t -> t.pow(2), -10, 10, 0.5, 0.5),
        new Unary("pow(3)", t -> t.pow(3), -10, 10, 1, 0.5),
        new Unary("pow(0.5)", t -> t.pow(0.5), 0, 10, 0.5, 0.5),
        new Unary("pow(-1)", t -> t.pow(-1), 0.1, 10, 0.5, 0.5),
        new Unary("pow(1.75)", t -> t.pow(1.75), 0.01, 10, 1, 0.5),
        new Unary("pow(-2.5)", t -> t.pow(-2.5), 0.1, 10, 1, 0.5),
        new Unary("clamp", t -> t.clamp(-0.5, 2.25), -5, 5, 0, 0),
    };

    /** Runs op on float32 and float64 tensors holding the same values; checks float32 against float64. */
    private static void checkAgainstFloat64(Unary u, float[] values, int[] dims, boolean transposed, double ulps, String what) {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x32 = Tensor.fromArray(values, dims);
            Tensor x64 = Tensor.fromArray(Check.toDoubles(values), dims);
            if (transposed) {
                x32 = x32.t();
                x64 = x64.t();
            }
            Tensor y32 = u.op().apply(x32);
            Tensor y64 = u.op().apply(x64);
            assertEquals(DType.FLOAT32, y32.dtype());
            assertEquals(DType.FLOAT64, y64.dtype());
            assertEquals(x32.shape(), y32.shape());
            Check.assertUlps(y64.toDoubleArray(), y32.toFloatArray(), ulps, u.name() + " " + what);
        }
    }

    @Test
    void everyUnaryOpInFloat32MatchesFloat64OnAwkwardSizes() {
        Generator g = new Generator(11);
        for (Unary u : UNARY) {
            for (int n : AWKWARD_SIZES) {
                float[] x = Check.toFloats(Check.uniform(g, n, u.lo(), u.hi()));
                checkAgainstFloat64(u, x, new int[] {n}, false, u.simdUlps(), "n=" + n);
            }
        }
    }

    @Test
    void everyUnaryOpReadsStridedInputs() {
        Generator g = new Generator(12);
        for (Unary u : UNARY) {
            for (int[] dims : new int[][] {{17, 33}, {1, 16}, {64, 3}}) {
                float[] x = Check.toFloats(Check.uniform(g, dims[0] * dims[1], u.lo(), u.hi()));
                checkAgainstFloat64(u, x, dims, true, u.simdUlps(), "transposed " + dims[0] + "x" + dims[1]);
            }
        }
    }

    @Test
    void scalarReferencesAreCorrectlyRoundedWithSimdOff() {
        Generator g = new Generator(13);
        boolean before = Simd.enabled();
        try {
            Simd.setEnabled(false);
            for (Unary u : UNARY) {
                float[] x = Check.toFloats(Check.uniform(g, 1009, u.lo(), u.hi()));
                checkAgainstFloat64(u, x, new int[] {1009}, false, u.scalarUlps(), "scalar reference");
            }
        } finally {
            Simd.setEnabled(before);
        }
    }

    @Test
    void float64UnaryOpsMatchJavaMath() {
        double[] x = {0.3, 1.7, 2.5, 9.0};
        try (MemoryScope s = MemoryScope.open()) {
            Tensor t = Tensor.fromArray(x, 4);
            double[] exp = t.exp().toDoubleArray();
            double[] log = t.log().toDoubleArray();
            double[] tanh = t.tanh().toDoubleArray();
            double[] sin = t.sin().toDoubleArray();
            double[] pow = t.pow(1.3).toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.exp(x[i]), exp[i], 0.0);
                assertEquals(Math.log(x[i]), log[i], 0.0);
                assertEquals(Math.tanh(x[i]), tanh[i], 0.0);
                assertEquals(Math.sin(x[i]), sin[i], 0.0);
                assertEquals(Math.pow(x[i], 1.3), pow[i], 0.0);
            }
        }
    }

    /**
     * Hand-worked values. GELU(x) = x·Φ(x): Φ(1) = 0.8413447460685429, Φ(−1) = 0.15865525393145707,
     * Φ(−3) = 1.3498980316300957e-3, Φ(−5) = 2.866515718791946e-7, Φ(−10) = 7.619853024160593e-24
     * (from erfc, e.g. Python's math.erfc(-x/√2)/2). The far left tail checks that the float64
     * reference keeps its relative accuracy where 1 + erf(x/√2) cancels to nothing.
     */
    @Test
    void handWorkedValues() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x64 = Tensor.fromArray(new double[] {1, -1, 0, -3, -5, -10}, 6);
            double[] expected = {0.8413447460685429, -0.15865525393145707, 0, -3 * 1.3498980316300957e-3,
                -5 * 2.866515718791946e-7, -10 * 7.619853024160593e-24};
            // float64 GELU: the reference itself, to 1e-12 relative (ScalarOps.erfc is better than 2e-11).
            Check.assertAllClose(expected, x64.gelu().toDoubleArray(), 0, 1e-12, "float64 gelu");
            Tensor x32 = x64.to(DType.FLOAT32);
            Check.assertAllClose(expected, x32.gelu().toFloatArray(), 0, 20 * Check.EPS32, "float32 gelu");
            assertEquals(0.8413447f, Tensor.scalar(1).gelu().item(), 2e-7);

            assertEquals(0.5, Tensor.scalar(0).sigmoid().item(), 0.0);
            assertEquals(1 / (1 + Math.exp(-2.0)), Tensor.scalar(2).sigmoid().item(), 4 * Math.ulp(0.88f));
            assertEquals(1.0, Tensor.scalar(100).sigmoid().item(), 0.0);
            // 1/(1 + e^100) ≈ 3.7e-44 lies below float32's normal range: 0 or that tiny value are both right.
            assertEquals(0.0, Tensor.scalar(-100).sigmoid().item(), Float.MIN_NORMAL);
            assertEquals(1.0, Tensor.scalar(0).exp().item(), 0.0);
            assertEquals(Math.E, Tensor.scalar(1, DType.FLOAT64).exp().item(), 0.0);
            assertEquals(Double.NEGATIVE_INFINITY, Tensor.scalar(0).log().item(), 0.0);
            assertTrue(Double.isNaN(Tensor.scalar(-1).log().item()));
            assertTrue(Double.isNaN(Tensor.scalar(-4).sqrt().item()));
            assertEquals(0.5, Tensor.scalar(4).rsqrt().item(), 0.0);
            assertEquals(Double.POSITIVE_INFINITY, Tensor.scalar(0).rsqrt().item(), 0.0);
            assertEquals(0.0, Tensor.scalar(-3).relu().item(), 0.0);
            assertTrue(Double.isNaN(Tensor.scalar(Double.NaN).relu().item()), "relu keeps NaN");
            assertEquals(-1.0, Tensor.scalar(-20).tanh().item(), 0.0);
            assertEquals(0.0, Tensor.scalar(0).sin().item(), 0.0);
            assertEquals(1.0, Tensor.scalar(0).cos().item(), 0.0);
            assertEquals(8.0, Tensor.scalar(2).pow(3).item(), 0.0);
            assertEquals(-8.0, Tensor.scalar(-2).pow(3).item(), 0.0);
            assertEquals(3.0, Tensor.scalar(9).pow(0.5).item(), 0.0);
        }
    }

    @Test
    void clampBoundsEveryValueAndKeepsNaN() {
        try (MemoryScope s = MemoryScope.open()) {
            float[] values = {-3, -1, 0, 0.5f, 1, 7, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
            float[] expected = {-1, -1, 0, 0.5f, 1, 2, Float.NaN, -1, 2};
            for (int n : new int[] {values.length, 64 + 9}) {
                float[] x = new float[n];
                float[] want = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = values[i % values.length];
                    want[i] = expected[i % values.length];
                }
                assertArrayEquals(want, Tensor.fromArray(x, n).clamp(-1, 2).toFloatArray(), "n=" + n);
            }
            assertArrayEquals(new int[] {-1, -1, 0, 2, 2}, Tensor.fromArray(new int[] {-5, -1, 0, 2, 9}, 5).clamp(-1, 2).toIntArray());
            assertEquals(DType.INT32, Tensor.fromArray(new int[] {1}, 1).clamp(0, 1).dtype());
            assertArrayEquals(new double[] {0.25, 0.5}, Tensor.fromArray(new double[] {0.1, 0.9}, 2).clamp(0.25, 0.5).toDoubleArray());
        }
    }

    @Test
    void integerUnaryOps() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor i = Tensor.fromArray(new int[] {-3, 0, 4}, 3);
            assertEquals(DType.INT32, i.neg().dtype());
            assertArrayEquals(new int[] {3, 0, -4}, i.neg().toIntArray());
            assertArrayEquals(new int[] {3, 0, 4}, i.abs().toIntArray());
            assertArrayEquals(new int[] {0, 0, 4}, i.relu().toIntArray());
            Tensor e = i.exp();
            assertEquals(DType.FLOAT32, e.dtype(), "transcendental functions of integers are float32, as in PyTorch");
            assertArrayEquals(new float[] {(float) Math.exp(-3), 1, (float) Math.exp(4)}, e.toFloatArray());
            Tensor l = Tensor.fromArray(new long[] {Long.MAX_VALUE, -5}, 2);
            assertArrayEquals(new long[] {-Long.MAX_VALUE, 5}, l.neg().toLongArray());
            // As PyTorch: an integral power keeps integers (like pow(Tensor) does); a fractional one gives float32.
            assertEquals(DType.INT32, i.pow(2).dtype());
            assertArrayEquals(new int[] {9, 0, 16}, i.pow(2).toIntArray());
            assertArrayEquals(new long[] {1L << 62, 1}, Tensor.fromArray(new long[] {2, 1}, 2).pow(62).toLongArray());
            assertEquals(DType.FLOAT32, i.pow(0.5).dtype());
            assertArrayEquals(new float[] {Float.NaN, 0, 2}, i.pow(0.5).toFloatArray());
            Check.assertThrowsWith(IllegalArgumentException.class, () -> i.pow(-1), "pow", "negative");
        }
    }

    // ---------------------------------------------------------------- binary ops and broadcasting

    private record Binary(String name, java.util.function.BinaryOperator<Tensor> op, DoubleBinaryOperator reference, double ulps) {}

    private static final Binary[] BINARY = {
        new Binary("add", Tensor::add, (a, b) -> a + b, 0.5),
        new Binary("sub", Tensor::sub, (a, b) -> a - b, 0.5),
        new Binary("mul", Tensor::mul, (a, b) -> a * b, 0.5),
        new Binary("div", Tensor::div, (a, b) -> a / b, 0.5),
        new Binary("pow", Tensor::pow, Math::pow, 1),
        new Binary("maximum", Tensor::maximum, Math::max, 0),
        new Binary("minimum", Tensor::minimum, Math::min, 0),
    };

    /** Shapes that broadcast: [2,3]+[3], [2,1]+[1,3], a scalar, [4,1,3]+[2,3], and a few awkward ones. */
    private static final int[][][] BROADCAST_PAIRS = {
        {{2, 3}, {3}},
        {{2, 1}, {1, 3}},
        {{2, 3}, {}},
        {{}, {5}},
        {{4, 1, 3}, {2, 3}},
        {{17}, {17}},
        {{1009}, {1}},
        {{3, 1, 17}, {1, 5, 1}},
        {{33, 2}, {33, 1}},
    };

    /**
     * Each binary op with NumPy broadcasting, in float32 and float64, against explicit loops over the
     * output coordinates in double (the oracle maps coordinates to inputs itself; no stride-0 views).
     */
    @Test
    void binaryOpsBroadcastLikeNumPy() {
        Generator g = new Generator(21);
        for (Binary b : BINARY) {
            for (int[][] pair : BROADCAST_PAIRS) {
                int[] aDims = pair[0];
                int[] bDims = pair[1];
                // Positive operands keep pow real; b away from 0 keeps div finite.
                double[] a = Check.uniform(g, (int) Check.numel(aDims), 0.5, 3);
                double[] c = Check.uniform(g, (int) Check.numel(bDims), 0.5, 3);
                float[] a32 = Check.toFloats(a);
                float[] c32 = Check.toFloats(c);
                int[] outDims = Shape.broadcast("test", Shape.of(aDims), Shape.of(bDims)).toArray();
                double[] expected = new double[(int) Check.numel(outDims)];
                for (int flat = 0; flat < expected.length; flat++) {
                    int[] index = Check.unravel(flat, outDims);
                    expected[flat] = b.reference().applyAsDouble(a32[(int) Check.broadcastSource(index, aDims)],
                            c32[(int) Check.broadcastSource(index, bDims)]);
                }
                String what = b.name() + " " + java.util.Arrays.toString(aDims) + " with " + java.util.Arrays.toString(bDims);
                try (MemoryScope s = MemoryScope.open()) {
                    Tensor r32 = b.op().apply(Tensor.fromArray(a32, aDims), Tensor.fromArray(c32, bDims));
                    assertArrayEquals(outDims, r32.dims(), what);
                    assertEquals(DType.FLOAT32, r32.dtype());
                    Check.assertUlps(expected, r32.toFloatArray(), b.ulps(), what + " float32");
                    Tensor r64 = b.op().apply(Tensor.fromArray(Check.toDoubles(a32), aDims), Tensor.fromArray(Check.toDoubles(c32), bDims));
                    assertEquals(DType.FLOAT64, r64.dtype());
                    Check.assertAllClose(expected, r64.toDoubleArray(), 0, 0, what + " float64");
                    // Swapped operands broadcast the same way.
                    Tensor swapped = b.op().apply(Tensor.fromArray(c32, bDims), Tensor.fromArray(a32, aDims));
                    assertArrayEquals(outDims, swapped.dims(), what + " swapped");
                }
            }
        }
    }

    @Test
    void binaryOpsReadStridedOperands() {
        Generator g = new Generator(22);
        try (MemoryScope s = MemoryScope.open()) {
            float[] a = Check.toFloats(Check.uniform(g, 40 * 17, -2, 2));
            float[] b = Check.toFloats(Check.uniform(g, 17 * 40, -2, 2));
            Tensor at = Tensor.fromArray(a, 40, 17).t();          // [17, 40], strides [1, 17]
            Tensor bt = Tensor.fromArray(b, 17, 40);
            float[] sum = at.add(bt).toFloatArray();
            float[] product = at.mul(bt.slice(1, 0, 40, 1)).toFloatArray();
            for (int i = 0; i < 17; i++) {
                for (int j = 0; j < 40; j++) {
                    assertEquals(a[j * 17 + i] + b[i * 40 + j], sum[i * 40 + j], 0.0f);
                    assertEquals(a[j * 17 + i] * b[i * 40 + j], product[i * 40 + j], 0.0f);
                }
            }
            // Every other column of a matrix minus a broadcast column.
            Tensor m = Tensor.fromArray(b, 17, 40).slice(1, 0, 40, 2);
            Tensor col = Tensor.fromArray(a, 40, 17).select(1, 3).narrow(0, 0, 17).unsqueeze(1);
            float[] diff = m.sub(col).toFloatArray();
            for (int i = 0; i < 17; i++) {
                for (int j = 0; j < 20; j++) {
                    assertEquals(b[i * 40 + 2 * j] - a[i * 17 + 3], diff[i * 20 + j], 0.0f);
                }
            }
        }
    }

    @Test
    void maximumAndMinimumPropagateNaN() {
        try (MemoryScope s = MemoryScope.open()) {
            for (int n : new int[] {3, 35}) {
                float[] a = new float[n];
                float[] b = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = i % 3 == 0 ? Float.NaN : i;
                    b[i] = i % 3 == 1 ? Float.NaN : -i;
                }
                float[] max = Tensor.fromArray(a, n).maximum(Tensor.fromArray(b, n)).toFloatArray();
                float[] min = Tensor.fromArray(a, n).minimum(Tensor.fromArray(b, n)).toFloatArray();
                for (int i = 0; i < n; i++) {
                    boolean nan = i % 3 != 2;
                    assertEquals(nan, Float.isNaN(max[i]), "max at " + i);
                    assertEquals(nan, Float.isNaN(min[i]), "min at " + i);
                }
            }
            double[] max64 = Tensor.fromArray(new double[] {Double.NaN, 1}, 2).maximum(Tensor.fromArray(new double[] {2, 3}, 2)).toDoubleArray();
            assertTrue(Double.isNaN(max64[0]));
            assertEquals(3.0, max64[1], 0.0);
        }
    }

    @Test
    void integerArithmeticIsExactAndWraps() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = Tensor.fromArray(new int[] {7, -7, 100_000, Integer.MAX_VALUE}, 4);
            Tensor b = Tensor.fromArray(new int[] {2, 2, 100_000, 1}, 4);
            assertArrayEquals(new int[] {9, -5, 200_000, Integer.MIN_VALUE}, a.add(b).toIntArray(), "int32 wraps as in C and PyTorch");
            assertArrayEquals(new int[] {5, -9, 0, Integer.MAX_VALUE - 1}, a.sub(b).toIntArray());
            assertArrayEquals(new int[] {14, -14, 1_410_065_408, Integer.MAX_VALUE}, a.mul(b).toIntArray(), "10^10 mod 2^32");
            assertArrayEquals(new int[] {7, 2, 100_000, Integer.MAX_VALUE}, a.maximum(b).toIntArray());
            assertArrayEquals(new int[] {2, -7, 100_000, 1}, a.minimum(b).toIntArray());
            assertEquals(DType.INT32, a.add(b).dtype());

            Tensor quotient = a.div(b);
            assertEquals(DType.FLOAT32, quotient.dtype(), "int / int is true division to float32");
            assertArrayEquals(new float[] {3.5f, -3.5f, 1, (float) Integer.MAX_VALUE}, quotient.toFloatArray());

            Tensor big = Tensor.fromArray(new long[] {(1L << 53) + 1, 3}, 2);
            Tensor one = Tensor.fromArray(new long[] {1, 4}, 2);
            assertArrayEquals(new long[] {(1L << 53) + 2, 7}, big.add(one).toLongArray(), "int64 adds exactly above 2^53");
            assertArrayEquals(new long[] {(1L << 53) + 1, 81}, big.pow(one).toLongArray());
            assertArrayEquals(new int[] {1, 8, 0, 1}, Tensor.fromArray(new int[] {1, 2, 0, 5}, 4)
                    .pow(Tensor.fromArray(new int[] {5, 3, 2, 0}, 4)).toIntArray());
            assertArrayEquals(new int[] {17, 3}, a.narrow(0, 0, 2).add(Tensor.scalar(10, DType.INT32)).toIntArray());
        }
    }

    @Test
    void typePromotionFollowsPyTorch() {
        assertEquals(DType.FLOAT32, DType.promote(DType.INT32, DType.FLOAT32));
        assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
        assertEquals(DType.FLOAT64, DType.promote(DType.FLOAT32, DType.FLOAT64));
        assertEquals(DType.FLOAT64, DType.promote(DType.INT64, DType.FLOAT64));
        assertEquals(DType.INT64, DType.promote(DType.INT32, DType.INT64));
        assertEquals(DType.INT32, DType.promote(DType.BOOL, DType.INT32));
        assertEquals(DType.BOOL, DType.promote(DType.BOOL, DType.BOOL));
        try (MemoryScope s = MemoryScope.open()) {
            Tensor i32 = Tensor.fromArray(new int[] {1, 2}, 2);
            Tensor i64 = Tensor.fromArray(new long[] {10, 20}, 2);
            Tensor f32 = Tensor.fromArray(new float[] {0.5f, 0.25f}, 2);
            Tensor f64 = Tensor.fromArray(new double[] {0.1, 0.2}, 2);
            Tensor r1 = i32.add(f32);
            assertEquals(DType.FLOAT32, r1.dtype());
            assertArrayEquals(new float[] {1.5f, 2.25f}, r1.toFloatArray());
            Tensor r2 = f32.add(f64);
            assertEquals(DType.FLOAT64, r2.dtype());
            assertArrayEquals(new double[] {0.5 + 0.1, 0.25 + 0.2}, r2.toDoubleArray());
            Tensor r3 = i32.add(i64);
            assertEquals(DType.INT64, r3.dtype());
            assertArrayEquals(new long[] {11, 22}, r3.toLongArray());
            // Python scalars take the tensor's type when they fit it, as in PyTorch.
            assertEquals(DType.INT32, i32.add(2).dtype());
            assertArrayEquals(new int[] {3, 4}, i32.add(2).toIntArray());
            assertEquals(DType.FLOAT32, i32.add(2.5).dtype());
            assertArrayEquals(new float[] {3.5f, 4.5f}, i32.add(2.5).toFloatArray());
            assertEquals(DType.FLOAT64, f64.mul(3).dtype());
            assertEquals(DType.FLOAT32, f32.mul(1e-3).dtype());
            assertEquals(DType.INT64, i64.sub(1).dtype());
            assertEquals(DType.FLOAT32, i64.div(2).dtype());
            assertArrayEquals(new float[] {5, 10}, i64.div(2).toFloatArray());
        }
    }

    @Test
    void comparisonsGiveBoolAndBroadcast() {
        try (MemoryScope s = MemoryScope.open()) {
            for (int n : new int[] {4, 67}) {
                float[] a = new float[n];
                float[] b = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (i % 4 == 3) ? Float.NaN : i % 5;
                    b[i] = i % 3;
                }
                Tensor ta = Tensor.fromArray(a, n);
                Tensor tb = Tensor.fromArray(b, n);
                Tensor[] results = {ta.eq(tb), ta.ne(tb), ta.lt(tb), ta.le(tb), ta.gt(tb), ta.ge(tb)};
                for (Tensor r : results) {
                    assertEquals(DType.BOOL, r.dtype());
                }
                boolean[][] got = new boolean[6][];
                for (int k = 0; k < 6; k++) {
                    got[k] = results[k].toBooleanArray();
                }
                for (int i = 0; i < n; i++) {
                    float x = a[i];
                    float y = b[i];
                    boolean[] want = {x == y, x != y, x < y, x <= y, x > y, x >= y};
                    for (int k = 0; k < 6; k++) {
                        assertEquals(want[k], got[k][i], "comparison " + k + " at " + i + " of " + x + " and " + y);
                    }
                }
            }
            Tensor m = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor row = Tensor.fromArray(new float[] {2, 2, 7}, 3);
            assertArrayEquals(new boolean[] {false, false, false, true, true, false}, m.gt(row).toBooleanArray());
            assertArrayEquals(new boolean[] {false, false, true, true, true, true}, m.ge(3).toBooleanArray());
            assertArrayEquals(new boolean[] {true, false}, Tensor.fromArray(new int[] {3, 4}, 2)
                    .eq(Tensor.fromArray(new float[] {3.0f, 4.5f}, 2)).toBooleanArray(), "int32 3 == float32 3.0");
            assertArrayEquals(new boolean[] {false, true}, Tensor.fromArray(new long[] {(1L << 53), (1L << 53) + 1}, 2)
                    .gt(Tensor.fromArray(new long[] {(1L << 53), (1L << 53)}, 2)).toBooleanArray(), "int64 compares exactly");
            Tensor mask = Tensor.fromArray(new boolean[] {true, false}, 2);
            assertArrayEquals(new boolean[] {false, true}, mask.eq(Tensor.fromArray(new boolean[] {false, false}, 2)).toBooleanArray());
            assertArrayEquals(new boolean[] {true, false, true}, Tensor.fromArray(new double[] {0.5, 1, 2}, 3).ne(1).toBooleanArray());
            assertArrayEquals(new boolean[] {true, true, false}, Tensor.fromArray(new double[] {0.5, 1, 2}, 3).le(1).toBooleanArray());
            assertArrayEquals(new boolean[] {true, false, false}, Tensor.fromArray(new double[] {0.5, 1, 2}, 3).lt(1).toBooleanArray());
            assertArrayEquals(new boolean[] {false, true, false}, Tensor.fromArray(new int[] {0, 1, 2}, 3).eq(1).toBooleanArray());
        }
    }

    @Test
    void whereBroadcastsAndPromotes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor cond = Tensor.fromArray(new boolean[] {true, false}, 2, 1);
            Tensor a = Tensor.fromArray(new float[] {1, 2, 3}, 3);
            Tensor b = Tensor.scalar(-1);
            Tensor r = Tensor.where(cond, a, b);
            assertEquals(Shape.of(2, 3), r.shape());
            assertArrayEquals(new float[] {1, 2, 3, -1, -1, -1}, r.toFloatArray());

            Tensor mixed = Tensor.where(Tensor.fromArray(new boolean[] {true, false, true}, 3),
                    Tensor.fromArray(new int[] {1, 2, 3}, 3), Tensor.fromArray(new double[] {0.5, 0.25, 0.125}, 3));
            assertEquals(DType.FLOAT64, mixed.dtype());
            assertArrayEquals(new double[] {1, 0.25, 3}, mixed.toDoubleArray());

            // A long row through the SIMD kernel, with the mask from a comparison and a transposed operand.
            int n = 37;
            Tensor x = Tensor.arange(0, n * 2, 1, DType.FLOAT32).reshape(2, n);
            Tensor y = Tensor.arange(0, n * 2, 1, DType.FLOAT32).neg().reshape(n, 2).t();
            Tensor picked = Tensor.where(x.gt(30), x, y);
            float[] values = picked.toFloatArray();
            float[] xs = x.toFloatArray();
            float[] ys = y.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(xs[i] > 30 ? xs[i] : ys[i], values[i], 0.0f, "element " + i);
            }
            Tensor longs = Tensor.where(Tensor.fromArray(new boolean[] {false, true}, 2),
                    Tensor.fromArray(new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1}, 2), Tensor.fromArray(new long[] {-1, -2}, 2));
            assertArrayEquals(new long[] {-1, Long.MAX_VALUE - 1}, longs.toLongArray());
        }
    }

    // ---------------------------------------------------------------- casts

    @Test
    void castsTruncateTowardZeroAndMapNonzeroToTrue() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor f = Tensor.fromArray(new float[] {-2.7f, -0.5f, 0.5f, 2.7f, 3}, 5);
            assertArrayEquals(new int[] {-2, 0, 0, 2, 3}, f.to(DType.INT32).toIntArray());
            assertArrayEquals(new long[] {-2, 0, 0, 2, 3}, f.to(DType.INT64).toLongArray());
            Tensor b = Tensor.fromArray(new float[] {0, -0.0f, 0.1f, Float.NaN, -3}, 5).to(DType.BOOL);
            assertEquals(DType.BOOL, b.dtype());
            assertArrayEquals(new boolean[] {false, false, true, true, true}, b.toBooleanArray());
            assertArrayEquals(new boolean[] {false, true, true}, Tensor.fromArray(new int[] {0, 5, -1}, 3).to(DType.BOOL).toBooleanArray());
            assertArrayEquals(new float[] {1, 0}, Tensor.fromArray(new boolean[] {true, false}, 2).to(DType.FLOAT32).toFloatArray());
            assertArrayEquals(new long[] {-1, -2147483648L}, Tensor.fromArray(new int[] {-1, Integer.MIN_VALUE}, 2).to(DType.INT64).toLongArray(),
                    "int32 to int64 extends the sign");
            assertArrayEquals(new float[] {0.1f}, Tensor.fromArray(new double[] {0.1}, 1).to(DType.FLOAT32).toFloatArray());
            assertArrayEquals(new double[] {0.1f}, Tensor.fromArray(new float[] {0.1f}, 1).to(DType.FLOAT64).toDoubleArray());
        }
    }

    @Test
    void int64ValuesAbove2To53SurviveCopies() {
        long[] values = {(1L << 53) + 1, Long.MAX_VALUE, Long.MIN_VALUE + 1, -((1L << 60) + 3), 7, (1L << 62) + 5};
        try (MemoryScope s = MemoryScope.open()) {
            Tensor t = Tensor.fromArray(values, 2, 3);
            assertArrayEquals(values, t.copy().toLongArray());
            assertArrayEquals(values, t.to(DType.INT64).toLongArray());
            // A strided copy goes element by element, not through bulk copies.
            Tensor transposed = t.t().contiguous();
            assertArrayEquals(new long[] {values[0], values[3], values[1], values[4], values[2], values[5]}, transposed.toLongArray());
            Tensor back = transposed.reshape(3, 2).t().contiguous();
            assertArrayEquals(values, back.toLongArray());
            assertEquals(values[1], Tensor.cat(0, t, t).toLongArray()[1]);
        }
    }
}

package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Reductions against plain double loops that walk the reduced elements of each output position
 * themselves (no permutes, no views).
 *
 * <p>Tolerances, with u = 2⁻²⁴ (float32) or 2⁻⁵³ (float64) and n the number of reduced elements:
 * <ul>
 *   <li>sum: n·u·Σ|x| (the worst-case bound of recursive summation, whatever the order or blocking)
 *       plus half an ulp of the result for the final rounding; mean: the same divided by n.</li>
 *   <li>max, min, argmax, argmin: exact.</li>
 *   <li>var (two passes): the mean's error only enters at second order, and Σ(x − mean)² of n
 *       positive terms is within (n + 4)·u relative; std: half that relative error, plus half an ulp.</li>
 *   <li>logsumexp = m + log Σ e^(x−m): n positive terms each within 1 ulp (2u) from exp, summed
 *       within n·u relative; log turns relative into absolute error: (3n + 2)·u, plus half an ulp.</li>
 * </ul>
 */
class ReductionsTest {

    private enum Op { SUM, MEAN, MAX, MIN, VAR0, VAR1, STD1, LSE }

    private static Tensor apply(Op op, Tensor t, int[] axes, boolean keepDim) {
        if (axes == null) {
            return switch (op) {
                case SUM -> t.sum();
                case MEAN -> t.mean();
                case MAX -> t.max();
                case MIN -> t.min();
                case VAR0 -> t.var(null, false, 0);
                case VAR1 -> t.var();
                case STD1 -> t.std();
                case LSE -> t.logsumexp(allAxes(t.rank()), false);
            };
        }
        if (axes.length == 1 && op != Op.VAR0) {
            int a = axes[0];
            return switch (op) {
                case SUM -> t.sum(a, keepDim);
                case MEAN -> t.mean(a, keepDim);
                case MAX -> t.max(a, keepDim);
                case MIN -> t.min(a, keepDim);
                case VAR1 -> t.var(a, keepDim);
                case STD1 -> t.std(a, keepDim);
                case LSE -> t.logsumexp(a, keepDim);
                case VAR0 -> throw new AssertionError();
            };
        }
        return switch (op) {
            case SUM -> t.sum(axes, keepDim);
            case MEAN -> t.mean(axes, keepDim);
            case MAX -> t.max(axes, keepDim);
            case MIN -> t.min(axes, keepDim);
            case VAR0 -> t.var(axes, keepDim, 0);
            case VAR1 -> t.var(axes, keepDim, 1);
            case STD1 -> t.std(axes, keepDim, 1);
            case LSE -> t.logsumexp(axes, keepDim);
        };
    }

    private static int[] allAxes(int rank) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i;
        }
        return axes;
    }

    /** The reference value of op over one group of values, in double, and its tolerance for unit roundoff u. */
    private static double[] reference(Op op, double[] x, double u) {
        int n = x.length;
        double sum = 0;
        double sumAbs = 0;
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (double v : x) {
            sum += v;
            sumAbs += Math.abs(v);
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        double mean = sum / n;
        double squares = 0;
        for (double v : x) {
            squares += (v - mean) * (v - mean);
        }
        double value = switch (op) {
            case SUM -> sum;
            case MEAN -> mean;
            case MAX -> max;
            case MIN -> min;
            case VAR0 -> squares / n;
            case VAR1 -> squares / (n - 1);
            case STD1 -> Math.sqrt(squares / (n - 1));
            case LSE -> {
                double total = 0;
                for (double v : x) {
                    total += Math.exp(v - max);
                }
                yield max + Math.log(total);
            }
        };
        double halfUlp = u == 0x1.0p-24 ? Math.ulp((float) value) / 2 : Math.ulp(value) / 2;
        double tolerance = switch (op) {
            case SUM -> n * u * sumAbs + halfUlp;
            case MEAN -> u * sumAbs + halfUlp;
            case MAX, MIN -> 0;
            case VAR0, VAR1 -> (n + 4) * u * Math.abs(value) + halfUlp;
            case STD1 -> (n + 4) * u / 2 * Math.abs(value) + halfUlp;
            case LSE -> (3 * n + 2) * u + halfUlp;
        };
        return new double[] {value, tolerance};
    }

    /** For each output position (kept axes row-major), the reduced values in row-major order of the reduced axes. */
    private static List<double[]> groups(double[] data, int[] dims, boolean[] reduced) {
        int rank = dims.length;
        List<Integer> keptAxes = new ArrayList<>();
        List<Integer> reducedAxes = new ArrayList<>();
        for (int a = 0; a < rank; a++) {
            (reduced[a] ? reducedAxes : keptAxes).add(a);
        }
        int[] keptDims = keptAxes.stream().mapToInt(a -> dims[a]).toArray();
        int[] reducedDims = reducedAxes.stream().mapToInt(a -> dims[a]).toArray();
        long outCount = Check.numel(keptDims);
        long groupSize = Check.numel(reducedDims);
        List<double[]> out = new ArrayList<>();
        for (long o = 0; o < outCount; o++) {
            int[] keptIndex = Check.unravel(o, keptDims);
            double[] group = new double[(int) groupSize];
            for (long r = 0; r < groupSize; r++) {
                int[] reducedIndex = Check.unravel(r, reducedDims);
                int[] index = new int[rank];
                for (int k = 0; k < keptAxes.size(); k++) {
                    index[keptAxes.get(k)] = keptIndex[k];
                }
                for (int k = 0; k < reducedAxes.size(); k++) {
                    index[reducedAxes.get(k)] = reducedIndex[k];
                }
                group[(int) r] = data[(int) Check.ravel(index, dims)];
            }
            out.add(group);
        }
        return out;
    }

    private static int[] expectedDims(int[] dims, boolean[] reduced, boolean keepDim) {
        return java.util.stream.IntStream.range(0, dims.length)
                .filter(a -> !reduced[a] || keepDim)
                .map(a -> reduced[a] ? 1 : dims[a])
                .toArray();
    }

    private static final int[][] SHAPES = {{1009}, {17, 33}, {3, 5, 7}, {2, 1, 4, 3}};

    /** Every axis subset of every shape (single axes given both ways, positive and negative), and all. */
    private static List<int[]> axisChoices(int rank) {
        List<int[]> choices = new ArrayList<>();
        for (int mask = 1; mask < (1 << rank); mask++) {
            int[] axes = new int[Integer.bitCount(mask)];
            int k = 0;
            for (int a = rank - 1; a >= 0; a--) {        // listed in descending order on purpose
                if ((mask & (1 << a)) != 0) {
                    axes[k++] = a;
                }
            }
            choices.add(axes);
            if (axes.length == 1) {
                choices.add(new int[] {axes[0] - rank});
            } else if (axes.length == 2) {
                choices.add(new int[] {axes[0] - rank, axes[1]});
            }
        }
        choices.add(null);
        return choices;
    }

    @Test
    void everyReductionOverEveryAxisChoiceMatchesDoubleLoops() {
        Generator g = new Generator(31);
        for (int[] dims : SHAPES) {
            double[] data64 = Check.uniform(g, (int) Check.numel(dims), -3, 5);
            float[] data32 = Check.toFloats(data64);
            double[] values = Check.toDoubles(data32);    // the float32 values, exactly, for both dtypes
            for (int[] axes : axisChoices(dims.length)) {
                boolean[] reduced = new boolean[dims.length];
                if (axes == null) {
                    Arrays.fill(reduced, true);
                } else {
                    for (int a : axes) {
                        reduced[a < 0 ? a + dims.length : a] = true;
                    }
                }
                List<double[]> groups = groups(values, dims, reduced);
                for (boolean keepDim : axes == null ? new boolean[] {false} : new boolean[] {false, true}) {
                    for (Op op : Op.values()) {
                        String what = op + " of " + Arrays.toString(dims) + " over " + Arrays.toString(axes) + (keepDim ? " keepDim" : "");
                        try (MemoryScope s = MemoryScope.open()) {
                            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                                Tensor t = Tensor.fromArray(values, dims).to(dtype);
                                Tensor r = apply(op, t, axes, keepDim);
                                assertEquals(dtype, r.dtype(), what);
                                assertArrayEquals(expectedDims(dims, reduced, keepDim), r.dims(), what + ": shape");
                                double u = dtype == DType.FLOAT32 ? 0x1.0p-24 : 0x1.0p-53;
                                double[] got = r.toDoubleArray();
                                for (int o = 0; o < groups.size(); o++) {
                                    double[] ref = reference(op, groups.get(o), u);
                                    Check.assertClose(ref[0], got[o], ref[1], 0, what + " " + dtype + " at output " + o);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void argmaxAndArgminAlongEachAxis() {
        Generator g = new Generator(32);
        for (int[] dims : SHAPES) {
            // Few distinct values, so that ties are common: the first index must win.
            double[] values = new double[(int) Check.numel(dims)];
            for (int i = 0; i < values.length; i++) {
                values[i] = g.nextLong(5);
            }
            for (int axis = -dims.length; axis < dims.length; axis++) {
                boolean[] reduced = new boolean[dims.length];
                reduced[axis < 0 ? axis + dims.length : axis] = true;
                List<double[]> groups = groups(values, dims, reduced);
                for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
                    try (MemoryScope s = MemoryScope.open()) {
                        Tensor t = Tensor.fromArray(values, dims).to(dtype);
                        for (boolean keepDim : new boolean[] {false, true}) {
                            Tensor max = t.argmax(axis, keepDim);
                            Tensor min = t.argmin(axis, keepDim);
                            assertEquals(DType.INT64, max.dtype());
                            assertArrayEquals(expectedDims(dims, reduced, keepDim), max.dims());
                            long[] gotMax = max.toLongArray();
                            long[] gotMin = min.toLongArray();
                            for (int o = 0; o < groups.size(); o++) {
                                double[] group = groups.get(o);
                                int best = 0;
                                int worst = 0;
                                for (int i = 1; i < group.length; i++) {
                                    best = group[i] > group[best] ? i : best;
                                    worst = group[i] < group[worst] ? i : worst;
                                }
                                String what = Arrays.toString(dims) + " axis " + axis + " " + dtype + " output " + o;
                                assertEquals(best, gotMax[o], "argmax " + what);
                                assertEquals(worst, gotMin[o], "argmin " + what);
                            }
                        }
                    }
                }
            }
        }
        try (MemoryScope s = MemoryScope.open()) {
            Tensor m = Tensor.fromArray(new float[] {1, 9, 3, 9, -2, 0}, 2, 3);
            Tensor flat = m.argmax();
            assertEquals(0, flat.rank());
            assertEquals(1, flat.item(), 0.0, "flat index of the first maximum");
            assertEquals(4, m.argmin().item(), 0.0);
            assertEquals(3, m.t().argmin().item(), 0.0, "flat index in the transposed (logical) order, not storage order");
        }
    }

    @Test
    void exactSumsOfIntegerValuedFloats() {
        // Every partial sum is an integer below 2^24, so float32 sums are exact in any order.
        try (MemoryScope s = MemoryScope.open()) {
            for (int n : new int[] {1, 15, 16, 17, 1009, 5000}) {
                Tensor t = Tensor.arange(0, n, 1, DType.FLOAT32);
                assertEquals((double) n * (n - 1) / 2, t.sum().item(), 0.0, "n=" + n);
                assertEquals(n - 1, t.max().item(), 0.0);
                assertEquals(0, t.min().item(), 0.0);
            }
            Tensor m = Tensor.arange(0, 12, 1, DType.FLOAT32).reshape(3, 4);
            assertArrayEquals(new float[] {12, 15, 18, 21}, m.sum(0, false).toFloatArray());
            assertArrayEquals(new float[] {6, 22, 38}, m.sum(1, false).toFloatArray());
            assertArrayEquals(new float[] {6, 22, 38}, m.t().sum(0, false).toFloatArray(), "a transposed input");
            assertArrayEquals(new float[] {4, 5, 6, 7}, m.mean(0, false).toFloatArray());
            assertEquals(Shape.of(3, 1), m.sum(1, true).shape());
            assertEquals(Shape.of(1, 1), m.sum(new int[] {0, 1}, true).shape());
            assertEquals(Shape.scalar(), m.sum(new int[] {1, -2}, false).shape());
        }
    }

    @Test
    void longRowsSpanSeveralBlocks() {
        // More than one 32 Ki block per row: blocks are combined in double.
        Generator g = new Generator(33);
        int n = 100_003;
        double[] x = Check.toDoubles(Check.toFloats(Check.uniform(g, n, -1, 1)));
        try (MemoryScope s = MemoryScope.open()) {
            Tensor t = Tensor.fromArray(Check.toFloats(x), n);
            for (Op op : Op.values()) {
                double[] ref = reference(op, x, 0x1.0p-24);
                Check.assertClose(ref[0], apply(op, t, null, false).item(), ref[1], 0, op + " of " + n);
            }
            Tensor twoRows = Tensor.fromArray(Check.toFloats(x), 1, n).expand(2, n);
            double[] sums = twoRows.sum(1, false).toDoubleArray();
            assertEquals(sums[0], sums[1], 0.0, "identical rows reduce identically");
        }
    }

    @Test
    void integerAndBoolSumsGiveInt64() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor i = Tensor.fromArray(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 2}, 3);
            Tensor sum = i.sum();
            assertEquals(DType.INT64, sum.dtype());
            assertEquals(2L * Integer.MAX_VALUE + 2, sum.toLongArray()[0], "no int32 overflow");
            Tensor big = Tensor.fromArray(new long[] {(1L << 53) + 1, 1, 2, 3}, 2, 2);
            assertArrayEquals(new long[] {(1L << 53) + 2, 5}, big.sum(1, false).toLongArray(), "int64 sums exactly above 2^53");
            assertEquals(DType.INT32, i.max().dtype(), "max keeps the integer type");
            assertEquals(Integer.MAX_VALUE, i.max().toIntArray()[0]);
            assertEquals(2, i.min().toIntArray()[0]);
            Tensor mask = Tensor.fromArray(new boolean[] {true, false, true, true}, 4);
            assertEquals(DType.INT64, mask.sum().dtype());
            assertEquals(3, mask.sum().toLongArray()[0]);
        }
    }

    @Test
    void varianceWithCorrectionZeroAndOne() {
        try (MemoryScope s = MemoryScope.open()) {
            // Values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32.
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor t = Tensor.fromArray(new double[] {2, 4, 4, 4, 5, 5, 7, 9}, 8).to(dtype);
                assertEquals(4.0, t.var(null, false, 0).item(), 1e-6, "population variance " + dtype);
                assertEquals(32.0 / 7, t.var().item(), 1e-6, "unbiased variance " + dtype);
                assertEquals(2.0, t.std(null, false, 0).item(), 1e-6);
                assertEquals(Math.sqrt(32.0 / 7), t.std().item(), 1e-6);
                assertTrue(Double.isNaN(t.narrow(0, 0, 1).var().item()), "one value, correction 1: 0/0");
            }
            // Large offset: E[x²] − E[x]² would cancel catastrophically; two passes keep it.
            float[] shifted = new float[1000];
            for (int i = 0; i < shifted.length; i++) {
                shifted[i] = 10_000 + (i % 2 == 0 ? 1 : -1);
            }
            assertEquals(1.0, Tensor.fromArray(shifted, 1000).var(null, false, 0).item(), 1e-4);
        }
    }

    @Test
    void nanPropagatesThroughMaxMinSumAndArgmax() {
        for (int n : new int[] {3, 17, 64, 1009}) {
            for (int position : new int[] {0, n / 2, n - 1}) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = i;
                }
                x[position] = Float.NaN;
                for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    try (MemoryScope s = MemoryScope.open()) {
                        Tensor t = Tensor.fromArray(x, n).to(dtype);
                        String what = dtype + " n=" + n + " NaN at " + position;
                        assertTrue(Double.isNaN(t.max().item()), "max " + what);
                        assertTrue(Double.isNaN(t.min().item()), "min " + what);
                        assertTrue(Double.isNaN(t.sum().item()), "sum " + what);
                        assertTrue(Double.isNaN(t.logsumexp(0, false).item()), "logsumexp " + what);
                        assertEquals(position, t.argmax().item(), 0.0, "argmax " + what + " (NaN counts as the maximum)");
                        assertEquals(position, t.argmin().item(), 0.0, "argmin " + what);
                    }
                }
            }
        }
    }

    @Test
    void logsumexpIsStableForLargeValues() {
        try (MemoryScope s = MemoryScope.open()) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor big = Tensor.fromArray(new double[] {1000, 1000, -1000, -1000}, 2, 2).to(dtype);
                double[] lse = big.logsumexp(1, false).toDoubleArray();
                assertEquals(1000 + Math.log(2), lse[0], 1e-4, dtype.toString());
                assertEquals(-1000 + Math.log(2), lse[1], 1e-4, dtype.toString());
                Tensor spread = Tensor.fromArray(new double[] {88, 89, 90}, 3).to(dtype);
                double m = 90;
                assertEquals(m + Math.log(Math.exp(-2) + Math.exp(-1) + 1), spread.logsumexp(0, false).item(), 1e-4);
                Tensor negInf = Tensor.full(Double.NEGATIVE_INFINITY, dtype, 3);
                assertEquals(Double.NEGATIVE_INFINITY, negInf.logsumexp(0, false).item(), 0.0, "all −∞ gives −∞, not NaN");
                Tensor posInf = Tensor.fromArray(new double[] {1, Double.POSITIVE_INFINITY}, 2).to(dtype);
                assertEquals(Double.POSITIVE_INFINITY, posInf.logsumexp(0, false).item(), 0.0);
                assertEquals(Shape.of(2, 1), big.logsumexp(-1, true).shape());
            }
        }
    }

    @Test
    void emptyReductions() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor empty = Tensor.zeros(0, 3);
            assertArrayEquals(new float[] {0, 0, 0}, empty.sum(0, false).toFloatArray(), "the empty sum is 0");
            assertEquals(0, empty.sum(1, false).numel());
            assertTrue(Double.isNaN(empty.mean().item()), "the empty mean is NaN, as in PyTorch");
            assertEquals(Double.NEGATIVE_INFINITY, empty.logsumexp(0, false).toDoubleArray()[0], 0.0);
        }
    }
}

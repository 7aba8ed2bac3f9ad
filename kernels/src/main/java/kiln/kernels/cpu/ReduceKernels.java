package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 reductions over one contiguous run {@code in[off, off + n)} (offsets count elements), and
 * the same reductions over each row of a (rows, len) row-major block.
 *
 * <p><b>Determinism.</b> A run is cut into fixed blocks of {@link #BLOCK} elements. Each block is
 * reduced on its own (by the SIMD kernel: in float vector accumulators; by the scalar reference: in
 * double), and the block results are combined in double, in block order. Blocks go to
 * {@link Parallel} when there are several, but the cut depends on n only, so the result is the same
 * bit for bit whatever the thread count. Row reductions give each row to one task.
 *
 * <p><b>Accuracy.</b> The SIMD sum of a block adds at most BLOCK/(2·lanes) values into each float
 * accumulator, so its error is below (BLOCK/(2·lanes) + 2)·2⁻²⁴·Σ|x| (6e-5 of Σ|x| at 16 lanes in
 * the worst case; rounding errors of random sign give about √1024·2⁻²⁴ ≈ 2e-6); the scalar reference
 * sums in double.
 *
 * <p>The per-block kernels ({@code ...Scalar}, {@code ...Simd}, same signatures) are meant for runs of
 * at most BLOCK elements; the public entry points split longer runs and pick one by
 * {@link Simd#enabled()}.
 */
public final class ReduceKernels {
    private ReduceKernels() {}

    /**
     * Elements per block (and per parallel task). 32 Ki floats = 128 KiB: several µs of work, so the
     * hand-off to a worker costs little, while float accumulators stay short (see Accuracy). Blocks
     * of 8 Ki, 32 Ki and 128 Ki summed 16M floats at the same speed.
     */
    static final int BLOCK = 1 << 15;

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    // ---------------------------------------------------------------------------------------- sum

    /**
     * Σ in[off, off + n), 0 for n = 0. The SIMD path takes two blocks per task and streams through
     * both at once ({@link #sumTwoRunsSimd}); each block still gets the same sum as alone.
     */
    public static double sum(MemorySegment in, long off, int n) {
        if (!Simd.enabled()) {
            return fold(n, (from, count) -> sumScalar(in, off + from, count), Double::sum);
        }
        if (n <= BLOCK) {
            return sumSimd(in, off, n);
        }
        double[] blockSums = new double[Parallel.tasks(n, BLOCK)];
        Parallel.forEach(Parallel.tasks(blockSums.length, 2), t -> {
            int first = 2 * t;
            long from = (long) first * BLOCK;
            if (from + 2L * BLOCK <= n) {
                sumTwoRunsSimd(in, off + from, BLOCK, blockSums, first);
            } else {                                  // the last block alone, or a full block and a ragged one
                for (int b = first; b < Math.min(first + 2, blockSums.length); b++) {
                    long start = (long) b * BLOCK;
                    blockSums[b] = sumSimd(in, off + start, (int) Math.min(BLOCK, n - start));
                }
            }
        });
        return inOrder(blockSums, Double::sum);
    }

    /** Scalar reference of a block sum, in double. */
    static double sumScalar(MemorySegment in, long off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += in.getAtIndex(JAVA_FLOAT, off + i);
        }
        return sum;
    }

    /**
     * Vector API block sum: two independent float vector accumulators. One add chain cannot keep up
     * with two loads per cycle (84 vs 155 GB/s in cache); four streamed from DRAM at 20 GB/s, two at 28.
     */
    static double sumSimd(MemorySegment in, long off, int n) {
        int step = SPECIES.length();
        int bound = n & -(2 * step);
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += 2 * step) {
            acc0 = acc0.add(load(in, off + i));
            acc1 = acc1.add(load(in, off + i + step));
        }
        return sumLanes(acc0.add(acc1)) + sumScalar(in, off + bound, n - bound);
    }

    /**
     * {@link #sumSimd} of two adjacent runs of {@code len} floats, {@code in[off, off + len)} into
     * {@code sums[at]} and the next into {@code sums[at + 1]}, read side by side: two streams from DRAM
     * keep more lines in flight than one. Each run has its own two accumulators, added in
     * {@link #sumSimd}'s order, so the sums are the same bits. {@code len} must be a multiple of
     * 2·lanes (a full {@link #BLOCK}).
     *
     * <p>Measured on a 64 MiB sum, one core, alternating runs: one block at a time 27-30 GB/s, two at a
     * time 29-32. Two details matter. The pair is read through its own slice with int indices (long
     * offsets into {@code in}: 20-23 GB/s). And {@code len} is a parameter, not the constant BLOCK: with a
     * trip count known at compile time C2 built a slower loop (24-27 GB/s).
     */
    static void sumTwoRunsSimd(MemorySegment in, long off, int len, double[] sums, int at) {
        MemorySegment pair = in.asSlice(off * Float.BYTES, 2L * len * Float.BYTES);
        int step = SPECIES.length();
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        FloatVector b0 = FloatVector.zero(SPECIES);
        FloatVector b1 = FloatVector.zero(SPECIES);
        for (int i = 0; i < len; i += 2 * step) {
            a0 = a0.add(load(pair, i));
            a1 = a1.add(load(pair, i + step));
            b0 = b0.add(load(pair, len + i));
            b1 = b1.add(load(pair, len + i + step));
        }
        sums[at] = sumLanes(a0.add(a1));
        sums[at + 1] = sumLanes(b0.add(b1));
    }

    // ------------------------------------------------------------------------------- max and min

    /** The largest of in[off, off + n); NaN if any element is NaN; n = 0 throws. */
    public static float max(MemorySegment in, long off, int n) {
        return extreme(true, in, off, n);
    }

    /** The smallest of in[off, off + n); NaN if any element is NaN; n = 0 throws. */
    public static float min(MemorySegment in, long off, int n) {
        return extreme(false, in, off, n);
    }

    private static float extreme(boolean max, MemorySegment in, long off, int n) {
        if (n == 0) {
            throw new IllegalArgumentException((max ? "max" : "min") + " of no elements is undefined");
        }
        boolean simd = Simd.enabled();
        Block block = (from, count) -> simd
                ? extremeSimd(max, in, off + from, count)
                : extremeScalar(max, in, off + from, count);
        return (float) fold(n, block, max ? Math::max : Math::min);
    }

    /** Scalar reference of a block max (or min), folded with {@link Math#max} (or min): NaN wins. */
    static float extremeScalar(boolean max, MemorySegment in, long off, int n) {
        float result = in.getAtIndex(JAVA_FLOAT, off);
        for (int i = 1; i < n; i++) {
            float x = in.getAtIndex(JAVA_FLOAT, off + i);
            result = max ? Math.max(result, x) : Math.min(result, x);
        }
        return result;
    }

    /** Vector API block max (or min), n ≥ 1; exact (MAX and MIN lanes follow Math.max and min). */
    static float extremeSimd(boolean max, MemorySegment in, long off, int n) {
        int step = SPECIES.length();
        int bound = n & -(2 * step);
        if (bound == 0) {
            return extremeScalar(max, in, off, n);
        }
        FloatVector acc0 = load(in, off);
        FloatVector acc1 = load(in, off + step);
        for (int i = 2 * step; i < bound; i += 2 * step) {
            acc0 = max ? acc0.max(load(in, off + i)) : acc0.min(load(in, off + i));
            acc1 = max ? acc1.max(load(in, off + i + step)) : acc1.min(load(in, off + i + step));
        }
        float result = max
                ? acc0.max(acc1).reduceLanes(VectorOperators.MAX)
                : acc0.min(acc1).reduceLanes(VectorOperators.MIN);
        if (bound < n) {
            float tail = extremeScalar(max, in, off + bound, n - bound);
            result = max ? Math.max(result, tail) : Math.min(result, tail);
        }
        return result;
    }

    // --------------------------------------------------------------------------- argmax and argmin

    /** The index (from off) of the first largest element of in[off, off + n); a NaN counts as largest (PyTorch). */
    public static int argmax(MemorySegment in, long off, int n) {
        return indexOf(in, off, n, extreme(true, in, off, n));
    }

    /** The index (from off) of the first smallest element of in[off, off + n); a NaN counts as smallest. */
    public static int argmin(MemorySegment in, long off, int n) {
        return indexOf(in, off, n, extreme(false, in, off, n));
    }

    /** The first i with in[off + i] == value (−0 == +0), or with in[off + i] NaN when value is NaN. */
    private static int indexOf(MemorySegment in, long off, int n, float value) {
        return Simd.enabled() ? indexOfSimd(in, off, n, value) : indexOfScalar(in, off, n, value);
    }

    /** Scalar reference of {@link #indexOf}; −1 if there is none. */
    static int indexOfScalar(MemorySegment in, long off, int n, float value) {
        boolean nan = Float.isNaN(value);
        for (int i = 0; i < n; i++) {
            float x = in.getAtIndex(JAVA_FLOAT, off + i);
            if (x == value || nan && Float.isNaN(x)) {
                return i;
            }
        }
        return -1;
    }

    /** Vector API version of {@link #indexOfScalar}. */
    static int indexOfSimd(MemorySegment in, long off, int n, float value) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        boolean nan = Float.isNaN(value);
        for (int i = 0; i < bound; i += step) {
            FloatVector x = load(in, off + i);
            VectorMask<Float> hit = nan ? x.test(VectorOperators.IS_NAN) : x.eq(value);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        int tail = indexOfScalar(in, off + bound, n - bound, value);
        return tail < 0 ? -1 : bound + tail;
    }

    // ------------------------------------------------------------------------ variance and logSumExp

    /** Σ (x − mean)² over in[off, off + n): second pass of a variance, stable where E[x²] − E[x]² is not. */
    public static double sumSquaredDeviations(MemorySegment in, long off, int n, double mean) {
        boolean simd = Simd.enabled();
        Block block = (from, count) -> simd
                ? sumSquaredDeviationsSimd(in, off + from, count, mean)
                : sumSquaredDeviationsScalar(in, off + from, count, mean);
        return fold(n, block, Double::sum);
    }

    /** Scalar reference of a block of {@link #sumSquaredDeviations}, in double. */
    static double sumSquaredDeviationsScalar(MemorySegment in, long off, int n, double mean) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = in.getAtIndex(JAVA_FLOAT, off + i) - mean;
            sum += d * d;
        }
        return sum;
    }

    /**
     * Vector API block of {@link #sumSquaredDeviations}. The mean is rounded to float: for x near the
     * mean, x − mean is then exact, and the rounding δ only adds n·δ² (second order) to the whole sum.
     * d·d + acc as a multiply and an add, not an fma: the fma loop streamed from DRAM at 15 GB/s,
     * this one at 31 (same speed in cache; loop shape matters to this machine's prefetchers).
     */
    static double sumSquaredDeviationsSimd(MemorySegment in, long off, int n, double mean) {
        int step = SPECIES.length();
        int bound = n & -(2 * step);
        float m = (float) mean;
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += 2 * step) {
            FloatVector d0 = load(in, off + i).sub(m);
            FloatVector d1 = load(in, off + i + step).sub(m);
            acc0 = acc0.add(d0.mul(d0));
            acc1 = acc1.add(d1.mul(d1));
        }
        // The tail must use the same float mean: each part of the run adds a cross term 2δ·Σ (x − mean)
        // that only cancels against the others' (Σ (x − mean) = 0 over the whole run).
        return sumLanes(acc0.add(acc1)) + sumSquaredDeviationsScalar(in, off + bound, n - bound, m);
    }

    /** log Σ exp(x) over in[off, off + n), shifted by the max so nothing overflows; −∞ for n = 0 or all −∞. */
    public static double logSumExp(MemorySegment in, long off, int n) {
        if (n == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        float max = max(in, off, n);
        if (Float.isInfinite(max) || Float.isNaN(max)) {
            return max; // all −∞ gives −∞ (not NaN from −∞ − −∞); a +∞ gives +∞; a NaN gives NaN
        }
        return max + Math.log(sumExp(in, off, n, max));
    }

    /** Σ exp(x − shift) over in[off, off + n); with shift = max x every term is at most 1. */
    static double sumExp(MemorySegment in, long off, int n, float shift) {
        boolean simd = Simd.enabled();
        Block block = (from, count) -> simd
                ? sumExpSimd(in, off + from, count, shift)
                : sumExpScalar(in, off + from, count, shift);
        return fold(n, block, Double::sum);
    }

    /** Scalar reference of a block of {@link #sumExp}, in double. */
    static double sumExpScalar(MemorySegment in, long off, int n, float shift) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) in.getAtIndex(JAVA_FLOAT, off + i) - shift);
        }
        return sum;
    }

    /** Vector API block of {@link #sumExp} ({@link VectorMath#exp}; one accumulator: exp, not the add, is the bottleneck). */
    static double sumExpSimd(MemorySegment in, long off, int n, float shift) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += step) {
            acc = acc.add(VectorMath.exp(load(in, off + i).sub(shift)));
        }
        return sumLanes(acc) + sumExpScalar(in, off + bound, n - bound, shift);
    }

    // ------------------------------------------------------------------------------------- rows

    /**
     * {@code out[outOff + r] = op(in[inOff + r·len, inOff + (r + 1)·len))} for r ∈ [0, rows): the
     * engine first makes the reduced axes the last, contiguous ones. VAR and STD divide by
     * max(0, len − correction) (1: unbiased, as PyTorch's default; 0: population); other ops ignore
     * {@code correction}. MAX and MIN of len = 0 throw. Rows are spread over the pool in fixed groups.
     */
    public static void reduceRows(ReduceOp op, MemorySegment out, long outOff, MemorySegment in, long inOff,
                                  int rows, int len, int correction) {
        forEachRow(rows, len, r -> {
            long row = inOff + (long) r * len;
            double value = switch (op) {
                case SUM -> sum(in, row, len);
                case MEAN -> sum(in, row, len) / len;
                case MAX -> max(in, row, len);
                case MIN -> min(in, row, len);
                case VAR -> variance(in, row, len, correction);
                case STD -> Math.sqrt(variance(in, row, len, correction));
                case LOG_SUM_EXP -> logSumExp(in, row, len);
            };
            out.setAtIndex(JAVA_FLOAT, outOff + r, (float) value);
        });
    }

    // -------------------------------------------------------------------------------- column sums

    /** Rows per float partial sum of a column (then added up in double), as a block bounds a run's. */
    static final int COLUMN_BLOCK = 1024;
    /** Columns per task of {@link #sumColumns}: four 512-bit vectors. */
    static final int COLUMN_TILE = 4 * 16;

    /**
     * {@code out[outOff + j] = Σ_i in[inOff + i·cols + j]} for j ∈ [0, cols): the sum over the rows
     * of a row-major (rows, cols) block, as a bias gradient sums over the batch. Each column adds its
     * rows in order, in float over blocks of {@link #COLUMN_BLOCK} rows whose sums are added in
     * double; the vector kernel does the same, a vector of columns at a time, so the two agree bit
     * for bit and no lanes need adding across. Tasks of {@link #COLUMN_TILE} columns.
     */
    public static void sumColumns(MemorySegment out, long outOff, MemorySegment in, long inOff, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("rows and cols must be >= 0, got " + rows + " and " + cols);
        }
        boolean simd = Simd.enabled();
        int tiles = Parallel.tasks(cols, COLUMN_TILE);
        IntConsumer tile = t -> {
            int from = t * COLUMN_TILE, count = Math.min(COLUMN_TILE, cols - from);
            if (simd) {
                sumColumnsSimd(out, outOff + from, in, inOff + from, rows, cols, count);
            } else {
                sumColumnsScalar(out, outOff + from, in, inOff + from, rows, cols, count);
            }
        };
        if ((long) rows * cols >= BLOCK) {
            Parallel.forEach(tiles, tile);
        } else {
            for (int t = 0; t < tiles; t++) {
                tile.accept(t);
            }
        }
    }

    /** Scalar reference of {@link #sumColumns} for {@code count} columns, {@code stride} floats between rows. */
    static void sumColumnsScalar(MemorySegment out, long outOff, MemorySegment in, long inOff, int rows, int stride, int count) {
        for (int j = 0; j < count; j++) {
            double total = 0;
            for (int r0 = 0; r0 < rows; r0 += COLUMN_BLOCK) {
                float partial = 0;
                for (int r = r0; r < Math.min(rows, r0 + COLUMN_BLOCK); r++) {
                    partial += in.getAtIndex(JAVA_FLOAT, inOff + (long) r * stride + j);
                }
                total += partial;
            }
            out.setAtIndex(JAVA_FLOAT, outOff + j, (float) total);
        }
    }

    /** Vector API {@link #sumColumns} for {@code count} columns: whole vectors of columns, then the scalar reference for the rest. */
    static void sumColumnsSimd(MemorySegment out, long outOff, MemorySegment in, long inOff, int rows, int stride, int count) {
        int step = SPECIES.length(), whole = count - count % step;
        double[] total = new double[step];
        for (int j = 0; j < whole; j += step) {
            Arrays.fill(total, 0);
            for (int r0 = 0; r0 < rows; r0 += COLUMN_BLOCK) {
                FloatVector partial = FloatVector.zero(SPECIES);
                for (int r = r0; r < Math.min(rows, r0 + COLUMN_BLOCK); r++) {
                    partial = partial.add(load(in, inOff + (long) r * stride + j));
                }
                for (int l = 0; l < step; l++) {
                    total[l] += partial.lane(l);
                }
            }
            for (int l = 0; l < step; l++) {
                out.setAtIndex(JAVA_FLOAT, outOff + j + l, (float) total[l]);
            }
        }
        sumColumnsScalar(out, outOff + whole, in, inOff + whole, rows, stride, count - whole);
    }

    /** Two-pass variance: the mean, then Σ (x − mean)² / max(0, n − correction). */
    private static double variance(MemorySegment in, long off, int n, int correction) {
        double mean = sum(in, off, n) / n;
        return sumSquaredDeviations(in, off, n, mean) / Math.max(0, n - correction);
    }

    /**
     * {@code out[outOff + r]} (an int32 segment) = the index within row r of its first largest
     * ({@code max}) or smallest element, NaN counting as both, for r ∈ [0, rows); len = 0 throws.
     */
    public static void argRows(boolean max, MemorySegment out, long outOff, MemorySegment in, long inOff,
                               int rows, int len) {
        forEachRow(rows, len, r -> {
            long row = inOff + (long) r * len;
            out.setAtIndex(JAVA_INT, outOff + r, max ? argmax(in, row, len) : argmin(in, row, len));
        });
    }

    /**
     * Runs {@code body} for each row r ∈ [0, rows) of length len, in groups of about {@link #BLOCK}
     * elements spread over the pool (a group depends on the shape only). Shared with {@link SoftmaxKernels}.
     */
    static void forEachRow(int rows, int len, IntConsumer body) {
        if (rows < 0 || len < 0) {
            throw new IllegalArgumentException("rows and len must be >= 0, got " + rows + " and " + len);
        }
        int group = Math.max(1, BLOCK / Math.max(1, len));
        Parallel.forEach(Parallel.tasks(rows, group), t -> {
            int end = (int) Math.min(rows, (long) t * group + group);
            for (int r = t * group; r < end; r++) {
                body.accept(r);
            }
        });
    }

    // ------------------------------------------------------------------------------------ helpers

    /** A block reduction over elements [from, from + count) of a run. */
    @FunctionalInterface
    private interface Block {
        double reduce(int from, int count);
    }

    /**
     * Reduces each fixed BLOCK-element block of [0, n) (over the pool when there are several) and
     * folds the block results in block order: ((b₀ ∘ b₁) ∘ b₂) ∘ …
     */
    private static double fold(int n, Block block, DoubleBinaryOperator combine) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (n <= BLOCK) {
            return block.reduce(0, n);
        }
        double[] partial = new double[Parallel.tasks(n, BLOCK)];
        Parallel.forEach(partial.length, t -> {
            int from = t * BLOCK;
            partial[t] = block.reduce(from, Math.min(BLOCK, n - from));
        });
        return inOrder(partial, combine);
    }

    /** The block results folded in block order: ((b₀ ∘ b₁) ∘ b₂) ∘ … (at least one). */
    private static double inOrder(double[] partial, DoubleBinaryOperator combine) {
        double result = partial[0];
        for (int t = 1; t < partial.length; t++) {
            result = combine.applyAsDouble(result, partial[t]);
        }
        return result;
    }

    /**
     * The sum of a vector's lanes in double, in a fixed order (even lanes, odd lanes, then the two):
     * the same in every JIT tier. Not {@code reduceLanes(ADD)}, whose order of additions is left to
     * the implementation. Two chains of additions halve the latency, which matters for short rows.
     */
    static double sumLanes(FloatVector v) {
        float[] lanes = v.toArray();
        double even = 0;
        double odd = 0;
        for (int k = 0; k < lanes.length; k += 2) {
            even += lanes[k];
            odd += lanes[k + 1];
        }
        return even + odd;
    }

    private static FloatVector load(MemorySegment in, long index) {
        return FloatVector.fromMemorySegment(SPECIES, in, index * Float.BYTES, ORDER);
    }
}

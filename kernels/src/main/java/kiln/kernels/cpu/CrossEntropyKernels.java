package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax cross-entropy of float32 rows of logits x (rows × cols, row-major) against one class index
 * y per row, forward and backward side by side:
 * <pre>
 *   lse[r]     = log Σ_c e^(x[r, c])  = m + log Σ_c e^(x[r, c] − m),   m = max_c x[r, c]
 *   loss[r]    = lse[r] − x[r, y_r]                       (0 where y_r is the ignore index)
 *   dx[r, c]   = g[r] · (e^(x[r, c] − lse[r]) − [c = y_r])   (0 on ignored rows)
 * </pre>
 * One pass over a row forward (its max, then the sum of exponentials) and one backward, where
 * log-softmax, a gather and their two backward rules would each make a pass and a temporary. The
 * forward keeps lse per row for the backward, which recomputes the softmax from the logits: one float
 * per row instead of a saved [rows, cols] softmax. Saving lse as a float costs |lse|·2⁻²⁴ in the
 * exponent, the same as the rounding of the logits themselves.
 *
 * <p>Per row, a scalar reference ({@code ...Scalar}, in double with {@link Math#exp}) and a Vector
 * API version ({@code ...Simd}, in float with {@link VectorMath#exp}) with the same signature; the
 * entry points pick one by {@link Simd#enabled()}. The SIMD version finishes a row with one masked
 * vector instead of a scalar tail: classifier rows are short (10 classes is less than one 16-lane
 * vector), and a scalar tail would spend its time in Math.exp. Rows are spread over {@link Parallel}
 * in groups fixed by the shape, so results do not depend on the thread count.
 *
 * <p>Labels are given as a long array (the engine reads them from any integer tensor); a label must
 * be in [0, cols) or the ignore index (the caller checks). Offsets count elements.
 */
public final class CrossEntropyKernels {
    private CrossEntropyKernels() {}

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** {@code loss[r]} and {@code logSumExp[r]} (both float32 runs of {@code rows}) from the logits, as in the class comment. */
    public static void forward(MemorySegment loss, long lossOff, MemorySegment logSumExp, long lseOff,
                               MemorySegment logits, long logitsOff, long[] labels, long ignoreIndex, int rows, int cols) {
        checkShape("forward", labels, rows, cols);
        boolean simd = Simd.enabled();
        ReduceKernels.forEachRow(rows, cols, r -> {
            long row = logitsOff + (long) r * cols;
            double lse = simd ? logSumExpSimd(logits, row, cols) : logSumExpScalar(logits, row, cols);
            logSumExp.setAtIndex(JAVA_FLOAT, lseOff + r, (float) lse);
            double value = labels[r] == ignoreIndex ? 0 : lse - logits.getAtIndex(JAVA_FLOAT, row + labels[r]);
            loss.setAtIndex(JAVA_FLOAT, lossOff + r, (float) value);
        });
    }

    /**
     * {@code dx} (rows × cols) from the gradient {@code g} of the per-row loss (a float32 run of
     * {@code rows}), the logits and the forward's {@code logSumExp}, as in the class comment.
     */
    public static void backward(MemorySegment dx, long dxOff, MemorySegment g, long gOff,
                                MemorySegment logits, long logitsOff, long[] labels, long ignoreIndex,
                                MemorySegment logSumExp, long lseOff, int rows, int cols) {
        checkShape("backward", labels, rows, cols);
        boolean simd = Simd.enabled();
        ReduceKernels.forEachRow(rows, cols, r -> {
            long offset = (long) r * cols;
            if (labels[r] == ignoreIndex) {
                dx.asSlice((dxOff + offset) * Float.BYTES, (long) cols * Float.BYTES).fill((byte) 0);
                return;
            }
            float scale = g.getAtIndex(JAVA_FLOAT, gOff + r);
            float lse = logSumExp.getAtIndex(JAVA_FLOAT, lseOff + r);
            int label = (int) labels[r];
            if (simd) {
                rowGradientSimd(dx, dxOff + offset, scale, logits, logitsOff + offset, label, lse, cols);
            } else {
                rowGradientScalar(dx, dxOff + offset, scale, logits, logitsOff + offset, label, lse, cols);
            }
        });
    }

    // ------------------------------------------------------------------------------------ forward

    /** Scalar reference: log Σ e^(x_i) over in[off, off + n), shifted by the max; ±∞ or NaN as the max is. */
    static double logSumExpScalar(MemorySegment in, long off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, in.getAtIndex(JAVA_FLOAT, off + i));
        }
        if (Float.isInfinite(max) || Float.isNaN(max)) {
            return max;                 // all −∞ (or n = 0) gives −∞, not NaN from −∞ − −∞; +∞ gives +∞
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) in.getAtIndex(JAVA_FLOAT, off + i) - max);
        }
        return max + Math.log(sum);
    }

    /** Vector API version of {@link #logSumExpScalar}: float lanes, the row's last lanes under a mask. */
    static double logSumExpSimd(MemorySegment in, long off, int n) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        VectorMask<Float> tail = SPECIES.indexInRange(bound, n);
        FloatVector maxes = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < bound; i += step) {
            maxes = maxes.max(load(in, off + i));
        }
        maxes = maxes.lanewise(VectorOperators.MAX, load(in, off + bound, tail), tail);
        float max = maxes.reduceLanes(VectorOperators.MAX);      // max is exact in any order
        if (Float.isInfinite(max) || Float.isNaN(max)) {
            return max;
        }
        FloatVector sums = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += step) {
            sums = sums.add(VectorMath.exp(load(in, off + i).sub(max)));
        }
        sums = sums.add(VectorMath.exp(load(in, off + bound, tail).sub(max)), tail);
        return max + Math.log(ReduceKernels.sumLanes(sums));
    }

    // ----------------------------------------------------------------------------------- backward

    /** Scalar reference of one row: dx_i = scale·(e^(x_i − lse) − [i = label]), in double. */
    static void rowGradientScalar(MemorySegment dx, long dxOff, float scale, MemorySegment logits, long logitsOff,
                                  int label, float lse, int n) {
        for (int i = 0; i < n; i++) {
            double p = Math.exp((double) logits.getAtIndex(JAVA_FLOAT, logitsOff + i) - lse);
            dx.setAtIndex(JAVA_FLOAT, dxOff + i, (float) (scale * (p - (i == label ? 1 : 0))));
        }
    }

    /**
     * Vector API version of {@link #rowGradientScalar}, in float: the row's last lanes under a mask,
     * and the label's lane subtracts 1 under a one-lane mask.
     */
    static void rowGradientSimd(MemorySegment dx, long dxOff, float scale, MemorySegment logits, long logitsOff,
                                int label, float lse, int n) {
        int step = SPECIES.length();
        for (int i = 0; i < n; i += step) {
            VectorMask<Float> inRow = SPECIES.indexInRange(i, n);
            FloatVector p = VectorMath.exp(load(logits, logitsOff + i, inRow).sub(lse));
            if (label >= i && label < i + step) {
                p = p.sub(1f, VectorMask.fromLong(SPECIES, 1L << (label - i)));
            }
            p.mul(scale).intoMemorySegment(dx, (dxOff + i) * Float.BYTES, ORDER, inRow);
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    private static void checkShape(String op, long[] labels, int rows, int cols) {
        if (rows < 0 || cols < 0 || labels.length != rows) {
            throw new IllegalArgumentException("CrossEntropyKernels." + op + ": needs rows, cols >= 0 and one label per row, got rows="
                    + rows + ", cols=" + cols + ", " + labels.length + " labels");
        }
    }

    private static FloatVector load(MemorySegment in, long index) {
        return FloatVector.fromMemorySegment(SPECIES, in, index * Float.BYTES, ORDER);
    }

    /** The lanes of in[index, index + lanes) under {@code mask}; lanes outside it read as 0 and touch no memory. */
    private static FloatVector load(MemorySegment in, long index, VectorMask<Float> mask) {
        return FloatVector.fromMemorySegment(SPECIES, in, index * Float.BYTES, ORDER, mask);
    }
}

package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax and log-softmax over each row of a (rows, cols) row-major block, numerically stable: with
 * m = max_k x_k every exponent x_j − m is ≤ 0, so nothing overflows (softmax(1000, 1001) is fine).
 * <pre>
 *   softmax(x)_j    = e^(x_j − m) / s,      s = Σ_k e^(x_k − m)
 *   logSoftmax(x)_j = (x_j − m) − log s
 * </pre>
 * Three passes per row, each a scalar reference ({@code ...Scalar}) or a Vector API kernel
 * ({@code ...Simd}) as {@link Simd#enabled()} says: m ({@link ReduceKernels#max}); then e^(x_j − m)
 * written to out and summed (softmax; log-softmax only sums); then the output. Writing e^(x_j − m) in
 * pass two and scaling it in place costs a pass over out, but computing exp twice cost 1.9x more.
 *
 * <p>Offsets count elements. {@code out} may be {@code in} at the same offset (in place), and must
 * not overlap it otherwise. Rows are spread over {@link Parallel} in fixed groups, each row computed
 * by one task, so results do not depend on the thread count. A row of −∞ only gives NaN (as PyTorch).
 */
public final class SoftmaxKernels {
    private SoftmaxKernels() {}

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** {@code out} row r = softmax of {@code in} row r, for r ∈ [0, rows), rows of cols elements. */
    public static void softmaxRows(MemorySegment out, long outOff, MemorySegment in, long inOff, int rows, int cols) {
        boolean simd = Simd.enabled();
        ReduceKernels.forEachRow(rows, cols, r -> {
            long inRow = inOff + (long) r * cols;
            long outRow = outOff + (long) r * cols;
            if (cols > 0) {
                float max = ReduceKernels.max(in, inRow, cols);
                double sum = 0; // per block of float sums, added in double as in ReduceKernels
                for (int from = 0; from < cols; from += ReduceKernels.BLOCK) {
                    int count = Math.min(ReduceKernels.BLOCK, cols - from);
                    sum += simd
                            ? expShiftedSimd(out, outRow + from, in, inRow + from, count, max)
                            : expShiftedScalar(out, outRow + from, in, inRow + from, count, max);
                }
                if (simd) {
                    scaleSimd(out, outRow, cols, 1 / sum);
                } else {
                    scaleScalar(out, outRow, cols, 1 / sum);
                }
            }
        });
    }

    /** {@code out} row r = log-softmax of {@code in} row r, for r ∈ [0, rows), rows of cols elements. */
    public static void logSoftmaxRows(MemorySegment out, long outOff, MemorySegment in, long inOff, int rows, int cols) {
        boolean simd = Simd.enabled();
        ReduceKernels.forEachRow(rows, cols, r -> {
            long inRow = inOff + (long) r * cols;
            long outRow = outOff + (long) r * cols;
            if (cols > 0) {
                float max = ReduceKernels.max(in, inRow, cols);
                double logSum = Math.log(ReduceKernels.sumExp(in, inRow, cols, max));
                if (simd) {
                    shiftedSimd(out, outRow, in, inRow, cols, max, logSum);
                } else {
                    shiftedScalar(out, outRow, in, inRow, cols, max, logSum);
                }
            }
        });
    }

    /** Scalar reference of softmax pass two: {@code out[i] = e^(x_i − shift)}; returns their sum, in double. */
    static double expShiftedScalar(MemorySegment out, long outOff, MemorySegment in, long inOff, int n, float shift) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp((double) in.getAtIndex(JAVA_FLOAT, inOff + i) - shift);
            out.setAtIndex(JAVA_FLOAT, outOff + i, (float) e);
            sum += e;
        }
        return sum;
    }

    /** Vector API softmax pass two ({@link VectorMath#exp}, float accumulator). */
    static double expShiftedSimd(MemorySegment out, long outOff, MemorySegment in, long inOff, int n, float shift) {
        int bound = SPECIES.loopBound(n);
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector e = VectorMath.exp(load(in, inOff + i).sub(shift));
            store(out, outOff + i, e);
            acc = acc.add(e);
        }
        return ReduceKernels.sumLanes(acc) + expShiftedScalar(out, outOff + bound, in, inOff + bound, n - bound, shift);
    }

    /** Scalar reference of softmax pass three: {@code out[i] = out[i] · scale}, in double. */
    static void scaleScalar(MemorySegment out, long outOff, int n, double scale) {
        for (int i = 0; i < n; i++) {
            out.setAtIndex(JAVA_FLOAT, outOff + i, (float) (out.getAtIndex(JAVA_FLOAT, outOff + i) * scale));
        }
    }

    /** Vector API softmax pass three (scale rounded to float). */
    static void scaleSimd(MemorySegment out, long outOff, int n, double scale) {
        int bound = SPECIES.loopBound(n);
        float s = (float) scale;
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, load(out, outOff + i).mul(s));
        }
        scaleScalar(out, outOff + bound, n - bound, scale);
    }

    /**
     * Scalar reference of the log-softmax output pass: {@code out[i] = (x_i − shift) − logSum}, in
     * double. The two subtractions stay apart: x − m is exact near the max, where the result is small
     * and (x − (m + log s)) would lose it to the rounding of m + log s.
     */
    static void shiftedScalar(MemorySegment out, long outOff, MemorySegment in, long inOff, int n,
                              float shift, double logSum) {
        for (int i = 0; i < n; i++) {
            double x = in.getAtIndex(JAVA_FLOAT, inOff + i);
            out.setAtIndex(JAVA_FLOAT, outOff + i, (float) ((x - shift) - logSum));
        }
    }

    /** Vector API log-softmax output pass, in float. */
    static void shiftedSimd(MemorySegment out, long outOff, MemorySegment in, long inOff, int n,
                            float shift, double logSum) {
        int bound = SPECIES.loopBound(n);
        float l = (float) logSum;
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, load(in, inOff + i).sub(shift).sub(l));
        }
        shiftedScalar(out, outOff + bound, in, inOff + bound, n - bound, shift, logSum);
    }

    private static FloatVector load(MemorySegment in, long index) {
        return FloatVector.fromMemorySegment(SPECIES, in, index * Float.BYTES, ORDER);
    }

    private static void store(MemorySegment out, long index, FloatVector v) {
        v.intoMemorySegment(out, index * Float.BYTES, ORDER);
    }
}

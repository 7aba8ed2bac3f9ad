package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Average pooling of float32 image planes {@code [H, W]} (contiguous, one after another), and its
 * gradient. Output (oh, ow) averages the input rows [rs(oh), re(oh)) times the columns
 * [cs(ow), ce(ow)), dividing by rowDivisor(oh)·columnDivisor(ow):
 *
 * <pre>  y[oh, ow] = Σ_{ih ∈ rows(oh)} Σ_{iw ∈ columns(ow)} x[ih, iw] / (rowDivisor(oh)·columnDivisor(ow))
 *  dx[ih, iw] = Σ_{windows (oh, ow) that hold (ih, iw)} g[oh, ow] / (rowDivisor(oh)·columnDivisor(ow))</pre>
 *
 * An {@link Axis} lists the windows along one axis: a sliding window ({@link Axis#sliding}: the
 * padding counts in the divisor, PyTorch's {@code count_include_pad=True}) or the adaptive windows of
 * AdaptiveAvgPool2d ({@link Axis#adaptive}), global average pooling included.
 *
 * <p><b>Separable.</b> A window's sum is a sum over its rows of column sums, so the forward pass adds
 * the window's input rows into one row v (W wide, contiguous rows: the part that moves the data,
 * SIMD), then sums v over each output's columns and divides (scalar: kW adds per output). The
 * backward pass is its transpose: each output row's gradients, divided, are spread over their
 * columns into one row e, and e is written into (or added to, where windows overlap) each of the
 * window's input rows of dx. Every dx element is written once when windows do not overlap (no zeroing
 * pass); rows no window holds get 0. {@link #sumRowsScalar}/{@link #sumRowsSimd} and
 * {@link #addRowScalar}/{@link #addRowSimd} are the only SIMD/scalar pairs; they add the same numbers in
 * the same order, so both paths give the same bits. Offsets count floats.
 */
public final class AvgPoolKernels {
    private AvgPoolKernels() {}

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** One row of scratch per thread (v or e), grown on demand: a heap array, which the scalar loops over it read without a segment's checks. */
    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /**
     * The windows along one axis: output k reads the input [start[k], end[k]) and divides by
     * divisor[k] (the output's divisor is the product of its row's and its column's).
     */
    public record Axis(int[] start, int[] end, int[] divisor) {
        public Axis {
            if (start.length != end.length || start.length != divisor.length) {
                throw new IllegalArgumentException("Axis: start, end and divisor need one entry per output, got "
                        + start.length + ", " + end.length + " and " + divisor.length);
            }
        }

        /** Outputs along the axis. */
        public int count() { return start.length; }

        /**
         * A window of {@code kernel} elements every {@code stride}, {@code pad} padding elements on each
         * side of an axis of {@code size} (outputs as {@link WindowGeometry}); each divides by the
         * kernel, its padding included.
         */
        public static Axis sliding(int size, int kernel, int stride, int pad) {
            int outputs = Math.max(0, Math.floorDiv(size + 2 * pad - kernel, stride) + 1);
            int[] start = new int[outputs], end = new int[outputs], divisor = new int[outputs];
            for (int k = 0; k < outputs; k++) {
                start[k] = Math.clamp(k * stride - pad, 0, size);
                end[k] = Math.clamp(k * stride - pad + kernel, start[k], size);
                divisor[k] = kernel;
            }
            return new Axis(start, end, divisor);
        }

        /** AdaptiveAvgPool2d's windows: output k averages [⌊k·size/outputs⌋, ⌈(k+1)·size/outputs⌉). */
        public static Axis adaptive(int size, int outputs) {
            int[] start = new int[outputs], end = new int[outputs], divisor = new int[outputs];
            for (int k = 0; k < outputs; k++) {
                start[k] = (int) ((long) k * size / outputs);
                end[k] = (int) Math.ceilDiv((long) (k + 1) * size, outputs);
                divisor[k] = end[k] - start[k];
            }
            return new Axis(start, end, divisor);
        }

        @Override
        public String toString() {
            return "Axis[start=" + Arrays.toString(start) + ", end=" + Arrays.toString(end) + ", divisor=" + Arrays.toString(divisor) + "]";
        }
    }

    /** y planes {@code [rows.count(), columns.count()]} at yOff = the window means of x planes {@code [H, W]} at xOff. */
    public static void forward(MemorySegment x, long xOff, int planes, int height, int width, Axis rows, Axis columns,
                               MemorySegment y, long yOff) {
        boolean simd = Simd.enabled();
        float[] v = row(width);
        int outH = rows.count(), outW = columns.count();
        for (int p = 0; p < planes; p++) {
            long plane = xOff + (long) p * height * width;
            for (int oh = 0; oh < outH; oh++) {
                long first = plane + (long) rows.start[oh] * width;
                int count = rows.end[oh] - rows.start[oh];
                if (simd) {
                    sumRowsSimd(v, x, first, count, width);
                } else {
                    sumRowsScalar(v, x, first, count, width);
                }
                long out = yOff + ((long) p * outH + oh) * outW;
                for (int ow = 0; ow < outW; ow++) {
                    float sum = 0;
                    for (int iw = columns.start[ow]; iw < columns.end[ow]; iw++) {
                        sum += v[iw];
                    }
                    y.setAtIndex(JAVA_FLOAT, out + ow, sum / ((float) rows.divisor[oh] * columns.divisor[ow]));
                }
            }
        }
    }

    /**
     * dx planes {@code [H, W]} at dxOff = the gradient of {@link #forward} for the output gradient g
     * (planes {@code [rows.count(), columns.count()]} at gOff); dx is overwritten. The windows' starts
     * and ends must not decrease from one output to the next (as sliding and adaptive windows do).
     */
    public static void backward(MemorySegment g, long gOff, int planes, int height, int width, Axis rows, Axis columns,
                                MemorySegment dx, long dxOff) {
        boolean simd = Simd.enabled();
        float[] e = row(width);
        int outH = rows.count(), outW = columns.count();
        for (int p = 0; p < planes; p++) {
            long plane = dxOff + (long) p * height * width;
            int written = 0;                                    // rows [0, written) of dx hold a value
            for (int oh = 0; oh < outH; oh++) {
                Arrays.fill(e, 0, width, 0f);
                long grads = gOff + ((long) p * outH + oh) * outW;
                for (int ow = 0; ow < outW; ow++) {
                    float share = g.getAtIndex(JAVA_FLOAT, grads + ow) / ((float) rows.divisor[oh] * columns.divisor[ow]);
                    for (int iw = columns.start[ow]; iw < columns.end[ow]; iw++) {
                        e[iw] += share;
                    }
                }
                if (rows.start[oh] > written) {                 // rows between windows: no gradient
                    zeroRows(dx, plane, written, rows.start[oh], width);
                    written = rows.start[oh];
                }
                for (int ih = rows.start[oh]; ih < rows.end[oh]; ih++) {
                    long at = plane + (long) ih * width;
                    if (ih < written) {                         // also the previous window's row: accumulate
                        if (simd) {
                            addRowSimd(dx, at, e, width);
                        } else {
                            addRowScalar(dx, at, e, width);
                        }
                    } else {
                        MemorySegment.copy(e, 0, dx, JAVA_FLOAT, at * Float.BYTES, width);
                    }
                }
                written = Math.max(written, rows.end[oh]);
            }
            zeroRows(dx, plane, written, height, width);
        }
    }

    private static void zeroRows(MemorySegment dx, long plane, int from, int to, int width) {
        if (to > from) {
            dx.asSlice((plane + (long) from * width) * Float.BYTES, (long) (to - from) * width * Float.BYTES).fill((byte) 0);
        }
    }

    /** A scratch row of at least {@code width} floats for this thread. */
    private static float[] row(int width) {
        float[][] held = ROW.get();
        if (held[0].length < width) {
            held[0] = new float[width];
        }
        return held[0];
    }

    /** Scalar reference: v[0, W) = Σ_{r < count} x[first + r·W, + W), the rows added in order (zeros for count = 0). */
    static void sumRowsScalar(float[] v, MemorySegment x, long first, int count, int width) {
        for (int iw = 0; iw < width; iw++) {
            float sum = 0;
            for (int r = 0; r < count; r++) {
                sum += x.getAtIndex(JAVA_FLOAT, first + (long) r * width + iw);
            }
            v[iw] = sum;
        }
    }

    /** SIMD {@link #sumRowsScalar}: a vector of columns at a time (the last one masked), the rows added in the same order. */
    static void sumRowsSimd(float[] v, MemorySegment x, long first, int count, int width) {
        for (int iw = 0; iw < width; iw += FLOATS.length()) {
            VectorMask<Float> inside = FLOATS.indexInRange(iw, width);
            FloatVector sum = FloatVector.zero(FLOATS);
            for (int r = 0; r < count; r++) {
                sum = sum.add(FloatVector.fromMemorySegment(FLOATS, x, (first + (long) r * width + iw) * Float.BYTES, ORDER, inside));
            }
            sum.intoArray(v, iw, inside);
        }
    }

    /** Scalar reference: dx[at, at + W) += e[0, W). */
    static void addRowScalar(MemorySegment dx, long at, float[] e, int width) {
        for (int iw = 0; iw < width; iw++) {
            dx.setAtIndex(JAVA_FLOAT, at + iw, dx.getAtIndex(JAVA_FLOAT, at + iw) + e[iw]);
        }
    }

    /** SIMD {@link #addRowScalar}: a vector of columns at a time, the last one masked. */
    static void addRowSimd(MemorySegment dx, long at, float[] e, int width) {
        for (int iw = 0; iw < width; iw += FLOATS.length()) {
            VectorMask<Float> inside = FLOATS.indexInRange(iw, width);
            long to = (at + iw) * Float.BYTES;
            FloatVector.fromMemorySegment(FLOATS, dx, to, ORDER, inside)
                    .add(FloatVector.fromArray(FLOATS, e, iw, inside))
                    .intoMemorySegment(dx, to, ORDER, inside);
        }
    }
}

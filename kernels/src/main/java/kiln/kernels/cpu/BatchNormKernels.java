package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The passes of batch normalisation over float32 {@code x [N, C, S]} (S: the elements of one
 * channel in one sample, H·W for images, 1 for features {@code [N, C]}; contiguous from xOff),
 * each for the channels [first, end) only, so that callers split the channels between tasks. Batch
 * normalisation is built from three of them:
 *
 * <pre>
 *  {@link #sums}:          first[c] += Σ_{n,s} (a − α[c]),   second[c] += Σ_{n,s} (a − α[c])·(b − β[c])
 *  {@link #normalize}:     out = (in − μ[c])·scale[c] + shift[c]              (the product and sum: one fused multiply-add)
 *  {@link #inputGradient}: dx = ((g − gMean[c]) − (x − μ[c])·k[c])·scale[c]
 * </pre>
 *
 * (statistics: sums of x and of x·x, then of x − μ and (x − μ)², the corrected two-pass variance;
 * normalising: normalize with scale = γ/σ, shift = β; the gradient's sums: Σ g and Σ g·(x − μ);
 * then inputGradient. Centring first keeps x − μ exact for data far from zero, where
 * x·scale + (β − μ·scale) would lose the digits of x̂ in a cancellation.)
 *
 * <p><b>Layouts.</b> With S > 1 a channel is N contiguous runs of S elements: the SIMD kernels go
 * along each run with the channel's numbers broadcast. With S = 1 a sample's C channels are
 * contiguous: the SIMD kernels go across the channels, a lane per channel. The last vector of a run
 * or a row is masked.
 *
 * <p><b>Sums.</b> The scalar reference adds every term in double. The SIMD kernels add in float
 * lanes, at most {@link #CHUNK} terms to a lane's partial sum, and add the partial sums into the
 * double totals: an error of about CHUNK·2⁻²⁴ of the terms' magnitude at worst. Each channel's sum is one task's, in a fixed order: the result does not depend
 * on how the channels are split. The elementwise kernels give the same bits on both paths. Offsets
 * count floats.
 */
public final class BatchNormKernels {
    private BatchNormKernels() {}

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Terms a float lane accumulates before its partial sum goes into the double total (elements of a run, or rows). */
    static final int CHUNK = 4096;

    // ------------------------------------------------------------------------------------------ sums

    /**
     * For each channel c in [first, end): {@code first[c] += Σ (a − α[c])} and
     * {@code second[c] += Σ (a − α[c])·(b − β[c])} over the N·S elements of the channel in a and b
     * (both {@code [N, C, S]}).
     */
    public static void sums(double[] firstSums, double[] secondSums, MemorySegment a, long aOff, MemorySegment b, long bOff,
                            float[] alpha, float[] beta, int n, int channels, int s, int first, int end) {
        if (Simd.enabled()) {
            sumsSimd(firstSums, secondSums, a, aOff, b, bOff, alpha, beta, n, channels, s, first, end);
        } else {
            sumsScalar(firstSums, secondSums, a, aOff, b, bOff, alpha, beta, n, channels, s, first, end);
        }
    }

    /** Scalar reference of {@link #sums}: every term in double, sample by sample. */
    static void sumsScalar(double[] firstSums, double[] secondSums, MemorySegment a, long aOff, MemorySegment b, long bOff,
                           float[] alpha, float[] beta, int n, int channels, int s, int first, int end) {
        for (int c = first; c < end; c++) {
            double sumA = 0, sumAB = 0;
            for (int i = 0; i < n; i++) {
                long run = ((long) i * channels + c) * s;
                for (int j = 0; j < s; j++) {
                    double da = a.getAtIndex(JAVA_FLOAT, aOff + run + j) - alpha[c];
                    sumA += da;
                    sumAB += da * (b.getAtIndex(JAVA_FLOAT, bOff + run + j) - beta[c]);
                }
            }
            firstSums[c] += sumA;
            secondSums[c] += sumAB;
        }
    }

    /** SIMD {@link #sums}: float lanes along each run (S > 1) or across the channels (S = 1), flushed into double. */
    static void sumsSimd(double[] firstSums, double[] secondSums, MemorySegment a, long aOff, MemorySegment b, long bOff,
                         float[] alpha, float[] beta, int n, int channels, int s, int first, int end) {
        if (s == 1) {
            sumsAcross(firstSums, secondSums, a, aOff, b, bOff, alpha, beta, n, channels, first, end);
        } else {
            sumsAlong(firstSums, secondSums, a, aOff, b, bOff, alpha, beta, n, channels, s, first, end);
        }
    }

    /** {@link #sumsSimd} for S = 1: a lane per channel, CHUNK samples at a time. */
    private static void sumsAcross(double[] firstSums, double[] secondSums, MemorySegment a, long aOff, MemorySegment b, long bOff,
                                   float[] alpha, float[] beta, int n, int channels, int first, int end) {
        int lanes = FLOATS.length();
        float[] partA = new float[lanes], partAB = new float[lanes];
        for (int c = first; c < end; c += lanes) {
            VectorMask<Float> inside = FLOATS.indexInRange(c, end);
            FloatVector shiftA = FloatVector.fromArray(FLOATS, alpha, c, inside), shiftB = FloatVector.fromArray(FLOATS, beta, c, inside);
            for (int i0 = 0; i0 < n; i0 += CHUNK) {
                FloatVector sumA = FloatVector.zero(FLOATS), sumAB = FloatVector.zero(FLOATS);
                for (int i = i0; i < Math.min(n, i0 + CHUNK); i++) {
                    long at = (long) i * channels + c;
                    FloatVector da = FloatVector.fromMemorySegment(FLOATS, a, (aOff + at) * Float.BYTES, ORDER, inside).sub(shiftA);
                    FloatVector db = FloatVector.fromMemorySegment(FLOATS, b, (bOff + at) * Float.BYTES, ORDER, inside).sub(shiftB);
                    sumA = sumA.add(da);
                    sumAB = da.fma(db, sumAB);
                }
                sumA.intoArray(partA, 0);
                sumAB.intoArray(partAB, 0);
                for (int l = 0; l < Math.min(lanes, end - c); l++) {
                    firstSums[c + l] += partA[l];
                    secondSums[c + l] += partAB[l];
                }
            }
        }
    }

    /**
     * {@link #sumsSimd} for S > 1: along each run, the lanes' partial sums carried from run to run and
     * added into double every CHUNK or so terms (a short run would otherwise pay a lane reduction each).
     */
    private static void sumsAlong(double[] firstSums, double[] secondSums, MemorySegment a, long aOff, MemorySegment b, long bOff,
                                  float[] alpha, float[] beta, int n, int channels, int s, int first, int end) {
        int lanes = FLOATS.length();
        for (int c = first; c < end; c++) {
            FloatVector shiftA = FloatVector.broadcast(FLOATS, alpha[c]), shiftB = FloatVector.broadcast(FLOATS, beta[c]);
            FloatVector sumA = FloatVector.zero(FLOATS), sumAB = FloatVector.zero(FLOATS);
            double totalA = 0, totalAB = 0;
            int terms = 0;                                      // in the lanes' partial sums, per lane about terms/lanes
            for (int i = 0; i < n; i++) {
                long run = ((long) i * channels + c) * s;
                for (int j = 0; j < s; j += lanes) {
                    VectorMask<Float> inside = FLOATS.indexInRange(j, s);
                    FloatVector da = FloatVector.fromMemorySegment(FLOATS, a, (aOff + run + j) * Float.BYTES, ORDER, inside)
                            .sub(shiftA, inside);                  // 0 in the lanes past the run
                    FloatVector db = FloatVector.fromMemorySegment(FLOATS, b, (bOff + run + j) * Float.BYTES, ORDER, inside).sub(shiftB);
                    sumA = sumA.add(da);
                    sumAB = da.fma(db, sumAB);
                    terms += lanes;
                    if (terms >= CHUNK * lanes) {
                        totalA += sumA.reduceLanes(VectorOperators.ADD);
                        totalAB += sumAB.reduceLanes(VectorOperators.ADD);
                        sumA = FloatVector.zero(FLOATS);
                        sumAB = FloatVector.zero(FLOATS);
                        terms = 0;
                    }
                }
            }
            firstSums[c] += totalA + sumA.reduceLanes(VectorOperators.ADD);
            secondSums[c] += totalAB + sumAB.reduceLanes(VectorOperators.ADD);
        }
    }

    // ------------------------------------------------------------------------------------- elementwise

    /** out = (in − mean[c])·scale[c] + shift[c] (a fused multiply-add) for the channels [first, end) of {@code [N, C, S]}. */
    public static void normalize(MemorySegment out, long outOff, MemorySegment in, long inOff, float[] mean, float[] scale, float[] shift,
                                 int n, int channels, int s, int first, int end) {
        if (Simd.enabled()) {
            normalizeSimd(out, outOff, in, inOff, mean, scale, shift, n, channels, s, first, end);
        } else {
            normalizeScalar(out, outOff, in, inOff, mean, scale, shift, n, channels, s, first, end);
        }
    }

    /** Scalar reference of {@link #normalize}. */
    static void normalizeScalar(MemorySegment out, long outOff, MemorySegment in, long inOff, float[] mean, float[] scale, float[] shift,
                                int n, int channels, int s, int first, int end) {
        for (int i = 0; i < n; i++) {
            for (int c = first; c < end; c++) {
                long run = ((long) i * channels + c) * s;
                for (int j = 0; j < s; j++) {
                    float centred = in.getAtIndex(JAVA_FLOAT, inOff + run + j) - mean[c];
                    out.setAtIndex(JAVA_FLOAT, outOff + run + j, Math.fma(centred, scale[c], shift[c]));
                }
            }
        }
    }

    /** SIMD {@link #normalize}: across the channels (S = 1) or along the runs (S > 1). */
    static void normalizeSimd(MemorySegment out, long outOff, MemorySegment in, long inOff, float[] mean, float[] scale, float[] shift,
                              int n, int channels, int s, int first, int end) {
        if (s == 1) {
            normalizeAcross(out, outOff, in, inOff, mean, scale, shift, n, channels, first, end);
        } else {
            normalizeAlong(out, outOff, in, inOff, mean, scale, shift, n, channels, s, first, end);
        }
    }

    private static void normalizeAcross(MemorySegment out, long outOff, MemorySegment in, long inOff, float[] mean, float[] scale,
                                        float[] shift, int n, int channels, int first, int end) {
        for (int i = 0; i < n; i++) {
            long row = (long) i * channels;
            for (int c = first; c < end; c += FLOATS.length()) {
                VectorMask<Float> inside = FLOATS.indexInRange(c, end);
                FloatVector.fromMemorySegment(FLOATS, in, (inOff + row + c) * Float.BYTES, ORDER, inside)
                        .sub(FloatVector.fromArray(FLOATS, mean, c, inside))
                        .fma(FloatVector.fromArray(FLOATS, scale, c, inside), FloatVector.fromArray(FLOATS, shift, c, inside))
                        .intoMemorySegment(out, (outOff + row + c) * Float.BYTES, ORDER, inside);
            }
        }
    }

    private static void normalizeAlong(MemorySegment out, long outOff, MemorySegment in, long inOff, float[] mean, float[] scale,
                                       float[] shift, int n, int channels, int s, int first, int end) {
        for (int i = 0; i < n; i++) {
            for (int c = first; c < end; c++) {
                long run = ((long) i * channels + c) * s;
                FloatVector mu = FloatVector.broadcast(FLOATS, mean[c]);
                FloatVector times = FloatVector.broadcast(FLOATS, scale[c]), plus = FloatVector.broadcast(FLOATS, shift[c]);
                for (int j = 0; j < s; j += FLOATS.length()) {
                    VectorMask<Float> inside = FLOATS.indexInRange(j, s);
                    FloatVector.fromMemorySegment(FLOATS, in, (inOff + run + j) * Float.BYTES, ORDER, inside).sub(mu).fma(times, plus)
                            .intoMemorySegment(out, (outOff + run + j) * Float.BYTES, ORDER, inside);
                }
            }
        }
    }

    /**
     * The input gradient of batch normalisation in training, for the channels [first, end):
     * {@code dx = ((g − gMean[c]) − (x − mean[c])·k[c])·scale[c]}, with gMean = Σg/n, k = Σg·(x − μ)/(n·σ²)
     * and scale = γ/σ (n the values per channel).
     */
    public static void inputGradient(MemorySegment dx, long dxOff, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                     float[] mean, float[] gMean, float[] k, float[] scale, int n, int channels, int s, int first, int end) {
        if (Simd.enabled()) {
            inputGradientSimd(dx, dxOff, g, gOff, x, xOff, mean, gMean, k, scale, n, channels, s, first, end);
        } else {
            inputGradientScalar(dx, dxOff, g, gOff, x, xOff, mean, gMean, k, scale, n, channels, s, first, end);
        }
    }

    /** Scalar reference of {@link #inputGradient}. */
    static void inputGradientScalar(MemorySegment dx, long dxOff, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                    float[] mean, float[] gMean, float[] k, float[] scale, int n, int channels, int s, int first, int end) {
        for (int i = 0; i < n; i++) {
            for (int c = first; c < end; c++) {
                long run = ((long) i * channels + c) * s;
                for (int j = 0; j < s; j++) {
                    float centred = x.getAtIndex(JAVA_FLOAT, xOff + run + j) - mean[c];
                    float upstream = g.getAtIndex(JAVA_FLOAT, gOff + run + j) - gMean[c];
                    dx.setAtIndex(JAVA_FLOAT, dxOff + run + j, Math.fma(-centred, k[c], upstream) * scale[c]);
                }
            }
        }
    }

    /** SIMD {@link #inputGradient}: across the channels (S = 1) or along the runs (S > 1). */
    static void inputGradientSimd(MemorySegment dx, long dxOff, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                  float[] mean, float[] gMean, float[] k, float[] scale, int n, int channels, int s, int first, int end) {
        if (s == 1) {
            inputGradientAcross(dx, dxOff, g, gOff, x, xOff, mean, gMean, k, scale, n, channels, first, end);
        } else {
            inputGradientAlong(dx, dxOff, g, gOff, x, xOff, mean, gMean, k, scale, n, channels, s, first, end);
        }
    }

    private static void inputGradientAcross(MemorySegment dx, long dxOff, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                            float[] mean, float[] gMean, float[] k, float[] scale, int n, int channels, int first, int end) {
        for (int i = 0; i < n; i++) {
            long row = (long) i * channels;
            for (int c = first; c < end; c += FLOATS.length()) {
                VectorMask<Float> inside = FLOATS.indexInRange(c, end);
                FloatVector centred = FloatVector.fromMemorySegment(FLOATS, x, (xOff + row + c) * Float.BYTES, ORDER, inside)
                        .sub(FloatVector.fromArray(FLOATS, mean, c, inside));
                FloatVector upstream = FloatVector.fromMemorySegment(FLOATS, g, (gOff + row + c) * Float.BYTES, ORDER, inside)
                        .sub(FloatVector.fromArray(FLOATS, gMean, c, inside));
                centred.neg().fma(FloatVector.fromArray(FLOATS, k, c, inside), upstream).mul(FloatVector.fromArray(FLOATS, scale, c, inside))
                        .intoMemorySegment(dx, (dxOff + row + c) * Float.BYTES, ORDER, inside);
            }
        }
    }

    private static void inputGradientAlong(MemorySegment dx, long dxOff, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                           float[] mean, float[] gMean, float[] k, float[] scale, int n, int channels, int s, int first, int end) {
        for (int i = 0; i < n; i++) {
            for (int c = first; c < end; c++) {
                long run = ((long) i * channels + c) * s;
                FloatVector mu = FloatVector.broadcast(FLOATS, mean[c]), gMu = FloatVector.broadcast(FLOATS, gMean[c]);
                FloatVector slope = FloatVector.broadcast(FLOATS, -k[c]), times = FloatVector.broadcast(FLOATS, scale[c]);
                for (int j = 0; j < s; j += FLOATS.length()) {
                    VectorMask<Float> inside = FLOATS.indexInRange(j, s);
                    FloatVector centred = FloatVector.fromMemorySegment(FLOATS, x, (xOff + run + j) * Float.BYTES, ORDER, inside).sub(mu);
                    FloatVector upstream = FloatVector.fromMemorySegment(FLOATS, g, (gOff + run + j) * Float.BYTES, ORDER, inside).sub(gMu);
                    centred.fma(slope, upstream).mul(times).intoMemorySegment(dx, (dxOff + run + j) * Float.BYTES, ORDER, inside);
                }
            }
        }
    }
}

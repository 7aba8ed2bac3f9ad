package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * Max pooling of float32 image planes {@code [H, W]} (contiguous, one after another), and its
 * gradient, without laying the windows out first:
 *
 * <pre>  y[oh, ow] = max_{i, j} x[oh·sH + i·dH − pH, ow·sW + j·dW − pW]</pre>
 *
 * The winner of a window is its first maximum in row-major tap order (i, j), a padding tap counting
 * as −∞; a NaN beats everything and the first NaN stays (PyTorch's argmax rule). The forward pass
 * records each winner (its index ih·W + iw in the plane, or −1 for a padding tap, possible only in a
 * window of −∞), and the backward pass sends each output's gradient to it.
 *
 * <p>{@link #winnerReference} finds a winner from the definition, tap by tap, checking the borders.
 * The fast path uses it only for windows that reach into the padding. Inside the image it ranks the
 * taps by a 64-bit key, the value's order in the high half and the tap's position (earlier is
 * larger) in the low half, and takes their maximum: the same winner without a data-dependent branch
 * per tap (with random data, half of those branches are mispredicted, which cost more than the rest
 * of the work). Offsets count floats.
 */
public final class MaxPoolKernels {
    private MaxPoolKernels() {}

    /**
     * y planes {@code [OH, OW]} at yOff from x planes {@code [H, W]} at xOff, for {@code planes}
     * planes; each output's winner into {@code winners} (same layout as y, from winnersOff).
     */
    public static void forward(MemorySegment x, long xOff, int planes, int height, int width, WindowGeometry w,
                               MemorySegment y, long yOff, int[] winners, int winnersOff) {
        int outH = w.outH(height), outW = w.outW(width);
        boolean fast = Simd.enabled();
        for (int p = 0; p < planes; p++) {
            long plane = xOff + (long) p * height * width;
            int out = p * outH * outW;
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int winner = fast ? winner(x, plane, height, width, w, oh, ow) : winnerReference(x, plane, height, width, w, oh, ow);
                    float value = winner < 0 ? Float.NEGATIVE_INFINITY : x.getAtIndex(JAVA_FLOAT, plane + winner);
                    y.setAtIndex(JAVA_FLOAT, yOff + out + (long) oh * outW + ow, value);
                    winners[winnersOff + out + oh * outW + ow] = winner;
                }
            }
        }
    }

    /**
     * dx planes {@code [H, W]} at dxOff += the gradient g {@code [OH, OW]} at gOff, each output's sent
     * to its winner as {@link #forward} recorded them; the caller zeroes dx first. Outputs are visited
     * in row-major order, so an element that wins several windows sums their gradients in that order.
     */
    public static void backward(MemorySegment g, long gOff, int[] winners, int winnersOff, int planes, int height, int width,
                                WindowGeometry w, MemorySegment dx, long dxOff) {
        int outs = w.outH(height) * w.outW(width);
        for (int p = 0; p < planes; p++) {
            long gradPlane = dxOff + (long) p * height * width;
            for (int o = p * outs; o < (p + 1) * outs; o++) {
                int winner = winners[winnersOff + o];
                if (winner >= 0) {
                    long to = gradPlane + winner;
                    dx.setAtIndex(JAVA_FLOAT, to, dx.getAtIndex(JAVA_FLOAT, to) + g.getAtIndex(JAVA_FLOAT, gOff + o));
                }
            }
        }
    }

    /** The winner of window (oh, ow): ranked by key inside the image, by the reference at the border. */
    private static int winner(MemorySegment x, long plane, int height, int width, WindowGeometry w, int oh, int ow) {
        int top = oh * w.strideH() - w.padH(), left = ow * w.strideW() - w.padW();
        int kH = w.kernelH(), kW = w.kernelW(), dH = w.dilationH(), dW = w.dilationW();
        if (top < 0 || left < 0 || top + (kH - 1) * dH >= height || left + (kW - 1) * dW >= width) {
            return winnerReference(x, plane, height, width, w, oh, ow);
        }
        long best = Long.MIN_VALUE;
        int tap = 0;
        for (int i = 0, row = top * width + left; i < kH; i++, row += dH * width) {
            for (int j = 0, at = row; j < kW; j++, at += dW, tap++) {
                // Low half: the position, larger for earlier taps, so that ties go to the first.
                long key = ((long) order(x.getAtIndex(JAVA_FLOAT, plane + at)) << 32) | (0xFFFFFFFFL - tap);
                best = Math.max(best, key);
            }
        }
        int first = (int) (0xFFFFFFFFL - (best & 0xFFFFFFFFL));                // the winning tap, row-major
        return (top + first / kW * dH) * width + left + first % kW * dW;
    }

    /**
     * An int in the order of the floats' values: every NaN above +∞ and equal to each other, −0 equal
     * to +0. (The bits of a non-negative float already sort as ints; a negative float's magnitude
     * bits are flipped so that larger magnitudes sort lower.)
     */
    static int order(float v) {
        int bits = Float.floatToIntBits(v);            // every NaN as the one positive NaN, above +∞
        if (bits == 0x80000000) {
            bits = 0;                                  // −0 ranks as +0
        }
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }

    /**
     * The index ih·W + iw within the plane of window (oh, ow)'s winner, or −1 for a padding tap: the
     * definition, every tap in row-major order, padding read as −∞.
     */
    public static int winnerReference(MemorySegment x, long plane, int height, int width, WindowGeometry w, int oh, int ow) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        boolean first = true;
        for (int i = 0; i < w.kernelH(); i++) {
            int ih = oh * w.strideH() + i * w.dilationH() - w.padH();
            for (int j = 0; j < w.kernelW(); j++) {
                int iw = ow * w.strideW() + j * w.dilationW() - w.padW();
                boolean inside = ih >= 0 && ih < height && iw >= 0 && iw < width;
                float v = inside ? x.getAtIndex(JAVA_FLOAT, plane + (long) ih * width + iw) : Float.NEGATIVE_INFINITY;
                if (first || v > bestValue || Float.isNaN(v) && !Float.isNaN(bestValue)) {
                    first = false;
                    bestValue = v;
                    best = inside ? ih * width + iw : -1;
                }
            }
        }
        return best;
    }
}

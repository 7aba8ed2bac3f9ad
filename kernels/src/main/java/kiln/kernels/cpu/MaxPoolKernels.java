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
 * as −∞; a NaN beats everything and the first NaN stays (PyTorch's argmax rule). The gradient of
 * y[oh, ow] goes to that winner alone, and is dropped when the winner is a padding tap (possible
 * only in a window of −∞). The backward pass finds the winners again from x rather than storing
 * them: a second pass over x costs about what reading stored indices would.
 *
 * <p>{@link #winnerReference} finds a winner from the definition, checking every tap against the
 * borders. The fast path uses it only for windows that reach into the padding; a window inside the
 * image (all of them, without padding) takes a loop with no border checks. Both apply the same rule
 * in the same order, so they agree exactly. Scalar code: the work is a few comparisons per input
 * element, and the engine runs one task per group of planes. Offsets count floats.
 */
public final class MaxPoolKernels {
    private MaxPoolKernels() {}

    /** y planes {@code [OH, OW]} at yOff from x planes {@code [H, W]} at xOff, for {@code planes} planes. */
    public static void forward(MemorySegment x, long xOff, int planes, int height, int width, WindowGeometry w,
                               MemorySegment y, long yOff) {
        int outH = w.outH(height), outW = w.outW(width);
        boolean fast = Simd.enabled();
        for (int p = 0; p < planes; p++) {
            long plane = xOff + (long) p * height * width;
            long out = yOff + (long) p * outH * outW;
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int winner = winner(fast, x, plane, height, width, w, oh, ow);
                    float value = winner < 0 ? Float.NEGATIVE_INFINITY : x.getAtIndex(JAVA_FLOAT, plane + winner);
                    y.setAtIndex(JAVA_FLOAT, out + (long) oh * outW + ow, value);
                }
            }
        }
    }

    /**
     * dx planes {@code [H, W]} at dxOff += the gradient g {@code [OH, OW]} at gOff sent to each
     * window's winner in x; the caller zeroes dx first. Windows are visited in row-major order.
     */
    public static void backward(MemorySegment x, long xOff, MemorySegment g, long gOff, int planes, int height, int width,
                                WindowGeometry w, MemorySegment dx, long dxOff) {
        int outH = w.outH(height), outW = w.outW(width);
        boolean fast = Simd.enabled();
        for (int p = 0; p < planes; p++) {
            long plane = xOff + (long) p * height * width;
            long gradPlane = dxOff + (long) p * height * width;
            long grads = gOff + (long) p * outH * outW;
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int winner = winner(fast, x, plane, height, width, w, oh, ow);
                    if (winner >= 0) {
                        long to = gradPlane + winner;
                        dx.setAtIndex(JAVA_FLOAT, to, dx.getAtIndex(JAVA_FLOAT, to) + g.getAtIndex(JAVA_FLOAT, grads + (long) oh * outW + ow));
                    }
                }
            }
        }
    }

    /** The winner of window (oh, ow): when {@code fast}, the fast loop inside the image, else the reference. */
    private static int winner(boolean fast, MemorySegment x, long plane, int height, int width, WindowGeometry w, int oh, int ow) {
        if (!fast) {
            return winnerReference(x, plane, height, width, w, oh, ow);
        }
        int top = oh * w.strideH() - w.padH(), left = ow * w.strideW() - w.padW();
        int bottom = top + (w.kernelH() - 1) * w.dilationH(), right = left + (w.kernelW() - 1) * w.dilationW();
        if (top < 0 || left < 0 || bottom >= height || right >= width) {
            return winnerReference(x, plane, height, width, w, oh, ow);
        }
        int kH = w.kernelH(), kW = w.kernelW(), rowStep = w.dilationH() * width, dW = w.dilationW();
        int start = top * width + left;
        int best = start;
        float bestValue = x.getAtIndex(JAVA_FLOAT, plane + start);
        for (int i = 0, row = start; i < kH; i++, row += rowStep) {
            for (int j = 0, at = row; j < kW; j++, at += dW) {
                float v = x.getAtIndex(JAVA_FLOAT, plane + at);
                if (v > bestValue || v != v && bestValue == bestValue) {     // larger, or the first NaN
                    bestValue = v;
                    best = at;
                }
            }
        }
        return best;
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

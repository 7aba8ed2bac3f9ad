package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling of float32 image planes {@code [H, W]} (contiguous, one after another), and its
 * gradient, without laying the windows out first:
 *
 * <pre>  y[oh, ow] = max_{i, j} x[oh·sH + i·dH − pH, ow·sW + j·dW − pW]</pre>
 *
 * The winner of a window is its first maximum in row-major tap order (i, j), a padding tap counting
 * as −∞; a NaN beats everything and the first NaN stays (PyTorch's argmax rule). The forward pass
 * records each winner (its index ih·W + iw in the plane, or −1 for a padding tap, possible only in a
 * window of −∞), and the backward pass sends each output's gradient there:
 * {@code dx[e] = Σ_{windows won by e} g[window]}, a sum that starts from +0.
 *
 * <p><b>Scalar references</b> ({@link #forwardScalar}, {@link #backwardScalar}): each window by the
 * definition ({@link #winnerReference}, tap by tap, borders checked), and a zeroed dx into which each
 * output's gradient is added at its winner.
 *
 * <p><b>SIMD forward</b>: a row of outputs whose windows lie inside the image is computed a vector
 * of outputs at a time, tap by tap. Two loads from the tap's position hold that tap of every window
 * in the vector; a two-vector permute picks lanes 0, s, 2s... (stride s = 1 or 2). A lane takes the
 * tap when {@code !(v ≤ best) && best == best}, i.e. v is larger, or v is the first NaN; the winning
 * tap's offset rides along in a vector as raw int bits (blends do not look at them). A row shorter
 * than the vector (LeNet's 14 and 5 outputs) is one masked vector. Windows that reach into the
 * padding, other strides, and the last windows of x (where a load would pass its end) go to the
 * reference. One straight loop body, no vector crossing a method call or a branch: the JIT keeps
 * every vector in a register (a helper returning a mask, or vectors carried from one tap to the
 * next, made some runs several times slower: boxed vectors).
 *
 * <p><b>SIMD backward</b>: when 2-wide windows tile the plane (kernel = stride, no padding, no
 * dilation, kW = 2: the usual 2×2 pooling), each element of dx belongs to at most one window, so
 * dx is written once, with no zeroing pass and no scatter: a vector of outputs' gradients and
 * winners, each repeated twice, lines up with two vectors of each of the window rows of dx, and a
 * lane keeps its gradient where the winner is its column. Overlapping windows (3×3 stride 2) need
 * the scatter, and take the reference; so do rows of fewer than LANES/2 outputs, where a vector's
 * fixed cost per row is more than the reference's zeroing (a memset) and one add per output (LeNet's
 * second pooling, 5 outputs a row: 96 µs by the reference against 175 µs, one core; its first, 14 a
 * row: 230 against 203 µs). Offsets count floats.
 */
public final class MaxPoolKernels {
    private MaxPoolKernels() {}

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** As many int lanes as float lanes: one winner per output. */
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    private static final int LANES = FLOATS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Lane l gets lane l/2, or LANES/2 + l/2: each of a vector's values twice, from its low or its high half. */
    private static final VectorShuffle<Integer> LOW_PAIRS = VectorShuffle.fromOp(INTS, lane -> lane / 2);
    private static final VectorShuffle<Integer> HIGH_PAIRS = VectorShuffle.fromOp(INTS, lane -> LANES / 2 + lane / 2);

    // ------------------------------------------------------------------------------------ forward

    /**
     * y planes {@code [OH, OW]} at yOff from x planes {@code [H, W]} at xOff, for {@code planes}
     * planes; each output's winner into {@code winners} (same layout as y, from winnersOff).
     */
    public static void forward(MemorySegment x, long xOff, int planes, int height, int width, WindowGeometry w,
                               MemorySegment y, long yOff, int[] winners, int winnersOff) {
        if (Simd.enabled()) {
            forwardSimd(x, xOff, planes, height, width, w, y, yOff, winners, winnersOff);
        } else {
            forwardScalar(x, xOff, planes, height, width, w, y, yOff, winners, winnersOff);
        }
    }

    /** Scalar reference of {@link #forward}: every window by the definition. */
    static void forwardScalar(MemorySegment x, long xOff, int planes, int height, int width, WindowGeometry w,
                              MemorySegment y, long yOff, int[] winners, int winnersOff) {
        int outH = w.outH(height), outW = w.outW(width);
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < outH; oh++) {
                int row = (p * outH + oh) * outW;
                windowsByReference(x, xOff + (long) p * height * width, height, width, w, oh, 0, outW, y, yOff + row, winners, winnersOff + row);
            }
        }
    }

    /** SIMD {@link #forward}: rows of windows inside the image by vectors of outputs, the rest by the reference. */
    static void forwardSimd(MemorySegment x, long xOff, int planes, int height, int width, WindowGeometry w,
                            MemorySegment y, long yOff, int[] winners, int winnersOff) {
        int outH = w.outH(height), outW = w.outW(width);
        int kH = w.kernelH(), kW = w.kernelW(), sW = w.strideW(), dH = w.dilationH(), dW = w.dilationW();
        // The outputs [first, end) of a row whose taps all land inside it.
        int first = w.firstColumnInside(0, outW), end = w.endColumnInside(kW - 1, width, outW);
        boolean vectors = (sW == 1 || sW == 2) && first < end;
        // Floats the loads of a vector of windows read from its tap (0, 0) on: the last tap's offset, and two vectors.
        long reach = (long) (kH - 1) * dH * width + (long) (kW - 1) * dW + 2L * LANES;
        long size = x.byteSize() / Float.BYTES;
        FloatVector picks = FloatVector.zero(FLOATS).addIndex(sW);       // lane l takes float l·sW of two vectors side by side
        IntVector columns = IntVector.zero(INTS).addIndex(sW);          // each window's tap (0, 0), from lane 0's
        for (int p = 0; p < planes; p++) {
            long plane = xOff + (long) p * height * width;
            for (int oh = 0; oh < outH; oh++) {
                int row = (p * outH + oh) * outW;
                int top = oh * w.strideH() - w.padH();
                int ow = 0;
                if (vectors && top >= 0 && top + (kH - 1) * dH < height) {
                    if (first > 0) {
                        windowsByReference(x, plane, height, width, w, oh, 0, first, y, yOff + row, winners, winnersOff + row);
                    }
                    for (ow = first; ow < end; ow += LANES) {
                        long at = plane + (long) top * width - w.padW() + (long) ow * sW;    // tap (0, 0) of window ow
                        if (at + reach > size) {
                            break;                                      // the loads would pass the end of x
                        }
                        // (−∞, tap 0) before any tap is the same as tap 0 taken: a first −∞ stays, anything else replaces it.
                        // The taps' offsets ride in bestTap as raw int bits, which blends do not touch.
                        FloatVector best = FloatVector.broadcast(FLOATS, Float.NEGATIVE_INFINITY), bestTap = FloatVector.zero(FLOATS);
                        for (int i = 0; i < kH; i++) {
                            for (int j = 0; j < kW; j++) {
                                int tap = i * dH * width + j * dW;
                                long from = (at + tap) * Float.BYTES;
                                FloatVector v = picks.selectFrom(FloatVector.fromMemorySegment(FLOATS, x, from, ORDER),
                                        FloatVector.fromMemorySegment(FLOATS, x, from + (long) LANES * Float.BYTES, ORDER));
                                // larger, or the first NaN: an unordered "not ≤" while best is still a number
                                VectorMask<Float> takes = v.compare(VectorOperators.LE, best).not().and(best.compare(VectorOperators.EQ, best));
                                best = best.blend(v, takes);
                                bestTap = bestTap.blend(Float.intBitsToFloat(tap), takes);
                            }
                        }
                        IntVector winner = bestTap.reinterpretAsInts().add(columns).add((int) (at - plane));
                        best.intoMemorySegment(y, (yOff + row + ow) * Float.BYTES, ORDER, FLOATS.indexInRange(ow, end));
                        winner.intoArray(winners, winnersOff + row + ow, INTS.indexInRange(ow, end));
                    }
                    ow = Math.min(ow, end);
                }
                if (ow < outW) {
                    windowsByReference(x, plane, height, width, w, oh, ow, outW, y, yOff + row, winners, winnersOff + row);
                }
            }
        }
    }

    /** Windows [from, to) of output row oh by {@link #winnerReference}: values from y[yRow], winners from winners[winnersRow]. */
    private static void windowsByReference(MemorySegment x, long plane, int height, int width, WindowGeometry w, int oh, int from, int to,
                                           MemorySegment y, long yRow, int[] winners, int winnersRow) {
        for (int ow = from; ow < to; ow++) {
            int winner = winnerReference(x, plane, height, width, w, oh, ow);
            y.setAtIndex(JAVA_FLOAT, yRow + ow, winner < 0 ? Float.NEGATIVE_INFINITY : x.getAtIndex(JAVA_FLOAT, plane + winner));
            winners[winnersRow + ow] = winner;
        }
    }

    /**
     * The index ih·W + iw within the plane of window (oh, ow)'s winner, or −1 for a padding tap: the
     * definition, every tap in row-major order, padding read as −∞.
     */
    static int winnerReference(MemorySegment x, long plane, int height, int width, WindowGeometry w, int oh, int ow) {
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

    // ----------------------------------------------------------------------------------- backward

    /**
     * dx planes {@code [H, W]} at dxOff = the gradient g {@code [OH, OW]} at gOff sent to the winners
     * that {@link #forward} recorded (dx is overwritten; an element that wins no window gets 0, one
     * that wins several the sum of their gradients in row-major output order).
     */
    public static void backward(MemorySegment g, long gOff, int[] winners, int winnersOff, int planes, int height, int width,
                                WindowGeometry w, MemorySegment dx, long dxOff) {
        if (Simd.enabled() && tilesInPairs(w) && w.outW(width) >= LANES / 2) {
            backwardSimd(g, gOff, winners, winnersOff, planes, height, width, w, dx, dxOff);
        } else {
            backwardScalar(g, gOff, winners, winnersOff, planes, height, width, w, dx, dxOff);
        }
    }

    /** Whether the windows tile the plane without overlap and are two columns wide (the geometry {@link #backwardSimd} takes). */
    static boolean tilesInPairs(WindowGeometry w) {
        return w.kernelW() == 2 && w.strideW() == 2 && w.strideH() == w.kernelH()
                && w.padH() == 0 && w.padW() == 0 && w.dilationH() == 1 && w.dilationW() == 1;
    }

    /** Scalar reference of {@link #backward}: dx zeroed, then each output's gradient added at its winner, outputs in order. */
    static void backwardScalar(MemorySegment g, long gOff, int[] winners, int winnersOff, int planes, int height, int width,
                               WindowGeometry w, MemorySegment dx, long dxOff) {
        int outs = w.outH(height) * w.outW(width);
        dx.asSlice(dxOff * Float.BYTES, (long) planes * height * width * Float.BYTES).fill((byte) 0);
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

    /**
     * SIMD {@link #backward} for windows that {@link #tilesInPairs tile the plane in pairs of
     * columns}: dx written once, a vector of outputs at a time. Output (oh, ow) owns the dx elements
     * (oh·kH + i, 2·ow + j), so its gradient and winner, each repeated twice (lanes l/2 and
     * LANES/2 + l/2), line up with two vectors of every dx row of the window, where the gradient is
     * kept at the winner's column and 0 elsewhere; rows and a column that no window covers get 0.
     * {@code 0 + g}, as the reference's sum (it turns a −0 gradient into +0).
     */
    static void backwardSimd(MemorySegment g, long gOff, int[] winners, int winnersOff, int planes, int height, int width,
                             WindowGeometry w, MemorySegment dx, long dxOff) {
        int outH = w.outH(height), outW = w.outW(width), kH = w.kernelH();
        long gSize = g.byteSize() / Float.BYTES;
        IntVector lanes = IntVector.zero(INTS).addIndex(1);
        FloatVector zero = FloatVector.zero(FLOATS);
        for (int p = 0; p < planes; p++) {
            long dxPlane = dxOff + (long) p * height * width;
            for (int oh = 0; oh < outH; oh++) {
                int outRow = (p * outH + oh) * outW;
                int ow = 0;
                for (; ow < outW; ow += LANES) {
                    int o = outRow + ow;
                    if (gOff + o + LANES > gSize || winnersOff + o + LANES > winners.length) {
                        break;                                           // the loads would pass the end of g or winners
                    }
                    IntVector grads = IntVector.fromMemorySegment(INTS, g, (gOff + o) * Float.BYTES, ORDER);
                    IntVector won = IntVector.fromArray(INTS, winners, winnersOff + o);
                    IntVector gradsLow = grads.rearrange(LOW_PAIRS), gradsHigh = grads.rearrange(HIGH_PAIRS);
                    IntVector wonLow = won.rearrange(LOW_PAIRS), wonHigh = won.rearrange(HIGH_PAIRS);
                    VectorMask<Integer> coveredLow = INTS.indexInRange(2 * ow, 2 * outW), coveredHigh = INTS.indexInRange(2 * ow + LANES, 2 * outW);
                    for (int ih = oh * kH; ih < (oh + 1) * kH; ih++) {
                        int column = ih * width + 2 * ow;                // the plane index of the first lane's element
                        long at = (dxPlane + column) * Float.BYTES;
                        VectorMask<Integer> low = wonLow.compare(VectorOperators.EQ, lanes.add(column)).and(coveredLow);
                        zero.add(IntVector.zero(INTS).blend(gradsLow, low).reinterpretAsFloats())
                                .intoMemorySegment(dx, at, ORDER, FLOATS.indexInRange(2 * ow, width));
                        if (2 * ow + LANES < width) {                    // the high half has columns in the row
                            VectorMask<Integer> high = wonHigh.compare(VectorOperators.EQ, lanes.add(column + LANES)).and(coveredHigh);
                            zero.add(IntVector.zero(INTS).blend(gradsHigh, high).reinterpretAsFloats())
                                    .intoMemorySegment(dx, at + (long) LANES * Float.BYTES, ORDER, FLOATS.indexInRange(2 * ow + LANES, width));
                        }
                    }
                }
                for (int ih = oh * kH; ih < (oh + 1) * kH; ih++) {           // columns the vectors did not reach
                    for (int iw = Math.min(2 * ow, width); iw < width; iw++) {
                        int o = outRow + iw / 2;
                        boolean won = iw < 2 * outW && winners[winnersOff + o] == ih * width + iw;
                        dx.setAtIndex(JAVA_FLOAT, dxPlane + (long) ih * width + iw, won ? 0f + g.getAtIndex(JAVA_FLOAT, gOff + o) : 0f);
                    }
                }
            }
            long below = (long) outH * kH * width;                      // rows below the last window
            dx.asSlice((dxPlane + below) * Float.BYTES, ((long) height * width - below) * Float.BYTES).fill((byte) 0);
        }
    }
}

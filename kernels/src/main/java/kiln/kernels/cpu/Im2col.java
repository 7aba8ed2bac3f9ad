package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * im2col and col2im for one float32 image, the data movement of a convolution. The image is
 * {@code [C, H, W]} and the columns {@code [C, kH, kW, OH, OW]}, both contiguous from their offsets:
 *
 * <pre>  cols[c, i, j, oh, ow] = image[c, oh·sH + i·dH − pH, ow·sW + j·dW − pW]    (padValue outside)</pre>
 *
 * Read as a matrix {@code [C·kH·kW, OH·OW]}, column (oh, ow) holds the window at that output
 * position, so a convolution is one matrix product of the filters with it. col2im is the adjoint:
 * every column entry is added back into the element it was read from (padding entries are dropped),
 * so an element read by several overlapping windows receives the sum.
 *
 * <p>Each has a scalar reference ({@code ...Reference}, a loop over every entry, read from the formula)
 * and a fast version that works a row (c, i, j, oh) at a time: it finds the run of ow whose taps land
 * inside the image once, fills the padding on either side, and copies (or, for col2im, adds) the run
 * with the Vector API when the stride along W is 1. Both visit entries in the same order,
 * so col2im's sums are bit-identical to the reference. Offsets count floats. Single-threaded: callers
 * run one image per task.
 */
public final class Im2col {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long BYTES = Float.BYTES;

    private Im2col() {}

    /** Floats in the columns of one image: C·kH·kW·OH·OW. */
    public static long columnsSize(int channels, int height, int width, WindowGeometry w) {
        return (long) channels * w.kernelH() * w.kernelW() * w.outH(height) * w.outW(width);
    }

    /** Image {@code [C, H, W]} at imageOff into columns {@code [C, kH, kW, OH, OW]} at colsOff. */
    public static void im2col(MemorySegment image, long imageOff, int channels, int height, int width, WindowGeometry w,
                              float padValue, MemorySegment cols, long colsOff) {
        if (!Simd.enabled()) {
            im2colReference(image, imageOff, channels, height, width, w, padValue, cols, colsOff);
            return;
        }
        int outH = w.outH(height), outW = w.outW(width);
        long at = colsOff;
        for (int c = 0; c < channels; c++) {
            long plane = imageOff + (long) c * height * width;
            for (int i = 0; i < w.kernelH(); i++) {
                int ohFirst = WindowGeometry.firstInside(i, w.strideH(), w.padH(), w.dilationH(), outH);
                int ohEnd = WindowGeometry.endInside(i, w.strideH(), w.padH(), w.dilationH(), height, outH);
                for (int j = 0; j < w.kernelW(); j++) {
                    int owFirst = WindowGeometry.firstInside(j, w.strideW(), w.padW(), w.dilationW(), outW);
                    int owEnd = Math.max(owFirst, WindowGeometry.endInside(j, w.strideW(), w.padW(), w.dilationW(), width, outW));
                    int column = j * w.dilationW() - w.padW();          // input column read at ow = 0
                    for (int oh = 0; oh < outH; oh++, at += outW) {
                        if (oh < ohFirst || oh >= ohEnd) {
                            fill(cols, at, outW, padValue);
                            continue;
                        }
                        long row = plane + (long) (oh * w.strideH() + i * w.dilationH() - w.padH()) * width + column;
                        fill(cols, at, owFirst, padValue);
                        if (w.strideW() == 1) {
                            copyRun(cols, at + owFirst, image, row + owFirst, owEnd - owFirst);
                        } else {
                            for (int ow = owFirst; ow < owEnd; ow++) {
                                cols.setAtIndex(JAVA_FLOAT, at + ow, image.getAtIndex(JAVA_FLOAT, row + (long) ow * w.strideW()));
                            }
                        }
                        fill(cols, at + owEnd, outW - owEnd, padValue);
                    }
                }
            }
        }
    }

    /** Scalar reference of {@link #im2col}: every column entry from the formula. */
    public static void im2colReference(MemorySegment image, long imageOff, int channels, int height, int width, WindowGeometry w,
                                       float padValue, MemorySegment cols, long colsOff) {
        int outH = w.outH(height), outW = w.outW(width);
        long at = colsOff;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < w.kernelH(); i++) {
                for (int j = 0; j < w.kernelW(); j++) {
                    for (int oh = 0; oh < outH; oh++) {
                        for (int ow = 0; ow < outW; ow++, at++) {
                            int ih = oh * w.strideH() + i * w.dilationH() - w.padH();
                            int iw = ow * w.strideW() + j * w.dilationW() - w.padW();
                            boolean inside = ih >= 0 && ih < height && iw >= 0 && iw < width;
                            float value = inside ? image.getAtIndex(JAVA_FLOAT, imageOff + ((long) c * height + ih) * width + iw) : padValue;
                            cols.setAtIndex(JAVA_FLOAT, at, value);
                        }
                    }
                }
            }
        }
    }

    /** Adds columns {@code [C, kH, kW, OH, OW]} at colsOff into image {@code [C, H, W]} at imageOff (which the caller zeroes first). */
    public static void col2im(MemorySegment cols, long colsOff, int channels, int height, int width, WindowGeometry w,
                              MemorySegment image, long imageOff) {
        if (!Simd.enabled()) {
            col2imReference(cols, colsOff, channels, height, width, w, image, imageOff);
            return;
        }
        int outH = w.outH(height), outW = w.outW(width);
        long at = colsOff;
        for (int c = 0; c < channels; c++) {
            long plane = imageOff + (long) c * height * width;
            for (int i = 0; i < w.kernelH(); i++) {
                int ohFirst = WindowGeometry.firstInside(i, w.strideH(), w.padH(), w.dilationH(), outH);
                int ohEnd = WindowGeometry.endInside(i, w.strideH(), w.padH(), w.dilationH(), height, outH);
                for (int j = 0; j < w.kernelW(); j++) {
                    int owFirst = WindowGeometry.firstInside(j, w.strideW(), w.padW(), w.dilationW(), outW);
                    int owEnd = Math.max(owFirst, WindowGeometry.endInside(j, w.strideW(), w.padW(), w.dilationW(), width, outW));
                    int column = j * w.dilationW() - w.padW();
                    for (int oh = 0; oh < outH; oh++, at += outW) {
                        if (oh < ohFirst || oh >= ohEnd) {
                            continue;
                        }
                        long row = plane + (long) (oh * w.strideH() + i * w.dilationH() - w.padH()) * width + column;
                        if (w.strideW() == 1) {
                            addRun(image, row + owFirst, cols, at + owFirst, owEnd - owFirst);
                        } else {
                            for (int ow = owFirst; ow < owEnd; ow++) {
                                long to = row + (long) ow * w.strideW();
                                image.setAtIndex(JAVA_FLOAT, to, image.getAtIndex(JAVA_FLOAT, to) + cols.getAtIndex(JAVA_FLOAT, at + ow));
                            }
                        }
                    }
                }
            }
        }
    }

    /** Scalar reference of {@link #col2im}: every column entry inside the image added back, in order. */
    public static void col2imReference(MemorySegment cols, long colsOff, int channels, int height, int width, WindowGeometry w,
                                       MemorySegment image, long imageOff) {
        int outH = w.outH(height), outW = w.outW(width);
        long at = colsOff;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < w.kernelH(); i++) {
                for (int j = 0; j < w.kernelW(); j++) {
                    for (int oh = 0; oh < outH; oh++) {
                        for (int ow = 0; ow < outW; ow++, at++) {
                            int ih = oh * w.strideH() + i * w.dilationH() - w.padH();
                            int iw = ow * w.strideW() + j * w.dilationW() - w.padW();
                            if (ih >= 0 && ih < height && iw >= 0 && iw < width) {
                                long to = imageOff + ((long) c * height + ih) * width + iw;
                                image.setAtIndex(JAVA_FLOAT, to, image.getAtIndex(JAVA_FLOAT, to) + cols.getAtIndex(JAVA_FLOAT, at));
                            }
                        }
                    }
                }
            }
        }
    }

    /** s[at..at+n) = value, a vector at a time, the last one masked: runs are short (a row's padding, a row). */
    private static void fill(MemorySegment s, long at, int n, float value) {
        FloatVector v = FloatVector.broadcast(SPECIES, value);
        for (int k = 0; k < n; k += SPECIES.length()) {
            v.intoMemorySegment(s, (at + k) * BYTES, ORDER, SPECIES.indexInRange(k, n));
        }
    }

    /** to[0..n) = from[0..n), a vector at a time, the last one masked. */
    private static void copyRun(MemorySegment to, long toAt, MemorySegment from, long fromAt, int n) {
        for (int k = 0; k < n; k += SPECIES.length()) {
            VectorMask<Float> inside = SPECIES.indexInRange(k, n);
            FloatVector.fromMemorySegment(SPECIES, from, (fromAt + k) * BYTES, ORDER, inside)
                    .intoMemorySegment(to, (toAt + k) * BYTES, ORDER, inside);
        }
    }

    /** to[0..n) += from[0..n), a vector at a time, the last one masked. */
    private static void addRun(MemorySegment to, long toAt, MemorySegment from, long fromAt, int n) {
        for (int k = 0; k < n; k += SPECIES.length()) {
            VectorMask<Float> inside = SPECIES.indexInRange(k, n);
            long t = (toAt + k) * BYTES;
            FloatVector.fromMemorySegment(SPECIES, to, t, ORDER, inside)
                    .add(FloatVector.fromMemorySegment(SPECIES, from, (fromAt + k) * BYTES, ORDER, inside))
                    .intoMemorySegment(to, t, ORDER, inside);
        }
    }
}

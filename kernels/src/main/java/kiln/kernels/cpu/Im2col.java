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
 * and a fast version that works a row (c, i, j, oh) at a time: it finds once per tap (i, j) the rows
 * and the run of each row whose taps land inside the image, fills the padding rows in one go and the
 * padding on either side of each run, and copies (or, for col2im, adds) the run with the Vector API
 * when the stride along W is 1. Both visit entries in the same order,
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
        int sH = w.strideH(), sW = w.strideW();
        FloatVector pad = FloatVector.broadcast(SPECIES, padValue);
        long at = colsOff;
        for (int c = 0; c < channels; c++) {
            long plane = imageOff + (long) c * height * width;
            for (int i = 0; i < w.kernelH(); i++) {
                // Rows above ohFirst and from ohEnd on read the padding: each such run of rows is one fill.
                int ohFirst = w.firstRowInside(i, outH), ohEnd = w.endRowInside(i, height, outH);
                for (int j = 0; j < w.kernelW(); j++) {
                    int owFirst = w.firstColumnInside(j, outW), owEnd = w.endColumnInside(j, width, outW);
                    int inside = owEnd - owFirst;
                    fill(cols, at, ohFirst * outW, padValue);
                    long to = at + (long) ohFirst * outW;
                    // Input element read by (ohFirst, owFirst); each further row moves down sH input rows.
                    long from = plane + w.readAt(ohFirst, owFirst, i, j, width);
                    for (int oh = ohFirst; oh < ohEnd; oh++, to += outW, from += (long) sH * width) {
                        for (int k = 0; k < owFirst; k += SPECIES.length()) {          // the padding on the left
                            pad.intoMemorySegment(cols, (to + k) * BYTES, ORDER, SPECIES.indexInRange(k, owFirst));
                        }
                        if (sW == 1) {
                            // The run, a vector at a time, the last one masked. Written out here: the JIT
                            // compiles a vector loop into a method too big to inline, and a call per row
                            // cost more than the copy.
                            for (int k = 0; k < inside; k += SPECIES.length()) {
                                VectorMask<Float> lanes = SPECIES.indexInRange(k, inside);
                                FloatVector.fromMemorySegment(SPECIES, image, (from + k) * BYTES, ORDER, lanes)
                                        .intoMemorySegment(cols, (to + owFirst + k) * BYTES, ORDER, lanes);
                            }
                        } else {
                            for (int k = 0; k < inside; k++) {
                                cols.setAtIndex(JAVA_FLOAT, to + owFirst + k, image.getAtIndex(JAVA_FLOAT, from + (long) k * sW));
                            }
                        }
                        for (int k = 0; k < outW - owEnd; k += SPECIES.length()) {     // and on the right
                            pad.intoMemorySegment(cols, (to + owEnd + k) * BYTES, ORDER, SPECIES.indexInRange(k, outW - owEnd));
                        }
                    }
                    fill(cols, to, (outH - ohEnd) * outW, padValue);
                    at += (long) outH * outW;
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
        int sH = w.strideH(), sW = w.strideW();
        long at = colsOff;
        for (int c = 0; c < channels; c++) {
            long plane = imageOff + (long) c * height * width;
            for (int i = 0; i < w.kernelH(); i++) {
                int ohFirst = w.firstRowInside(i, outH), ohEnd = w.endRowInside(i, height, outH);
                for (int j = 0; j < w.kernelW(); j++) {
                    int owFirst = w.firstColumnInside(j, outW), owEnd = w.endColumnInside(j, width, outW);
                    int inside = owEnd - owFirst;
                    long from = at + (long) ohFirst * outW + owFirst;
                    long to = plane + w.readAt(ohFirst, owFirst, i, j, width);
                    for (int oh = ohFirst; oh < ohEnd; oh++, from += outW, to += (long) sH * width) {
                        if (sW == 1) {
                            for (int k = 0; k < inside; k += SPECIES.length()) {       // written out: see im2col
                                VectorMask<Float> lanes = SPECIES.indexInRange(k, inside);
                                long target = (to + k) * BYTES;
                                FloatVector.fromMemorySegment(SPECIES, image, target, ORDER, lanes)
                                        .add(FloatVector.fromMemorySegment(SPECIES, cols, (from + k) * BYTES, ORDER, lanes))
                                        .intoMemorySegment(image, target, ORDER, lanes);
                            }
                        } else {
                            for (int k = 0; k < inside; k++) {
                                long target = to + (long) k * sW;
                                image.setAtIndex(JAVA_FLOAT, target, image.getAtIndex(JAVA_FLOAT, target) + cols.getAtIndex(JAVA_FLOAT, from + k));
                            }
                        }
                    }
                    at += (long) outH * outW;
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
        for (int k = 0; k < n; k += SPECIES.length()) {
            FloatVector.broadcast(SPECIES, value).intoMemorySegment(s, (at + k) * BYTES, ORDER, SPECIES.indexInRange(k, n));
        }
    }
}

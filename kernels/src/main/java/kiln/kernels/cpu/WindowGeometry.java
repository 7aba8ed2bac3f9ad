package kiln.kernels.cpu;

/**
 * Where a sliding window reads an image {@code [H, W]}: kernel size, stride between windows, padding
 * added on each side, and dilation (the spacing of the kernel's taps), each as a (height, width)
 * pair. Tap (i, j) of the window at output position (oh, ow) reads the input element
 *
 * <pre>  (oh·strideH + i·dilationH − padH,  ow·strideW + j·dilationW − padW)</pre>
 *
 * which lies in the padding when it falls outside the image. Along an axis of size S the window fits
 * ⌊(S + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1 times, as in PyTorch (may be ≤ 0: none fits).
 */
public record WindowGeometry(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                             int dilationH, int dilationW) {
    public WindowGeometry {
        requireAtLeast("kernel", kernelH, kernelW, 1);
        requireAtLeast("stride", strideH, strideW, 1);
        requireAtLeast("padding", padH, padW, 0);
        requireAtLeast("dilation", dilationH, dilationW, 1);
    }

    private static void requireAtLeast(String what, int h, int w, int least) {
        if (h < least || w < least) {
            throw new IllegalArgumentException(what + " must be >= " + least + ", got " + h + "x" + w);
        }
    }

    /** Output rows for an input of {@code height} rows. */
    public int outH(int height) { return outputSize(height, kernelH, strideH, padH, dilationH); }

    /** Output columns for an input of {@code width} columns. */
    public int outW(int width) { return outputSize(width, kernelW, strideW, padW, dilationW); }

    private static int outputSize(int size, int kernel, int stride, int pad, int dilation) {
        return Math.floorDiv(size + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;
    }

    /** The output rows [first, end) whose taps of kernel row i land inside an image of {@code height} rows. */
    public int firstRowInside(int i, int outH) { return firstInside(i, strideH, padH, dilationH, outH); }

    /** One past the last output row whose tap row i lands inside the image (at least {@link #firstRowInside}). */
    public int endRowInside(int i, int height, int outH) {
        return Math.max(firstRowInside(i, outH), endInside(i, strideH, padH, dilationH, height, outH));
    }

    /** The output columns [first, end) whose taps of kernel column j land inside an image of {@code width} columns. */
    public int firstColumnInside(int j, int outW) { return firstInside(j, strideW, padW, dilationW, outW); }

    /** One past the last output column whose tap column j lands inside the image (at least {@link #firstColumnInside}). */
    public int endColumnInside(int j, int width, int outW) {
        return Math.max(firstColumnInside(j, outW), endInside(j, strideW, padW, dilationW, width, outW));
    }

    /** Where tap (i, j) of the window at output (oh, ow) reads, as ih·W + iw; outside [0, H·W) or off the row when it reads padding. */
    public long readAt(int oh, int ow, int i, int j, int width) {
        return (long) (oh * strideH + i * dilationH - padH) * width + ow * strideW + j * dilationW - padW;
    }

    /**
     * The first output index whose tap at kernel offset {@code tap} lands inside an axis of
     * {@code size} elements, and one past the last: outputs outside [first, end) read padding. Solves
     * 0 ≤ o·stride + tap·dilation − pad < size for o, clamped to [0, outSize].
     */
    private static int firstInside(int tap, int stride, int pad, int dilation, int outSize) {
        int shift = pad - tap * dilation;                   // o·stride ≥ shift
        return Math.clamp(shift <= 0 ? 0 : Math.ceilDiv(shift, stride), 0, outSize);
    }

    private static int endInside(int tap, int stride, int pad, int dilation, int size, int outSize) {
        int limit = size - 1 + pad - tap * dilation;        // o·stride ≤ limit
        return limit < 0 ? 0 : Math.clamp(limit / stride + 1, 0, outSize);
    }

    @Override
    public String toString() {
        return "kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW
                + ", padding " + padH + "x" + padW + ", dilation " + dilationH + "x" + dilationW;
    }
}

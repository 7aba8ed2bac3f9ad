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

    /**
     * The first output index whose tap at kernel offset {@code tap} lands inside an axis of
     * {@code size} elements, and one past the last: outputs outside [first, end) read padding. Solves
     * 0 ≤ o·stride + tap·dilation − pad < size for o, clamped to [0, outSize].
     */
    static int firstInside(int tap, int stride, int pad, int dilation, int outSize) {
        int shift = pad - tap * dilation;                   // o·stride ≥ shift
        return Math.clamp(shift <= 0 ? 0 : Math.ceilDiv(shift, stride), 0, outSize);
    }

    static int endInside(int tap, int stride, int pad, int dilation, int size, int outSize) {
        int limit = size - 1 + pad - tap * dilation;        // o·stride ≤ limit
        return limit < 0 ? 0 : Math.clamp(limit / stride + 1, 0, outSize);
    }

    @Override
    public String toString() {
        return "kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW
                + ", padding " + padH + "x" + padW + ", dilation " + dilationH + "x" + dilationW;
    }
}

package kiln.nn.layers;

import java.util.function.Supplier;

import kiln.engine.Tensor;
import kiln.kernels.cpu.WindowGeometry;

/**
 * Where a sliding window reads an image batch {@code [N, C, H, W]}: the kernel size, the stride
 * between windows, the padding added on each side, and the dilation (the spacing of the kernel's
 * taps), each as a (height, width) pair. Along an axis of size S the window fits
 *
 * <pre>  ⌊(S + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1</pre>
 *
 * times, as in PyTorch. Start from {@link #of} (stride 1, no padding, no dilation) and change what
 * differs: {@code Window2d.of(3).stride(2).padding(1)}.
 */
public record Window2d(int kernelH, int kernelW, int strideH, int strideW, int paddingH, int paddingW,
                       int dilationH, int dilationW) {

    public Window2d {
        // The kernels' WindowGeometry holds the same eight numbers and checks them; its message gets our name.
        try {
            new WindowGeometry(kernelH, kernelW, strideH, strideW, paddingH, paddingW, dilationH, dilationW);
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException("Window2d: " + bad.getMessage(), bad);
        }
    }

    /** A kernel×kernel window moving by 1, without padding or dilation. */
    public static Window2d of(int kernel) { return of(kernel, kernel); }

    /** A kernelH×kernelW window moving by 1, without padding or dilation. */
    public static Window2d of(int kernelH, int kernelW) { return new Window2d(kernelH, kernelW, 1, 1, 0, 0, 1, 1); }

    public Window2d stride(int stride) { return stride(stride, stride); }

    public Window2d stride(int h, int w) { return new Window2d(kernelH, kernelW, h, w, paddingH, paddingW, dilationH, dilationW); }

    public Window2d padding(int padding) { return padding(padding, padding); }

    public Window2d padding(int h, int w) { return new Window2d(kernelH, kernelW, strideH, strideW, h, w, dilationH, dilationW); }

    public Window2d dilation(int dilation) { return dilation(dilation, dilation); }

    public Window2d dilation(int h, int w) { return new Window2d(kernelH, kernelW, strideH, strideW, paddingH, paddingW, h, w); }

    /** Throws, naming {@code layer} and the input, unless {@code x} is an image batch {@code [N, C, H, W]}. */
    static void requireImages(String layer, Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(layer + ": input " + x.describe() + " must be a batch of images [N, C, H, W]");
        }
    }

    /** Runs a windowed op of the engine, its complaints (an input too small for the window...) prefixed with {@code layer}'s name. */
    static Tensor reported(String layer, Supplier<Tensor> op) {
        try {
            return op.get();
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException(layer + ": " + bad.getMessage(), bad);
        }
    }

    @Override
    public String toString() {
        return "kernel=" + kernelH + "x" + kernelW + ", stride=" + strideH + "x" + strideW
                + ", padding=" + paddingH + "x" + paddingW + ", dilation=" + dilationH + "x" + dilationW;
    }
}

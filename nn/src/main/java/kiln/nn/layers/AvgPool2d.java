package kiln.nn.layers;

import kiln.engine.Tensor;

/**
 * The mean of each window. The padding counts as zeros that are part of the window (PyTorch's default
 * {@code count_include_pad=True}): every window divides by kH·kW, also at the border.
 *
 * <pre>  y[n, c, oh, ow] = 1/(kH·kW) · Σ_{i, j} x[n, c, oh·sH + i − pH, ow·sW + j − pW]</pre>
 *
 * ({@link Tensor#avgPool2d}).
 */
public final class AvgPool2d extends Pool2d {
    /** kernel×kernel windows side by side (stride = kernel, PyTorch's default), no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** PyTorch's positional order: {@code AvgPool2d(kernel, stride, padding)}. */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(Window2d.of(kernel).stride(stride).padding(padding));
    }

    /** Any undilated window, rectangular ones included, used as given (Window2d.of starts at stride 1, not at the kernel). */
    public AvgPool2d(Window2d window) {
        super(window);
        if (window.dilationH() != 1 || window.dilationW() != 1) {
            throw new IllegalArgumentException("AvgPool2d: windows are not dilated (PyTorch's AvgPool2d has no dilation), got dilation "
                    + window.dilationH() + "x" + window.dilationW());
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Window2d w = window();
        Window2d.requireImages(describe(), x);
        return Window2d.reported(describe(), () -> x.avgPool2d(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(),
                w.paddingH(), w.paddingW()));
    }
}

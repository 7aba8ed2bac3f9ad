package kiln.nn.layers;

import kiln.engine.Tensor;

/**
 * The largest element of each window, the padding counting as −∞ (it never wins):
 *
 * <pre>  y[n, c, oh, ow] = max_{i, j} x[n, c, oh·sH + i·dH − pH, ow·sW + j·dW − pW]</pre>
 *
 * The gradient goes to the maximum; among tied maxima to the first in the window's row-major order,
 * as PyTorch's ({@link Tensor#maxPool2d}; {@code max()} over the windows would share a tie's gradient
 * between the tied elements).
 */
public final class MaxPool2d extends Pool2d {
    /** kernel×kernel windows side by side (stride = kernel, PyTorch's default), no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** PyTorch's positional order: {@code MaxPool2d(kernel, stride, padding)}. */
    public MaxPool2d(int kernel, int stride, int padding) {
        this(Window2d.of(kernel).stride(stride).padding(padding));
    }

    /** Any window, dilated or rectangular, used as given (Window2d.of starts at stride 1, not at the kernel). */
    public MaxPool2d(Window2d window) {
        super(window);
    }

    @Override
    public Tensor forward(Tensor x) {
        Window2d w = window();
        Window2d.requireImages(describe(), x);
        return Window2d.reported(describe(), () -> x.maxPool2d(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(),
                w.paddingH(), w.paddingW(), w.dilationH(), w.dilationW()));
    }
}

package kiln.nn.layers;

import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * What {@link MaxPool2d} and {@link AvgPool2d} share: the window and its checks; and, for average
 * pooling, the input's windows laid out for a reduction along one axis.
 */
abstract class Pool2d extends Module {
    private final Window2d window;

    Pool2d(Window2d window) {
        String layer = getClass().getSimpleName();
        if (window == null) {
            throw new IllegalArgumentException(layer + ": the window is null");
        }
        // PyTorch's rule; it guarantees that every window holds at least one input element.
        if (window.paddingH() > window.kernelH() / 2 || window.paddingW() > window.kernelW() / 2) {
            throw new IllegalArgumentException(layer + ": padding " + window.paddingH() + "x" + window.paddingW()
                    + " must be at most half the kernel " + window.kernelH() + "x" + window.kernelW());
        }
        this.window = window;
    }

    /** The windows of {@code x [N, C, H, W]} as {@code [N, C, kH·kW, OH, OW]}, {@code padValue} in the padding. */
    Tensor windows(Tensor x, double padValue) {
        Tensor columns = window.unfold(describe(), x, padValue);   // [N, C, kH, kW, OH, OW]
        int[] d = columns.dims();
        return columns.reshape(d[0], d[1], d[2] * d[3], d[4], d[5]);
    }

    public Window2d window() { return window; }

    @Override
    protected String describe() {
        return getClass().getSimpleName() + "(" + window + ")";
    }
}

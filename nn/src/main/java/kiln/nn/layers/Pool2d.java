package kiln.nn.layers;

import kiln.nn.Module;

/** What {@link MaxPool2d} and {@link AvgPool2d} share: the window and its checks. */
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

    public Window2d window() { return window; }

    @Override
    protected String describe() {
        return getClass().getSimpleName() + "(" + window + ")";
    }
}

package kiln.nn.layers;

import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * Average pooling to a fixed output size, whatever the input's: output row i averages the input rows
 *
 * <pre>  [⌊i·H/outH⌋, ⌈(i+1)·H/outH⌉)</pre>
 *
 * (PyTorch's windows: neighbours may overlap and differ in size when outH does not divide H), and
 * columns likewise ({@link Tensor#adaptiveAvgPool2d}).
 */
public final class AdaptiveAvgPool2d extends Module {
    private final int outH;
    private final int outW;

    /** A size×size output. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: the output size must be positive, got " + outH + "x" + outW);
        }
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        Window2d.requireImages(describe(), x);
        if (x.dim(2) == 0 || x.dim(3) == 0) {
            throw new IllegalArgumentException(describe() + ": input " + x.describe() + " has no pixels to average");
        }
        return x.adaptiveAvgPool2d(outH, outW);
    }

    /** The output's height. */
    public int outH() { return outH; }

    /** The output's width. */
    public int outW() { return outW; }

    @Override
    protected String describe() {
        return "AdaptiveAvgPool2d(" + outH + "x" + outW + ")";
    }
}

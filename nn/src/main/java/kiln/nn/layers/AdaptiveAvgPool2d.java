package kiln.nn.layers;

import java.util.ArrayList;
import java.util.List;

import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * Average pooling to a fixed output size, whatever the input's: output row i averages the input rows
 *
 * <pre>  [⌊i·H/outH⌋, ⌈(i+1)·H/outH⌉)</pre>
 *
 * (PyTorch's windows: neighbours may overlap and differ in size when outH does not divide H), and
 * columns likewise.
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
        int h = x.dim(2);
        int w = x.dim(3);
        if (h == 0 || w == 0) {
            throw new IllegalArgumentException(describe() + ": input " + x.describe() + " has no pixels to average");
        }
        if (h % outH == 0 && w % outW == 0) {
            // Equal windows that tile the input: an ordinary average pooling, kernel = stride = size / out.
            Window2d tiles = Window2d.of(h / outH, w / outW).stride(h / outH, w / outW);
            return tiles.unfold(describe(), x, 0).mean(new int[] {2, 3}, false);
        }
        // A window is a block of rows times a block of columns, so its mean is the mean over its rows
        // of the means over its columns: pool the width, then the height.
        return averageAlong(averageAlong(x, 3, outW), 2, outH);
    }

    /** The means of the {@code count} adaptive windows along {@code axis}, side by side along it. */
    private static Tensor averageAlong(Tensor x, int axis, int count) {
        int size = x.dim(axis);
        List<Tensor> means = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int start = Math.floorDiv(i * size, count);
            int end = Math.ceilDiv((i + 1) * size, count);
            means.add(x.narrow(axis, start, end - start).mean(axis, true));
        }
        return Tensor.cat(axis, means);
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

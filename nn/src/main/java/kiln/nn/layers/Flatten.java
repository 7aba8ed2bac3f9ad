package kiln.nn.layers;

import java.util.Arrays;

import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * Merges the axes startDim..endDim (inclusive; negative counts from the end) into one, as PyTorch's
 * {@code nn.Flatten}. The default, axes 1..−1, turns {@code [N, C, H, W]} into {@code [N, C·H·W]}:
 * the bridge from convolutions to Linear layers.
 */
public final class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** Flatten(1, −1): everything but the batch axis. */
    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        if ((startDim < 0) == (endDim < 0) && startDim > endDim) {
            throw new IllegalArgumentException("Flatten: startDim " + startDim + " comes after endDim " + endDim);
        }
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        int rank = x.rank();
        int start = startDim < 0 ? startDim + rank : startDim;
        int end = endDim < 0 ? endDim + rank : endDim;
        if (start < 0 || start >= rank || end < 0 || end >= rank || start > end) {
            throw new IllegalArgumentException(describe() + ": input " + x.describe() + " has no axes " + startDim + ".." + endDim
                    + " in that order (rank " + rank + ")");
        }
        int[] dims = x.dims();
        int[] merged = new int[rank - (end - start)];
        System.arraycopy(dims, 0, merged, 0, start);
        merged[start] = Math.toIntExact(Arrays.stream(dims, start, end + 1).asLongStream().reduce(1, Math::multiplyExact));
        System.arraycopy(dims, end + 1, merged, start + 1, rank - end - 1);
        return x.reshape(merged);
    }

    public int startDim() { return startDim; }

    public int endDim() { return endDim; }

    @Override
    protected String describe() {
        return "Flatten(startDim=" + startDim + ", endDim=" + endDim + ")";
    }
}

package kiln.nn.layers;

import java.util.Arrays;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Init;
import kiln.nn.Module;
import kiln.nn.Parameter;

/**
 * A lookup table: index i maps to row i of {@code weight} {@code [numEmbeddings, dim]}, initialised
 * N(0, 1) as PyTorch. An index tensor of any shape S gives {@code S + [dim]}. The gradient of a row
 * is the sum of the gradients of every position that looked it up.
 */
public final class Embedding extends Module {
    private final int numEmbeddings;
    private final int dim;
    private final Parameter weight;

    public Embedding(int numEmbeddings, int dim, Generator rng) {
        if (numEmbeddings <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got numEmbeddings=" + numEmbeddings + ", dim=" + dim);
        }
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.weight = registerParameter("weight", Init.normal(rng, 0, 1, numEmbeddings, dim));
    }

    /** {@code indices}: an integer tensor of any shape with values in [0, numEmbeddings). */
    @Override
    public Tensor forward(Tensor indices) {
        if (!indices.dtype().isInteger()) {
            throw new IllegalArgumentException(describe() + ": indices must be int64 (or int32), got " + indices.describe());
        }
        checkRange(indices);
        int[] outDims = Arrays.copyOf(indices.dims(), indices.rank() + 1);
        outDims[indices.rank()] = dim;
        return weight.value().indexSelect(0, indices.reshape((int) indices.numel())).reshape(outDims);
    }

    private void checkRange(Tensor indices) {
        if (indices.numel() == 0) {
            return;
        }
        try (Tensor min = indices.min(); Tensor max = indices.max()) {
            double low = min.item();
            double high = max.item();
            if (low < 0 || high >= numEmbeddings) {
                throw new IndexOutOfBoundsException(describe() + ": index " + (long) (low < 0 ? low : high)
                        + " is out of range [0, " + (numEmbeddings - 1) + "] in " + indices.describe());
            }
        }
    }

    public Parameter weight() { return weight; }

    @Override
    protected String describe() {
        return "Embedding(" + numEmbeddings + ", " + dim + ")";
    }
}

package kiln.nn.data;

import java.util.Arrays;

import kiln.engine.Autograd;
import kiln.engine.Tensor;

/**
 * A dataset held in two tensors whose leading axes line up: {@code features[i]} goes with {@code targets[i]}.
 * The dataset owns both tensors; closing it frees them.
 */
public final class TensorDataset implements Dataset, AutoCloseable {
    private final Tensor features;
    private final Tensor targets;

    public TensorDataset(Tensor features, Tensor targets) {
        if (features.rank() == 0 || targets.rank() == 0 || features.dim(0) != targets.dim(0)) {
            throw new IllegalArgumentException("TensorDataset: features " + features.shape() + " and targets "
                    + targets.shape() + " must share their leading (example) axis");
        }
        this.features = features;
        this.targets = targets;
    }

    public Tensor features() {
        return features;
    }

    public Tensor targets() {
        return targets;
    }

    @Override
    public int size() {
        return features.dim(0);
    }

    @Override
    public int[] featureShape() {
        int[] dims = features.dims();
        return Arrays.copyOfRange(dims, 1, dims.length);
    }

    @Override
    public Batch gather(int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("TensorDataset.gather: index " + i + " outside [0, " + size() + ")");
            }
        }
        try (var off = Autograd.noGrad(); Tensor index = Tensor.fromArray(indices, indices.length)) {
            return new Batch(features.indexSelect(0, index), targets.indexSelect(0, index));
        }
    }

    @Override
    public void close() {
        features.close();
        targets.close();
    }
}

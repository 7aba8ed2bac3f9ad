package kiln.nn.data;

import kiln.engine.Tensor;

/**
 * A mini-batch: features {@code [n, ...]} and targets {@code [n]} (class indices, int64) or {@code [n, k]}
 * (regression values). The batch owns both tensors; closing it frees them.
 */
public record Batch(Tensor features, Tensor targets) implements AutoCloseable {
    public Batch {
        if (features.rank() == 0 || targets.rank() == 0 || features.dim(0) != targets.dim(0)) {
            throw new IllegalArgumentException("Batch: features " + features.shape() + " and targets "
                    + targets.shape() + " must share their leading (example) axis");
        }
    }

    /** How many examples the batch holds. */
    public int size() {
        return features.dim(0);
    }

    @Override
    public void close() {
        features.close();
        targets.close();
    }
}

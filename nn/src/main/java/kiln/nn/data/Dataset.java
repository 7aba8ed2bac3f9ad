package kiln.nn.data;

/**
 * A finite, indexable collection of examples, each a feature tensor and a target.
 *
 * <p>Examples are fetched a batch at a time, not one by one: stacking 128 single-example tensors would
 * cost 128 small allocations per step, while one gather along axis 0 costs one. Implementations must be
 * safe to call from the {@link DataLoader}'s prefetch thread while the training thread runs.
 */
public interface Dataset {
    /** How many examples there are. */
    int size();

    /** The shape of one example's features, e.g. {@code [1, 28, 28]} or {@code [784]}. */
    int[] featureShape();

    /**
     * The examples at these positions (each in {@code [0, size())}, repeats allowed), stacked along a new
     * leading axis into a new batch that the caller owns and closes.
     */
    Batch gather(int[] indices);
}

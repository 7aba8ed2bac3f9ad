package kiln.nn.data;

/**
 * Decides which examples an epoch visits, and in which order. A {@link DataLoader} cuts the order into
 * batches.
 *
 * <p>The order is a pure function of the epoch (and of the sampler's seed, if it has one): asking twice
 * for the same epoch gives the same indices, which is what lets a resumed run see the same batches as
 * an uninterrupted one.
 */
public interface Sampler {
    /** How many indices {@link #order} returns for every epoch. */
    int length();

    /** The example indices to visit in epoch {@code epoch} (0, 1, ...), in order; repeats are allowed. */
    int[] order(int epoch);
}

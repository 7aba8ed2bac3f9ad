package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * How a loss turns its per-element (or per-sample) values into the result, as PyTorch's
 * {@code reduction} argument.
 */
public enum Reduction {
    /** The values themselves, one per element (per sample for the class-index losses). */
    NONE,
    /** Σ values. */
    SUM,
    /**
     * Σ values / number of values; the class-index losses divide by the total weight of the
     * non-ignored targets instead (see {@link CrossEntropyLoss}).
     */
    MEAN,
    /**
     * Σ values / batch size (the length of the first axis): the KL divergence per sample. Only
     * {@link KLDivLoss} accepts it, as in PyTorch.
     */
    BATCH_MEAN;

    /** Reduces loss values. (The class-index losses compute their weighted MEAN themselves, in {@link ClassIndexLoss}.) */
    Tensor apply(Tensor values) {
        return switch (this) {
            case NONE -> values;
            case SUM -> values.sum();
            case MEAN -> values.mean();
            case BATCH_MEAN -> values.rank() == 0 ? values.sum() : values.sum().div(values.dim(0));
        };
    }

    /** Checks a loss's reduction option: not null, and BATCH_MEAN only where the loss allows it. */
    static void check(String loss, Reduction reduction, boolean batchMeanAllowed) {
        if (reduction == null) {
            throw new IllegalArgumentException(loss + ": reduction must not be null (NONE, SUM or MEAN)");
        }
        if (reduction == BATCH_MEAN && !batchMeanAllowed) {
            throw new IllegalArgumentException(loss + ": reduction BATCH_MEAN applies only to KLDivLoss; use SUM or MEAN");
        }
    }
}

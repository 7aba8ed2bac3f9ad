package kiln.nn.metrics;

/**
 * How a per-class score becomes one number, as scikit-learn's {@code average=} argument.
 *
 * <ul>
 *   <li>{@link #MACRO}: the plain mean over classes; every class counts the same, however rare.</li>
 *   <li>{@link #WEIGHTED}: the mean weighted by each class's support (its number of true examples).</li>
 *   <li>{@link #MICRO}: pool the counts of all classes first, then compute the score once. For
 *       single-label precision, recall and F1 this equals accuracy.</li>
 * </ul>
 */
public enum Average {
    MACRO,
    MICRO,
    WEIGHTED;

    /**
     * The macro or weighted mean of per-class scores: {@code sum(score) / k}, or
     * {@code sum(score * support) / sum(support)}. Micro averaging needs the pooled counts, not the scores,
     * so each metric does it itself.
     */
    double mean(double[] perClass, long[] support) {
        double total = 0;
        long weight = 0;
        for (int c = 0; c < perClass.length; c++) {
            long w = switch (this) {
                case MACRO -> 1;
                case WEIGHTED -> support[c];
                case MICRO -> throw new IllegalStateException("micro averaging pools counts; it has no mean of per-class scores");
            };
            total += perClass[c] * w;
            weight += w;
        }
        // every example has a class, so the total support is the (non-zero) example count
        return total / weight;
    }

    /** The heading scikit-learn's classification report gives this average, e.g. "macro avg". */
    String heading() {
        return name().toLowerCase(java.util.Locale.ROOT) + " avg";
    }
}

package kiln.nn.train;

/**
 * A model's results on a whole dataset, from {@link Trainer#evaluate}.
 *
 * <p>For classification (integer targets) {@code labels}, {@code predictions} (the arg-max class) and
 * {@code probabilities} (softmax of the outputs, one row per example) are filled and {@code accuracy}
 * is their agreement; {@code targets} and {@code outputs} are null. For regression it is the other way
 * round: {@code targets} and {@code outputs} hold every value flattened, and accuracy is NaN.
 *
 * @param loss the mean loss per example
 */
public record Evaluation(int examples, double loss, double accuracy, int[] labels, int[] predictions,
                         double[][] probabilities, double[] targets, double[] outputs) {

    /** True for a classification result. */
    public boolean isClassification() {
        return labels != null;
    }
}

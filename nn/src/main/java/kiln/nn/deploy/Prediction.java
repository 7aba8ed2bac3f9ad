package kiln.nn.deploy;

import java.util.List;

/**
 * A model's answer for a batch of rows, one entry per row in the order given.
 *
 * @param classes the predicted class index of each row (the most probable; the lowest index on a tie)
 * @param names the predicted class name of each row
 * @param probabilities each row's softmax probabilities over all classes, in class-index order
 */
public record Prediction(int[] classes, List<String> names, double[][] probabilities) {
    public Prediction {
        if (classes.length != names.size() || classes.length != probabilities.length) {
            throw new IllegalArgumentException("Prediction: " + classes.length + " classes, " + names.size() + " names and "
                    + probabilities.length + " probability rows; one of each per row");
        }
        names = List.copyOf(names);
    }

    /** The number of rows. */
    public int size() {
        return classes.length;
    }

    /** The probability of row {@code row}'s predicted class. */
    public double probability(int row) {
        return probabilities[row][classes[row]];
    }
}

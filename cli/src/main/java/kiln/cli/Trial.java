package kiln.cli;

import java.util.Comparator;

/**
 * One trial of a search: a recipe trained on the training split and scored on the validation split.
 *
 * @param id          0 for the default configuration, then 1, 2, ... for the candidates in the order drawn
 * @param recipe      what was trained; its epochs are the trial's budget
 * @param valAccuracy the validation accuracy of the best epoch (NaN when training failed)
 * @param valLoss     the validation loss of that epoch
 * @param bestEpoch   that epoch (0 when training failed)
 * @param seconds     the trial's wall time
 * @param failure     why the trial has no score (training diverged), or null
 */
record Trial(int id, Recipe recipe, double valAccuracy, double valLoss, int bestEpoch, double seconds, String failure) {

    /**
     * Best first: higher validation accuracy, then lower validation loss; failed trials last; then by id,
     * so that equal scores keep a fixed order.
     */
    static final Comparator<Trial> RANKING = Comparator.comparing((Trial t) -> t.failure() != null)
            .thenComparing(Comparator.comparingDouble(Trial::valAccuracy).reversed())
            .thenComparingDouble(Trial::valLoss)
            .thenComparingInt(Trial::id);

    /** A trial that trained but has no score. */
    static Trial failed(int id, Recipe recipe, double seconds, String failure) {
        return new Trial(id, recipe, Double.NaN, Double.NaN, 0, seconds, failure);
    }

    /** "default" for the default configuration, else the trial's number. */
    String label() {
        return id == 0 ? "default" : Integer.toString(id);
    }
}

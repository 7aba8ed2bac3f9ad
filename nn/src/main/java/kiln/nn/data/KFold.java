package kiln.nn.data;

import java.util.ArrayList;
import java.util.List;

import kiln.engine.Generator;

/**
 * K-fold cross-validation: the examples are dealt into k disjoint folds, and fold f yields the pair
 * (every other fold for training, fold f for validation). Each example is validated on exactly once.
 *
 * <ul>
 *   <li>{@link #split}: the folds are consecutive blocks of the examples, in order or after a seeded
 *       shuffle; the first {@code n mod k} folds hold {@code ⌊n/k⌋ + 1} examples, the rest {@code ⌊n/k⌋}
 *       (scikit-learn's KFold).</li>
 *   <li>{@link #stratified}: the examples are lined up class by class (each class in order or shuffled)
 *       and dealt to the folds in turn, 0, 1, …, k−1, 0, … without restarting at a new class. So every
 *       class, and the folds as a whole, are divided as evenly as possible: sizes differ by at most one.
 *       A class with fewer than k examples is absent from some validation folds.</li>
 * </ul>
 */
public final class KFold {
    /** One round of cross-validation; both arrays are in increasing order, fresh, and belong to the caller. */
    public record Fold(int[] train, int[] validation) {}

    private KFold() {}

    /** k folds of consecutive examples, in their given order. */
    public static List<Fold> split(int size, int k) {
        return blocks(size, k, null);
    }

    /** k folds of consecutive examples after a shuffle by {@code seed}. */
    public static List<Fold> split(int size, int k, long seed) {
        return blocks(size, k, new Generator(seed));
    }

    /** k folds that each hold every class in its overall proportion, examples of a class taken in order. */
    public static List<Fold> stratified(long[] labels, int k) {
        return dealtByClass(labels, k, null);
    }

    /** k folds that each hold every class in its overall proportion, each class shuffled by {@code seed} first. */
    public static List<Fold> stratified(long[] labels, int k, long seed) {
        return dealtByClass(labels, k, new Generator(seed));
    }

    /** {@code shuffler} null keeps the given order. */
    private static List<Fold> blocks(int size, int k, Generator shuffler) {
        checkFolds("KFold.split", size, k);
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (shuffler != null) {
            Shuffle.inPlace(order, shuffler);
        }
        int[] foldOf = new int[size];
        int position = 0;
        for (int f = 0; f < k; f++) {
            int foldSize = size / k + (f < size % k ? 1 : 0);
            for (int i = 0; i < foldSize; i++) {
                foldOf[order[position++]] = f;
            }
        }
        return folds(foldOf, k);
    }

    private static List<Fold> dealtByClass(long[] labels, int k, Generator shuffler) {
        checkFolds("KFold.stratified", labels.length, k);
        int[] foldOf = new int[labels.length];
        int dealt = 0;
        for (int[] group : ClassLabels.groupByClass(labels)) {
            if (shuffler != null) {
                Shuffle.inPlace(group, shuffler);
            }
            for (int position : group) {
                foldOf[position] = dealt++ % k;
            }
        }
        return folds(foldOf, k);
    }

    private static void checkFolds(String op, int size, int k) {
        if (k < 2 || k > size) {
            throw new IllegalArgumentException(op + ": k must lie in [2, " + size + "] (the number of examples), got " + k);
        }
    }

    /** The k (train, validation) pairs of an assignment of each example to a fold. */
    private static List<Fold> folds(int[] foldOf, int k) {
        int[] foldSizes = new int[k];
        for (int f : foldOf) {
            foldSizes[f]++;
        }
        List<Fold> result = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            int[] train = new int[foldOf.length - foldSizes[f]];
            int[] validation = new int[foldSizes[f]];
            int trainCount = 0;
            int validationCount = 0;
            for (int i = 0; i < foldOf.length; i++) {
                if (foldOf[i] == f) {
                    validation[validationCount++] = i;
                } else {
                    train[trainCount++] = i;
                }
            }
            result.add(new Fold(train, validation));
        }
        return List.copyOf(result);
    }
}

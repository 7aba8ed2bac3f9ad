package kiln.nn.data;

import java.util.Arrays;

import kiln.engine.Generator;

/**
 * A partition of a dataset's positions into training, validation and test sets: every position in
 * exactly one of them, each array in increasing order. The test (or validation) set may be empty, for a
 * train/validation split. The arrays are fresh and belong to the caller.
 *
 * <p>How many examples each set gets: from a group of m examples, validation takes
 * {@code round(m·validation)} and test {@code round(m·test)} (nearest, halves up), and training the rest.
 * The random split treats all n examples as one group; the stratified split applies the rule to each
 * class separately, so that every class is divided in the given proportions, within one example. Because
 * each class is rounded on its own, the set sizes of a stratified split can differ from those of a random
 * split by up to half an example per class. Which examples go where is a seeded shuffle within each group.
 */
public record Split(int[] train, int[] validation, int[] test) {

    /** A random split of {@code size} examples in the given fractions (each ≥ 0, summing to 1, train > 0). */
    public static Split random(int size, double train, double validation, double test, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("Split.random: size must be non-negative, got " + size);
        }
        return divide("Split.random", new long[size], train, validation, test, seed);
    }

    /**
     * A split that divides each class (examples sharing a label) in the given fractions (each ≥ 0,
     * summing to 1, train > 0), so that the sets keep the class balance of the whole.
     */
    public static Split stratified(long[] labels, double train, double validation, double test, long seed) {
        return divide("Split.stratified", labels, train, validation, test, seed);
    }

    private static Split divide(String op, long[] labels, double train, double validation, double test, long seed) {
        checkFractions(op, train, validation, test);
        Generator rng = new Generator(seed);
        int[][] groups = ClassLabels.groupByClass(labels);
        int[] trainSet = new int[labels.length];
        int[] validationSet = new int[labels.length];
        int[] testSet = new int[labels.length];
        int trainCount = 0;
        int validationCount = 0;
        int testCount = 0;
        for (int[] group : groups) {
            Shuffle.inPlace(group, rng);
            int toValidation = (int) Math.round(group.length * validation);
            // With train > 0 the two roundings fit in the group; the min guards fractions that sum to 1 only within tolerance.
            int toTest = Math.min((int) Math.round(group.length * test), group.length - toValidation);
            int toTrain = group.length - toValidation - toTest;
            System.arraycopy(group, 0, trainSet, trainCount, toTrain);
            System.arraycopy(group, toTrain, validationSet, validationCount, toValidation);
            System.arraycopy(group, toTrain + toValidation, testSet, testCount, toTest);
            trainCount += toTrain;
            validationCount += toValidation;
            testCount += toTest;
        }
        return new Split(sorted(trainSet, trainCount), sorted(validationSet, validationCount), sorted(testSet, testCount));
    }

    private static void checkFractions(String op, double train, double validation, double test) {
        String given = "train=" + train + ", validation=" + validation + ", test=" + test;
        if (!(train > 0 && train <= 1) || !(validation >= 0 && validation <= 1) || !(test >= 0 && test <= 1)) {
            throw new IllegalArgumentException(op + ": fractions must lie in [0, 1] with train > 0, got " + given);
        }
        double sum = train + validation + test;
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException(op + ": fractions must sum to 1, got " + given + " (sum " + sum + ")");
        }
    }

    private static int[] sorted(int[] positions, int count) {
        int[] result = Arrays.copyOf(positions, count);
        Arrays.sort(result);
        return result;
    }

    /** The training examples of {@code data}, the dataset this split was made for. */
    public Subset trainOf(Dataset data) {
        return of(data, train);
    }

    /** The validation examples of {@code data}, the dataset this split was made for. */
    public Subset validationOf(Dataset data) {
        return of(data, validation);
    }

    /** The test examples of {@code data}, the dataset this split was made for. */
    public Subset testOf(Dataset data) {
        return of(data, test);
    }

    private Subset of(Dataset data, int[] positions) {
        int total = train.length + validation.length + test.length;
        if (data.size() != total) {
            throw new IllegalArgumentException("Split: made for " + total + " examples, given a dataset of " + data.size());
        }
        return new Subset(data, positions);
    }

    @Override
    public String toString() {
        return "Split(train " + train.length + ", validation " + validation.length + ", test " + test.length + ")";
    }
}

package kiln.nn.data;

import kiln.engine.Generator;

/** Random reordering of index arrays, shared by splits and folds. */
final class Shuffle {
    private Shuffle() {}

    /**
     * Puts {@code values} in a uniformly random order, in place (Fisher–Yates: position i, from the
     * last down, swaps with a position drawn uniformly from {@code [0, i]}).
     */
    static void inPlace(int[] values, Generator rng) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = (int) rng.nextLong(i + 1);
            int kept = values[i];
            values[i] = values[j];
            values[j] = kept;
        }
    }
}

package kiln.nn.data.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

import kiln.nn.data.CsvTable;

/**
 * Rows that repeat other rows, value for value: within one file, or between a test file and the training
 * file (leakage: a test row the model was trained on scores as if it were new). Table rows are compared
 * by {@link CsvTable#rowKey} (numbers as numbers, texts trimmed) and named by their line; images by
 * their pixels, named by their index.
 *
 * @param unit     what a position counts: "line" for a table, "image" for images
 * @param count    how many rows repeat another (within one set: every copy after the first)
 * @param examples the first few, in order
 */
public record DuplicateRows(String unit, int count, List<Repeat> examples) {
    /** Examples kept. */
    public static final int EXAMPLES = 5;

    /** The row at {@code position} repeats the one at {@code firstPosition} (in the training set, for leakage). */
    public record Repeat(int position, int firstPosition) {}

    public DuplicateRows {
        examples = List.copyOf(examples);
    }

    /** Each row equal to an earlier row of the same table, paired with the first row it repeats. */
    public static DuplicateRows within(CsvTable table) {
        return within("line", table.rowCount(), table::rowKey, table::line);
    }

    /**
     * Each row of {@code test} equal to a row of {@code train}, paired with the first such training row.
     * Rows are compared as {@link CsvTable#rowKey} makes them: the two files must have the same columns in
     * the same order, and a column numeric in one file but text in the other never matches.
     */
    public static DuplicateRows between(CsvTable train, CsvTable test) {
        if (!train.columnNames().equals(test.columnNames())) {
            throw new IllegalArgumentException("DuplicateRows.between: " + test.source() + " has the columns ("
                    + String.join(", ", test.columnNames()) + ") but " + train.source() + " has (" + String.join(", ",
                    train.columnNames()) + "); rows can only be compared across files with the same columns in the same order");
        }
        return between("line", train.rowCount(), train::rowKey, train::line, test.rowCount(), test::rowKey, test::line);
    }

    /**
     * Each of {@code count} items whose {@code key} equals an earlier item's, paired with the first of them.
     *
     * @param position the position an item is named by (its line, its index)
     */
    static DuplicateRows within(String unit, int count, IntFunction<?> key, IntUnaryOperator position) {
        Map<Object, Integer> firstPositions = new HashMap<>();
        Found found = new Found(unit);
        for (int i = 0; i < count; i++) {
            Integer first = firstPositions.putIfAbsent(key.apply(i), position.applyAsInt(i));
            if (first != null) {
                found.add(position.applyAsInt(i), first);
            }
        }
        return found.rows();
    }

    /** Each test item whose key equals a training item's, paired with the first such training item. */
    static DuplicateRows between(String unit, int trainCount, IntFunction<?> trainKey, IntUnaryOperator trainPosition,
                                 int testCount, IntFunction<?> testKey, IntUnaryOperator testPosition) {
        Map<Object, Integer> trainPositions = new HashMap<>();
        for (int i = 0; i < trainCount; i++) {
            trainPositions.putIfAbsent(trainKey.apply(i), trainPosition.applyAsInt(i));
        }
        Found found = new Found(unit);
        for (int i = 0; i < testCount; i++) {
            Integer trainAt = trainPositions.get(testKey.apply(i));
            if (trainAt != null) {
                found.add(testPosition.applyAsInt(i), trainAt);
            }
        }
        return found.rows();
    }

    /** Counts repeats and keeps the first few. */
    private static final class Found {
        private final String unit;
        private int count;
        private final List<Repeat> examples = new ArrayList<>();

        Found(String unit) {
            this.unit = unit;
        }

        void add(int position, int firstPosition) {
            count++;
            if (examples.size() < EXAMPLES) {
                examples.add(new Repeat(position, firstPosition));
            }
        }

        DuplicateRows rows() {
            return new DuplicateRows(unit, count, examples);
        }
    }

    /**
     * The first {@code shown} examples (at most those kept): "line 7 repeats line 3, ..." or, with
     * {@code other} (null for none) naming the set repeated, "line 4 repeats train.csv line 12, ...".
     */
    String describe(String other, int shown) {
        String repeated = other == null ? unit + " " : other + " " + unit + " ";
        List<Repeat> listed = examples.subList(0, Math.min(shown, examples.size()));
        String text = String.join(", ", listed.stream().map(r -> unit + " " + r.position() + " repeats " + repeated
                + r.firstPosition()).toList());
        return count > listed.size() ? text + ", ..." : text;
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("count", count);
        json.put("examples", examples.stream().map(r -> {
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put(unit, r.position());
            pair.put("repeats_" + unit, r.firstPosition());
            return pair;
        }).toList());
        return json;
    }
}

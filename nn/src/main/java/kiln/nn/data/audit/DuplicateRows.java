package kiln.nn.data.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.nn.data.CsvTable;

/**
 * Rows that repeat other rows, value for value ({@link CsvTable#rowKey}: numbers compared as numbers,
 * texts trimmed): within one file, or between a test file and the training file (leakage: a test row
 * the model was trained on scores as if it were new).
 *
 * @param count    how many rows repeat another (within a file: every copy after the first)
 * @param examples the first few, in file order
 */
public record DuplicateRows(int count, List<Repeat> examples) {
    /** Examples kept. */
    public static final int EXAMPLES = 5;

    /** Row at {@code line} repeats the row at {@code firstLine} (in the training file, for leakage). */
    public record Repeat(int line, int firstLine) {}

    public DuplicateRows {
        examples = List.copyOf(examples);
    }

    /** Each row equal to an earlier row of the same table, paired with the first row it repeats. */
    public static DuplicateRows within(CsvTable table) {
        Map<String, Integer> firstLines = new HashMap<>();
        Found found = new Found();
        for (int row = 0; row < table.rowCount(); row++) {
            Integer first = firstLines.putIfAbsent(table.rowKey(row), table.line(row));
            if (first != null) {
                found.add(table.line(row), first);
            }
        }
        return found.rows();
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
        Map<String, Integer> trainLines = new HashMap<>();
        for (int row = 0; row < train.rowCount(); row++) {
            trainLines.putIfAbsent(train.rowKey(row), train.line(row));
        }
        Found found = new Found();
        for (int row = 0; row < test.rowCount(); row++) {
            Integer trainLine = trainLines.get(test.rowKey(row));
            if (trainLine != null) {
                found.add(test.line(row), trainLine);
            }
        }
        return found.rows();
    }

    /** Counts repeats and keeps the first few. */
    private static final class Found {
        private int count;
        private final List<Repeat> examples = new ArrayList<>();

        void add(int line, int firstLine) {
            count++;
            if (examples.size() < EXAMPLES) {
                examples.add(new Repeat(line, firstLine));
            }
        }

        DuplicateRows rows() {
            return new DuplicateRows(count, examples);
        }
    }

    /** The examples: "line 7 repeats line 3, ..." or, with {@code otherFile} (null for none), "line 4 repeats train.csv line 12, ...". */
    String describe(String otherFile) {
        String where = otherFile == null ? "line " : otherFile + " line ";
        String listed = String.join(", ", examples.stream().map(r -> "line " + r.line() + " repeats " + where + r.firstLine()).toList());
        return count > examples.size() ? listed + ", ..." : listed;
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("count", count);
        json.put("examples", examples.stream().map(r -> {
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("line", r.line());
            pair.put("repeats_line", r.firstLine());
            return pair;
        }).toList());
        return json;
    }
}

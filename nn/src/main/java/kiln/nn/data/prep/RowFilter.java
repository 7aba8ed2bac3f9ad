package kiln.nn.data.prep;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import kiln.nn.data.CsvTable;

/**
 * Row selections applied before a table is split and fitted: each takes row indices and returns the
 * ones kept, in their order. None of them is fitted (they look at one row at a time, or at exact
 * repeats), so applying them before the train/test split leaks nothing from test to train; removing
 * duplicates before the split is what keeps a row from being in both.
 */
public final class RowFilter {
    private RowFilter() {}

    /** Every row of {@code table}. */
    public static int[] all(CsvTable table) {
        return IntStream.range(0, table.rowCount()).toArray();
    }

    /** The rows whose {@code target} is not missing: nothing can be learnt from, or scored on, a row without its answer. */
    public static int[] withTarget(CsvTable table, int[] rows, String target) {
        CsvTable.Column column = table.column(target);
        return Arrays.stream(rows).filter(row -> !column.isMissing(row)).toArray();
    }

    /** The first occurrence of each distinct row ({@link CsvTable#rowKey}); later repeats are left out. */
    public static int[] distinct(CsvTable table, int[] rows) {
        Set<String> seen = new HashSet<>();
        return Arrays.stream(rows).filter(row -> seen.add(table.rowKey(row))).toArray();
    }

    /** The rows with a value in every one of {@code columns} (for {@link MissingValues#DROP}). */
    public static int[] complete(CsvTable table, int[] rows, List<String> columns) {
        List<CsvTable.Column> checked = columns.stream().map(table::column).toList();
        return Arrays.stream(rows).filter(row -> checked.stream().noneMatch(c -> c.isMissing(row))).toArray();
    }
}

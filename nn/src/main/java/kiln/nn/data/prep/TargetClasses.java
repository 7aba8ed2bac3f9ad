package kiln.nn.data.prep;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import kiln.nn.data.CsvTable;

/**
 * The classes of a target column, sorted so that the same file always gives the same indices:
 * numerically for a numeric column ("1" and "1.0" are one class, 2 sorts before 10), else by text.
 *
 * @param names the class of each index
 */
public record TargetClasses(List<String> names) {
    public TargetClasses {
        names = List.copyOf(names);
    }

    /** The distinct values of {@code target} over {@code rows}, none of which may be missing. */
    public static TargetClasses fit(CsvTable table, String target, int[] rows) {
        CsvTable.Column column = table.column(target);
        TreeSet<String> texts = new TreeSet<>();
        TreeSet<Double> numbers = new TreeSet<>();
        for (int row : rows) {
            requirePresent(table, column, row);
            if (column.isNumeric()) {
                numbers.add(column.value(row) + 0.0);   // -0.0 + 0.0 is 0.0: "-0" and "0" are one class
            } else {
                texts.add(column.trimmedText(row));
            }
        }
        return new TargetClasses(column.isNumeric() ? numbers.stream().map(NumberText::of).toList() : List.copyOf(texts));
    }

    /** The class index of each of {@code rows}; a class not among {@link #names} is refused with its line. */
    public long[] indices(CsvTable table, String target, int[] rows) {
        CsvTable.Column column = table.column(target);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        long[] indices = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            requirePresent(table, column, rows[i]);
            String name = column.isNumeric() ? NumberText.of(column.value(rows[i]) + 0.0) : column.trimmedText(rows[i]);
            Integer found = index.get(name);
            if (found == null) {
                throw new IllegalArgumentException(table.source() + ":" + table.line(rows[i]) + ": " + column.describe()
                        + ": the class '" + name + "' is not one of " + names);
            }
            indices[i] = found;
        }
        return indices;
    }

    private static void requirePresent(CsvTable table, CsvTable.Column column, int row) {
        if (column.isMissing(row)) {
            throw new IllegalArgumentException(table.source() + ":" + table.line(row) + ": " + column.describe()
                    + ": the target is missing (leave such rows out: RowFilter.withTarget)");
        }
    }

    @Override
    public String toString() {
        return names.toString();
    }
}

package kiln.nn.data.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.nn.data.CsvTable;

/**
 * The audit of one table: its size, a profile of every column, its duplicate rows and the class balance
 * of its target column.
 *
 * @param source the file, as the table names it
 */
public record TableProfile(String source, int rows, List<ColumnProfile> columns, String target, DuplicateRows duplicates,
                           ClassBalance classBalance) {
    public TableProfile {
        columns = List.copyOf(columns);
    }

    /**
     * Profiles {@code table}, with {@code target} as its class column; null means the last column, as
     * {@code kiln train} takes it. An unknown column is refused with the names there are.
     */
    public static TableProfile of(CsvTable table, String target) {
        String targetName = target != null ? table.column(target).name() : table.columnNames().getLast();
        List<ColumnProfile> columns = table.columns().stream().map(column -> ColumnProfile.of(table, column)).toList();
        return new TableProfile(table.source(), table.rowCount(), columns, targetName, DuplicateRows.within(table),
                ClassBalance.of(table, targetName));
    }

    /** The profile of the column named {@code name}. */
    public ColumnProfile column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "TableProfile.column: no column named '" + name + "' in " + source));
    }

    /**
     * Every problem found, each with what to do: the rows first, then the target, then the other columns
     * in file order. For a {@code testFile}, what is decided on the training file (which columns to keep,
     * whether the classes need weights) is not judged again.
     */
    public List<Finding> findings(boolean testFile) {
        List<Finding> findings = new ArrayList<>();
        if (rows == 0) {
            findings.add(new Finding("rows", "none: the file has a header and no data", "check the file"));
        }
        if (duplicates.count() > 0) {
            findings.add(new Finding("rows", Values.count(duplicates.count(), "duplicate row") + ": " + duplicates.describe(null, 1),
                    testFile ? "keep one of each: copies weigh twice in the test score"
                            : "remove the copies before splitting: a copy on each side of a split inflates the test score"));
        }
        findings.addAll(classBalance.findings(testFile));
        findings.addAll(column(target).findings(true, testFile));
        for (ColumnProfile column : columns) {
            if (!column.name().equals(target)) {
                findings.addAll(column.findings(false, testFile));
            }
        }
        return findings;
    }

    /** The sections of the text report: size, columns, numeric ranges, duplicates, class balance. */
    String format() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s: %,d rows, %d columns, target '%s'%n%n", source, rows, columns.size(), target));
        TextTable overview = new TextTable("column", "type", ">missing", ">distinct", "notes");
        for (ColumnProfile c : columns) {
            overview.add(c.name(), c.typeLabel(), c.missing() == 0 ? "0" : c.missing() + " (" + Values.percent(c.missingShare()) + ")",
                    String.valueOf(c.distinct()), notes(c));
        }
        text.append(overview.format("  "));

        List<ColumnProfile> numeric = columns.stream().filter(c -> c.numbers() != null).toList();
        if (!numeric.isEmpty()) {
            TextTable ranges = new TextTable("numeric column", ">min", ">max", ">mean", ">std", ">median", ">far outliers");
            for (ColumnProfile c : numeric) {
                NumericSummary n = c.numbers();
                ranges.add(c.name(), Values.number(n.min()), Values.number(n.max()), Values.number(n.mean()),
                        Double.isNaN(n.std()) ? "-" : Values.number(n.std()), Values.number(n.median()), String.valueOf(n.farOutliers()));
            }
            text.append('\n').append(ranges.format("  "));
        }
        text.append('\n').append(duplicates.count() == 0 ? "duplicate rows: none\n"
                : String.format(Locale.ROOT, "duplicate rows: %,d (%s)%n", duplicates.count(),
                        duplicates.describe(null, DuplicateRows.EXAMPLES)));
        text.append('\n').append(classBalance.format());
        return text.toString();
    }

    /** Short tags for the overview; the findings say more. */
    private String notes(ColumnProfile c) {
        List<String> notes = new ArrayList<>();
        if (c.name().equals(target)) {
            notes.add("target");
        }
        if (c.rows() > 0 && c.isConstant()) {
            notes.add("constant");
        }
        if (c.missingShare() > ColumnProfile.MOSTLY_MISSING) {
            notes.add("mostly missing");
        }
        if (c.identifierLike()) {
            notes.add("identifier?");
        }
        if (c.strayTexts() > 0) {
            notes.add(Values.count(c.strayTexts(), "stray text"));
        }
        if (!c.similarCategories().isEmpty()) {
            notes.add("similar categories");
        }
        if (c.numbers() != null && c.numbers().farOutliers() > 0) {
            notes.add("far outliers");
        }
        return String.join(", ", notes);
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("file", source);
        json.put("rows", rows);
        json.put("target", target);
        json.put("columns", columns.stream().map(ColumnProfile::toJson).toList());
        json.put("duplicates", duplicates.toJson());
        json.put("class_balance", classBalance.toJson());
        return json;
    }
}

package kiln.nn.data.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import kiln.nn.data.CsvTable;
import kiln.nn.data.prep.TablePreparation;

/**
 * What one column holds: its type, missing values, distinct values, the range of its numbers, and the
 * signs that it is wrong or useless. Texts are compared trimmed, as training compares them ("cat" and
 * "cat " are one category). The rules:
 * <ul>
 *   <li><em>constant</em>: at most one distinct value (an all-missing column counts);</li>
 *   <li><em>mostly missing</em>: more than {@value #MOSTLY_MISSING} of the rows miss a value;</li>
 *   <li><em>identifier-like</em>: at least {@value #IDENTIFIER_MIN_VALUES} values, all distinct, and
 *       either texts or whole numbers forming one consecutive run (1, 2, ..., n in any order): a row number
 *       or a key, which tells nothing about new rows. Distinct measurements (2.31, 7.5, ...) are not flagged;</li>
 *   <li><em>stray texts</em>: a text column in which more than half of the values are numbers: its texts
 *       are likely typos that made the whole column text;</li>
 *   <li><em>similar categories</em>: categories equal once case is ignored ("Yes", "yes"), which
 *       training counts as different;</li>
 *   <li><em>far outliers</em>: see {@link NumericSummary}.</li>
 * </ul>
 *
 * @param numbers           the summary of the values; null for a text column or one with no values
 * @param strayTexts        how many values of a mostly-numeric text column are not numbers (0 otherwise)
 * @param strayExamples     the first few of them, with their lines
 * @param similarCategories groups of categories that differ only in case
 */
public record ColumnProfile(String name, boolean numeric, int rows, int missing, int distinct, NumericSummary numbers,
                            boolean identifierLike, int strayTexts, List<Cell> strayExamples,
                            List<List<String>> similarCategories) {
    public static final double MOSTLY_MISSING = 0.5;
    public static final int IDENTIFIER_MIN_VALUES = 10;
    /** Examples kept of stray texts. */
    static final int EXAMPLES = 5;

    /** A cell of the file: its line and its text. */
    public record Cell(int line, String text) {
        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("line", line);
            json.put("text", text);
            return json;
        }
    }

    public ColumnProfile {
        strayExamples = List.copyOf(strayExamples);
        similarCategories = similarCategories.stream().map(List::copyOf).toList();
    }

    /** The profile of {@code column} of {@code table}. */
    public static ColumnProfile of(CsvTable table, CsvTable.Column column) {
        int rows = table.rowCount();
        int missing = column.missingCount();
        if (column.isNumeric()) {
            double[] values = new double[rows - missing];
            int n = 0;
            for (int row = 0; row < rows; row++) {
                if (!column.isMissing(row)) {
                    values[n++] = column.value(row) + 0.0;   // + 0.0: -0 and 0 are one value
                }
            }
            int distinct = (int) Arrays.stream(values).distinct().count();
            NumericSummary numbers = values.length > 0 ? NumericSummary.of(values) : null;
            boolean rowNumbers = numbers != null && distinct == values.length && values.length >= IDENTIFIER_MIN_VALUES
                    && Arrays.stream(values).allMatch(v -> v == Math.rint(v)) && numbers.max() - numbers.min() == values.length - 1;
            return new ColumnProfile(column.name(), true, rows, missing, distinct, numbers, rowNumbers, 0, List.of(), List.of());
        }
        List<String> categories = column.categories();
        List<Cell> texts = new ArrayList<>();
        int strays = 0;
        for (int row = 0; row < rows; row++) {
            if (!column.isMissing(row) && !CsvTable.isNumber(column.text(row))) {
                strays++;
                if (texts.size() < EXAMPLES) {
                    texts.add(new Cell(table.line(row), column.text(row)));
                }
            }
        }
        int present = rows - missing;
        boolean mostlyNumbers = 2 * (present - strays) > present;
        boolean allDistinctTexts = !mostlyNumbers && present >= IDENTIFIER_MIN_VALUES && categories.size() == present;
        return new ColumnProfile(column.name(), false, rows, missing, categories.size(), null, allDistinctTexts,
                mostlyNumbers ? strays : 0, mostlyNumbers ? texts : List.of(), similar(categories));
    }

    /** Categories grouped by their lower-case form; the groups of more than one. */
    private static List<List<String>> similar(List<String> categories) {
        Map<String, List<String>> groups = new TreeMap<>();
        for (String category : categories) {
            groups.computeIfAbsent(category.toLowerCase(Locale.ROOT), key -> new ArrayList<>()).add(category);
        }
        return groups.values().stream().filter(group -> group.size() > 1).toList();
    }

    public double missingShare() {
        return rows == 0 ? 0 : (double) missing / rows;
    }

    /** At most one distinct value, counting an all-missing column. */
    public boolean isConstant() {
        return distinct <= 1;
    }

    /**
     * The problems of this column, each with what to do. For the target, only the problems of its values
     * (stray texts, similar categories): its missing values and classes are the class balance's to report.
     * In a test file, whether a feature is worth keeping (constant, identifier-like, too many categories)
     * is not judged: that is decided on the training file.
     */
    public List<Finding> findings(boolean target, boolean testFile) {
        String subject = (target ? "target '" : "column '") + name + "'";
        List<Finding> findings = new ArrayList<>();
        if (!target) {
            featureFindings(subject, testFile, findings);
        }
        if (strayTexts > 0) {
            findings.add(new Finding(subject, "looks numeric but holds " + Values.count(strayTexts, "text") + ": "
                            + describe(strayExamples),
                    "fix them or mark them missing; as it is, the whole column is read as text (one category per value)"));
        }
        if (!similarCategories.isEmpty()) {
            findings.add(new Finding(subject, "categories that differ only in case: " + String.join("; ",
                    similarCategories.stream().map(group -> String.join(" / ", group.stream().map(Values::quoted).toList())).toList()),
                    "write each one way: as it is they count as different " + (target ? "classes" : "categories")));
        }
        return findings;
    }

    private void featureFindings(String subject, boolean testFile, List<Finding> findings) {
        String drop = "leave the column out (--exclude " + name + ")";
        if (missing == rows && rows > 0) {
            findings.add(new Finding(subject, "missing in every row", drop + ": it holds nothing"));
            return;
        }
        if (missingShare() > MOSTLY_MISSING) {
            findings.add(new Finding(subject, Values.count(missing, "missing value") + " (" + Values.percent(missingShare())
                            + "), more than half",
                    drop + ", or impute knowing that most of its values would be made up"));
        } else if (missing > 0) {
            findings.add(new Finding(subject, Values.count(missing, "missing value") + " (" + Values.percent(missingShare()) + ")",
                    "impute them (e.g. --missing " + (numeric ? "median" : "most-frequent") + ") or drop those rows"));
        }
        if (!testFile) {
            usefulnessFindings(subject, drop, findings);
        }
        if (numbers != null && numbers.farOutliers() > 0) {
            findings.add(new Finding(subject, Values.count(numbers.farOutliers(), "value") + " far outside the quartiles (more than "
                    + Values.number(NumericSummary.FAR_OUT) + " IQR beyond; range " + Values.number(numbers.min()) + " to "
                    + Values.number(numbers.max()) + ")", "check whether they are errors; if so fix them, or clip them (--outliers iqr)"));
        }
    }

    /** Whether the column can teach anything: not when it is constant, an identifier, or has too many categories. */
    private void usefulnessFindings(String subject, String drop, List<Finding> findings) {
        if (distinct == 1) {
            findings.add(new Finding(subject, "the same value in every row" + (missing > 0 ? " that has one" : ""),
                    drop + ": it carries no information"));
        }
        if (identifierLike) {
            String values = Values.count(distinct, numeric ? "consecutive whole number" : "text");
            findings.add(new Finding(subject, "every value is distinct (" + values
                    + "): an identifier or row number?", drop + ": it tells nothing about new rows, and invites memorising"));
        } else if (!numeric && strayTexts == 0 && distinct > TablePreparation.MAX_CATEGORIES) {
            findings.add(new Finding(subject, distinct + " categories, more than training one-hot encodes ("
                    + TablePreparation.MAX_CATEGORIES + ")", drop + ", or group its rare categories"));
        }
    }

    private static String describe(List<Cell> cells) {
        return String.join(", ", cells.stream().map(cell -> Values.quoted(cell.text()) + " (line " + cell.line() + ")").toList());
    }

    /** "numeric", "text, 3 categories", or "none" when every value is missing. */
    String typeLabel() {
        if (rows > 0 && missing == rows) {
            return "none";
        }
        return numeric ? "numeric" : "text, " + distinct + (distinct == 1 ? " category" : " categories");
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("type", rows > 0 && missing == rows ? "empty" : numeric ? "numeric" : "categorical");
        json.put("missing", missing);
        json.put("missing_share", missingShare());
        json.put("distinct", distinct);
        json.put("constant", isConstant());
        json.put("identifier_like", identifierLike);
        if (numbers != null) {
            json.put("numbers", numbers.toJson());
        }
        if (strayTexts > 0) {
            json.put("stray_texts", strayTexts);
            json.put("stray_examples", strayExamples.stream().map(Cell::toJson).toList());
        }
        if (!similarCategories.isEmpty()) {
            json.put("similar_categories", similarCategories);
        }
        return json;
    }
}

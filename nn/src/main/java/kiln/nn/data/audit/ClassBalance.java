package kiln.nn.data.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import kiln.nn.data.CsvTable;

/**
 * How the rows spread over the classes of a target column, and the class weights that would even them
 * out. A table's classes are those training finds, in the order it numbers them: numbers sorted as
 * numbers ("1" and "1.0" are one class, named as first written), texts trimmed and sorted as texts ("cat"
 * and "cat " are one class). Rows missing the target belong to no class.
 *
 * <p>The suggested weights are scikit-learn's "balanced" ones, {@code n / (k · n_c)} for n labelled rows,
 * k classes and n_c rows in class c: weighted by them, every class contributes equally to the loss. The
 * classes are called <em>imbalanced</em> when the largest has at least {@value #IMBALANCE_RATIO} times
 * as many rows as the smallest: then accuracy mostly measures the large classes.
 *
 * @param missing          rows without a class
 * @param firstMissingLine the line of the first of them, 0 when there are none
 */
public record ClassBalance(String target, List<ClassCount> classes, int missing, int firstMissingLine) {
    public static final double IMBALANCE_RATIO = 3.0;
    /** Rows from which "more classes than half the rows" is judged: a handful of rows proves nothing. */
    public static final int MANY_CLASSES_MIN_ROWS = 20;
    /** Classes listed in the text report; the JSON has them all. */
    private static final int MAX_LISTED = 30;

    /** A class, its number of rows, their share of the labelled rows, and its balanced weight. */
    public record ClassCount(String name, int count, double share, double weight) {}

    public ClassBalance {
        classes = List.copyOf(classes);
    }

    /** The class balance of column {@code target} of {@code table}. */
    public static ClassBalance of(CsvTable table, String target) {
        CsvTable.Column column = table.column(target);
        Map<Object, Integer> counts = new TreeMap<>();   // Double keys for a numeric column, String keys for text
        Map<Object, String> names = new HashMap<>();
        int missing = 0;
        int firstMissingLine = 0;
        for (int row = 0; row < table.rowCount(); row++) {
            if (column.isMissing(row)) {
                firstMissingLine = missing++ == 0 ? table.line(row) : firstMissingLine;
                continue;
            }
            Object key = column.isNumeric() ? (Object) (column.value(row) + 0.0) : column.trimmedText(row);
            counts.merge(key, 1, Integer::sum);
            names.putIfAbsent(key, column.trimmedText(row));
        }
        Map<String, Integer> named = new LinkedHashMap<>();
        counts.forEach((key, count) -> named.put(names.get(key), count));
        return of(target, named, missing, firstMissingLine);
    }

    /**
     * The class balance of class indices: {@code labels[i]} is the class of example i, named by
     * {@code classNames}. Classes without examples are left out.
     */
    public static ClassBalance of(String target, long[] labels, List<String> classNames) {
        int[] counts = new int[classNames.size()];
        for (long label : labels) {
            if (label < 0 || label >= counts.length) {
                throw new IllegalArgumentException("ClassBalance.of: label " + label + " is not a class index in [0, "
                        + counts.length + ")");
            }
            counts[(int) label]++;
        }
        Map<String, Integer> named = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                named.put(classNames.get(c), counts[c]);
            }
        }
        return of(target, named, 0, 0);
    }

    /** Shares and balanced weights from each class's count, in class order. */
    private static ClassBalance of(String target, Map<String, Integer> counts, int missing, int firstMissingLine) {
        int labelled = counts.values().stream().mapToInt(Integer::intValue).sum();
        List<ClassCount> classes = new ArrayList<>();
        counts.forEach((name, count) -> classes.add(new ClassCount(name, count, (double) count / labelled,
                (double) labelled / ((double) counts.size() * count))));
        return new ClassBalance(target, classes, missing, firstMissingLine);
    }

    public int labelled() {
        return classes.stream().mapToInt(ClassCount::count).sum();
    }

    /** The largest class's rows over the smallest's; NaN without classes. */
    public double ratio() {
        if (classes.isEmpty()) {
            return Double.NaN;
        }
        return (double) largest().count() / smallest().count();
    }

    public boolean isImbalanced() {
        return classes.size() > 1 && ratio() >= IMBALANCE_RATIO;
    }

    private ClassCount largest() {
        return classes.stream().max((a, b) -> Integer.compare(a.count(), b.count())).orElseThrow();
    }

    private ClassCount smallest() {
        return classes.stream().min((a, b) -> Integer.compare(a.count(), b.count())).orElseThrow();
    }

    /**
     * Rows without a class and, for a training file, a single class, imbalance, and more classes than rows
     * to learn them from (a test file's balance is shown, not judged: a small test set is lopsided by chance).
     */
    public List<Finding> findings(boolean testFile) {
        String subject = "target '" + target + "'";
        List<Finding> findings = new ArrayList<>();
        if (classes.isEmpty()) {
            if (missing > 0) {
                findings.add(new Finding(subject, "no row has a class (all " + missing + " missing)", "check --target"));
            }
            return findings;
        }
        if (missing > 0) {
            findings.add(new Finding(subject, Values.count(missing, "row") + " without a class, the first on line " + firstMissingLine,
                    "drop those rows: a row without a class can be neither trained nor tested on"));
        }
        if (testFile) {
            return findings;
        }
        if (classes.size() == 1) {
            findings.add(new Finding(subject, "one class only, " + Values.quoted(classes.getFirst().name()),
                    "nothing to learn: check --target, or gather rows of the other classes"));
        } else if (isImbalanced()) {
            findings.add(new Finding(subject, String.format(Locale.ROOT, "imbalanced: the largest class, %s, has %,d examples, the"
                            + " smallest, %s, %,d (ratio %.1f >= %s)", Values.quoted(largest().name()), largest().count(),
                            Values.quoted(smallest().name()), smallest().count(), ratio(), Values.number(IMBALANCE_RATIO)),
                    "weight the loss by the suggested class weights (--class-weights balanced) or oversample the small classes"
                            + " (WeightedRandomSampler);"
                            + " judge by per-class recall and macro F1, not accuracy"));
        }
        if (labelled() >= MANY_CLASSES_MIN_ROWS && 2 * classes.size() > labelled()) {
            findings.add(new Finding(subject, classes.size() + " classes for " + Values.count(labelled(), "example")
                            + ": most classes have a single one",
                    "check --target: a measured quantity or an identifier cannot be learnt as classes"));
        }
        return findings;
    }

    String format() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "class balance of '%s': %d %s over %,d examples", target, classes.size(),
                classes.size() == 1 ? "class" : "classes", labelled()));
        if (missing > 0) {
            text.append(String.format(Locale.ROOT, " (%,d more without a class)", missing));
        }
        if (classes.size() > 1) {
            text.append(String.format(Locale.ROOT, "; largest / smallest %.1f%s", ratio(),
                    isImbalanced() ? ": imbalanced (>= " + Values.number(IMBALANCE_RATIO) + ")" : ""));
        }
        text.append('\n');
        TextTable table = new TextTable("class", ">count", ">share", ">balanced weight");
        for (ClassCount c : classes.subList(0, Math.min(classes.size(), MAX_LISTED))) {
            table.add(c.name(), String.format(Locale.ROOT, "%,d", c.count()), Values.percent(c.share()), Values.number(c.weight()));
        }
        text.append(table.format("  "));
        if (classes.size() > MAX_LISTED) {
            text.append(String.format(Locale.ROOT, "  ... and %,d more classes (--json lists them all)%n", classes.size() - MAX_LISTED));
        }
        return text.toString();
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("target", target);
        json.put("classes", classes.stream().map(c -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", c.name());
            one.put("count", c.count());
            one.put("share", c.share());
            one.put("weight", c.weight());
            return one;
        }).toList());
        json.put("missing", missing);
        json.put("ratio", Values.json(ratio()));
        json.put("imbalanced", isImbalanced());
        return json;
    }
}

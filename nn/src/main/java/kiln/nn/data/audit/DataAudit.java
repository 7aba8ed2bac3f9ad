package kiln.nn.data.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import kiln.nn.data.CsvTable;

/**
 * A data-quality audit of a CSV table, and optionally of its test file beside it:
 * <pre>{@code
 * DataAudit audit = DataAudit.of(Csv.read(train), Csv.read(test), "label");   // or DataAudit.of(table, null)
 * System.out.print(audit.format());      // the report, ending with its findings
 * audit.findings();                      // each problem with what to do about it
 * Json.write(audit.toJson());            // the same for scripts
 * }</pre>
 * With a test file, the audit also reports the test rows that repeat training rows (leakage), columns
 * whose type differs between the files, and classes of the test file that training never sees.
 *
 * @param data    the profile of the (training) file
 * @param test    the profile of the test file, or null
 * @param leakage the test rows that repeat rows of the data file, or null without a test file
 */
public record DataAudit(TableProfile data, TableProfile test, DuplicateRows leakage) {
    public DataAudit {
        if (data == null || (test == null) != (leakage == null)) {
            throw new IllegalArgumentException("DataAudit: the data profile is required, and a test profile goes with its leakage");
        }
    }

    /** Audits {@code table}; {@code target} is its class column, null for the last column (as {@code kiln train} takes it). */
    public static DataAudit of(CsvTable table, String target) {
        return new DataAudit(TableProfile.of(table, target), null, null);
    }

    /**
     * Audits {@code train} and {@code test}, and the rows they share. Both must have the same columns in
     * the same order; {@code target} as in {@link #of(CsvTable, String)}, taken from the training file.
     */
    public static DataAudit of(CsvTable train, CsvTable test, String target) {
        TableProfile data = TableProfile.of(train, target);
        DuplicateRows leakage = DuplicateRows.between(train, test);
        return new DataAudit(data, TableProfile.of(test, data.target()), leakage);
    }

    /** Every problem found, one line each, with what to do; empty for a clean file. With two files, each names its file. */
    public List<Finding> findings() {
        if (test == null) {
            return data.findings(false);
        }
        List<Finding> findings = new ArrayList<>();
        data.findings(false).forEach(f -> findings.add(f.in(data.source())));
        test.findings(true).forEach(f -> findings.add(f.in(test.source())));
        if (leakage.count() > 0) {
            findings.add(new Finding(test.source(), Values.count(leakage.count(), "row") + " also in " + data.source() + ": "
                    + leakage.describe(data.source(), 1), "remove them from " + test.source()
                    + ": a test row seen in training overstates the test score"));
        }
        addTypeMismatches(findings);
        addUnseenClasses(findings);
        return findings;
    }

    /** Columns numeric in one file and text in the other: a typo in one file, and rows that cannot match. */
    private void addTypeMismatches(List<Finding> findings) {
        for (ColumnProfile trained : data.columns()) {
            ColumnProfile tested = test.column(trained.name());
            if (trained.distinct() > 0 && tested.distinct() > 0 && trained.numeric() != tested.numeric()) {
                String numericFile = trained.numeric() ? data.source() : test.source();
                String textFile = trained.numeric() ? test.source() : data.source();
                findings.add(new Finding("column '" + trained.name() + "'", "numeric in " + numericFile + " but text in " + textFile,
                        "look for typos in " + textFile + "; until they are fixed, this column's values are compared as text"
                                + " in one file and as numbers in the other, and shared rows can go unnoticed"));
            }
        }
    }

    /** Classes of the test file that the training file never has: no model trained on it can predict them. */
    private void addUnseenClasses(List<Finding> findings) {
        Set<String> trained = data.classBalance().classes().stream().map(ClassBalance.ClassCount::name).collect(Collectors.toSet());
        List<String> unseen = test.classBalance().classes().stream().map(ClassBalance.ClassCount::name)
                .filter(name -> !trained.contains(name)).toList();
        if (!unseen.isEmpty()) {
            findings.add(new Finding("target '" + data.target() + "'", (unseen.size() == 1 ? "a class" : "classes") + " in "
                    + test.source() + " that " + data.source() + " never has: "
                    + String.join(", ", unseen.stream().map(Values::quoted).toList()),
                    "a model cannot predict a class it never saw: fix the labels or add training rows"));
        }
    }

    /** The report as text: each file's sections, the leakage, and the numbered findings at the end. */
    public String format() {
        StringBuilder text = new StringBuilder(data.format());
        if (test != null) {
            text.append('\n').append(test.format());
            text.append('\n').append(leakage.count() == 0
                    ? "rows of " + test.source() + " also in " + data.source() + ": none\n"
                    : String.format(Locale.ROOT, "rows of %s also in %s: %,d (%s)%n", test.source(), data.source(),
                            leakage.count(), leakage.describe(data.source(), DuplicateRows.EXAMPLES)));
        }
        return text.append('\n').append(Finding.formatList(findings())).toString();
    }

    /**
     * The report for {@link kiln.nn.io.Json#write}: {@code data} (and {@code test}, {@code leakage}) and
     * {@code findings}, a list of {subject, problem, advice}.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("data", data.toJson());
        if (test != null) {
            json.put("test", test.toJson());
            json.put("leakage", leakage.toJson());
        }
        json.put("findings", findings().stream().map(Finding::toJson).toList());
        return json;
    }
}

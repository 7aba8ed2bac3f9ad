package kiln.nn.data.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kiln.nn.Golden;
import kiln.nn.data.CsvTable;
import kiln.nn.io.Json;

/** The audit as a whole: every planted problem reported, a clean file reporting none, leakage between two files. */
class DataAuditTest {
    /**
     * 19 rows with planted problems: 'age' misses 3 values (lines 5, 10, 16), line 7 and line 12 repeat
     * line 3, 'constant' holds 7 everywhere, 'label' has 15 "no" and 4 "yes" (ratio 3.75 >= 3).
     */
    static final String PLANTED = """
            age,city,constant,income,label
            34,Paris,7,52000,no
            41,Lyon,7,61000,no
            29,Paris,7,48000,no
            ,Nice,7,55000,no
            52,Lyon,7,75000,yes
            41,Lyon,7,61000,no
            38,Paris,7,58000,no
            45,Nice,7,63000,no
            ,Lyon,7,59000,no
            27,Paris,7,45000,no
            41,Lyon,7,61000,no
            33,Nice,7,51000,yes
            60,Paris,7,79000,no
            36,Lyon,7,57000,no
            ,Nice,7,54000,yes
            48,Paris,7,66000,no
            31,Lyon,7,50000,no
            44,Nice,7,62000,yes
            39,Paris,7,56000,no
            """;

    /** Three balanced classes, nothing missing, no copies, no constant: nothing to report. */
    static final String CLEAN = """
            x,y,colour,label
            0.1,5,red,a
            0.4,3,blue,b
            0.3,8,green,c
            0.9,1,red,a
            0.7,2,blue,b
            0.2,9,green,c
            """;

    private static List<String> subjects(List<Finding> findings) {
        return findings.stream().map(Finding::subject).toList();
    }

    @Test
    void everyPlantedProblemIsReported() {
        DataAudit audit = DataAudit.of(Tables.read("planted.csv", PLANTED), null);
        TableProfile data = audit.data();
        assertEquals(19, data.rows());
        assertEquals("label", data.target(), "the last column by default, as kiln train takes it");

        assertEquals(3, data.column("age").missing());
        assertEquals(2, data.duplicates().count());
        assertEquals(List.of(new DuplicateRows.Repeat(7, 3), new DuplicateRows.Repeat(12, 3)), data.duplicates().examples());
        assertTrue(data.column("constant").isConstant());
        ClassBalance balance = data.classBalance();
        assertEquals(List.of(15, 4), balance.classes().stream().map(ClassBalance.ClassCount::count).toList());
        assertTrue(balance.isImbalanced());
        assertEquals(19.0 / (2 * 4), balance.classes().get(1).weight(), 1e-15, "n / (k * n_yes)");

        List<Finding> findings = audit.findings();
        assertEquals(List.of("rows", "target 'label'", "column 'age'", "column 'constant'"), subjects(findings));
        assertTrue(findings.get(0).problem().equals("2 duplicate rows: line 7 repeats line 3, ..."));
        assertTrue(findings.get(1).problem().startsWith("imbalanced"));
        assertTrue(findings.get(2).problem().startsWith("3 missing values (15.8%)"));
        assertTrue(findings.get(3).advice().startsWith("leave the column out (--exclude constant)"));

        String text = audit.format();
        for (String expected : List.of("planted.csv: 19 rows, 5 columns, target 'label'", "3 (15.8%)", "constant",
                "duplicate rows: 2 (line 7 repeats line 3, line 12 repeats line 3)", "imbalanced (>= 3)", "2.375", "findings (4):",
                "  1. rows: 2 duplicate rows: line 7 repeats line 3, ... -> remove the copies before splitting")) {
            assertTrue(text.contains(expected), "missing '" + expected + "' in\n" + text);
        }
    }

    /** Against Python's count of rows equal to an earlier one (tools/reference/make_audit_goldens.py). */
    @Test
    void countsTheDuplicatesPythonCounts() {
        TableProfile golden = DataAudit.of(Tables.resource("/golden/audit/table.csv"), "label").data();
        assertEquals((int) Golden.load("/golden/audit/table.txt").value("duplicates"), golden.duplicates().count());
    }

    @Test
    void aCleanFileHasNoFindings() {
        DataAudit audit = DataAudit.of(Tables.read("clean.csv", CLEAN), null);
        assertEquals(List.of(), audit.findings());
        assertTrue(audit.format().endsWith("findings: none\n"), audit.format());
    }

    @Test
    void testRowsThatRepeatTrainingRowsAreLeakage() {
        CsvTable train = Tables.read("train.csv", CLEAN);
        CsvTable test = Tables.read("test.csv", """
                x,y,colour,label
                0.30,8,green ,c
                0.5,4,red,a
                0.9,1.0,red,a
                """);
        DataAudit audit = DataAudit.of(train, test, null);
        assertEquals(2, audit.leakage().count());
        assertEquals(List.of(new DuplicateRows.Repeat(2, 4), new DuplicateRows.Repeat(4, 5)), audit.leakage().examples(),
                "numbers compared as numbers, texts trimmed");
        Finding leak = audit.findings().getLast();
        assertEquals(test.source(), leak.subject());
        assertTrue(leak.problem().contains("2 rows also in " + train.source() + ": line 2 repeats " + train.source() + " line 4"), leak.problem());
        assertTrue(audit.format().contains("also in " + train.source() + ": 2 ("), audit.format());
    }

    @Test
    void twoFilesAreComparedColumnByColumnAndClassByClass() {
        CsvTable train = Tables.read("train.csv", CLEAN);
        CsvTable test = Tables.read("test.csv", """
                x,y,colour,label
                0.5,4,red,a
                0.6,oops,red,d
                """);
        List<Finding> findings = DataAudit.of(train, test, "label").findings();
        assertTrue(findings.stream().anyMatch(f -> f.subject().equals("column 'y'")
                && f.problem().equals("numeric in " + train.source() + " but text in " + test.source())), findings.toString());
        assertTrue(findings.stream().anyMatch(f -> f.problem().contains("never has: 'd'")), findings.toString());
    }

    @Test
    void filesWithDifferentColumnsAreRefusedWithBothNames() {
        CsvTable train = Tables.read("train.csv", CLEAN);
        CsvTable test = Tables.read("test.csv", "x,y,label\n1,2,a\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataAudit.of(train, test, null));
        assertTrue(e.getMessage().contains(test.source() + " has the columns (x, y, label) but " + train.source()), e.getMessage());
    }

    @Test
    void anUnknownTargetIsRefusedWithTheColumnsThereAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataAudit.of(Tables.read("clean.csv", CLEAN), "price"));
        assertTrue(e.getMessage().contains("no column named 'price' (columns: x, y, colour, label)"), e.getMessage());
    }

    @Test
    void aHeaderWithoutRowsIsReportedNotRefused() {
        DataAudit audit = DataAudit.of(Tables.read("empty.csv", "a,b\n"), null);
        assertEquals(List.of("none: the file has a header and no data"), audit.findings().stream().map(Finding::problem).toList());
        assertTrue(audit.format().contains("0 rows"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJsonHoldsTheReportAndItsFindings() {
        DataAudit audit = DataAudit.of(Tables.read("planted.csv", PLANTED), null);
        Map<String, Object> json = (Map<String, Object>) Json.parse(Json.write(audit.toJson()));
        Map<String, Object> data = (Map<String, Object>) json.get("data");
        assertEquals(19L, data.get("rows"));
        assertEquals(2L, ((Map<String, Object>) data.get("duplicates")).get("count"));
        Map<String, Object> age = ((List<Map<String, Object>>) data.get("columns")).getFirst();
        assertEquals(3L, age.get("missing"));
        assertEquals(27.0, ((Map<String, Object>) age.get("numbers")).get("min"));
        assertEquals(true, ((Map<String, Object>) data.get("class_balance")).get("imbalanced"));
        List<Map<String, Object>> findings = (List<Map<String, Object>>) json.get("findings");
        assertEquals(audit.findings().size(), findings.size());
        assertEquals("column 'age'", findings.get(2).get("subject"));
    }
}

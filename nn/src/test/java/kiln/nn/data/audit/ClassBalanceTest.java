package kiln.nn.data.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.nn.Golden;
import kiln.nn.data.CsvTable;
import kiln.nn.data.prep.RowFilter;
import kiln.nn.data.prep.TargetClasses;

class ClassBalanceTest {
    private static ClassBalance balance(String csv) {
        CsvTable table = Tables.read("labels.csv", csv);
        return ClassBalance.of(table, table.columnNames().getLast());
    }

    private static String rows(String label, int count) {
        return (label + "\n").repeat(count);
    }

    @Test
    void countsSharesAndBalancedWeightsByFormula() {
        ClassBalance b = balance("label\n" + rows("b", 6) + rows("a", 3) + rows("c", 1));
        assertEquals(List.of("a", "b", "c"), b.classes().stream().map(ClassBalance.ClassCount::name).toList(), "sorted as training numbers them");
        int n = 10;
        int k = 3;
        int[] counts = {3, 6, 1};
        for (int c = 0; c < k; c++) {
            ClassBalance.ClassCount cc = b.classes().get(c);
            assertEquals(counts[c], cc.count());
            assertEquals((double) counts[c] / n, cc.share(), 1e-15);
            assertEquals((double) n / (k * counts[c]), cc.weight(), 1e-15, "n / (k * n_c)");
        }
        double weighted = 0;
        for (ClassBalance.ClassCount cc : b.classes()) {
            weighted += cc.weight() * cc.count();
        }
        assertEquals(n, weighted, 1e-12, "balanced weights keep the total weight at n");
        assertEquals(6.0, b.ratio());
        assertTrue(b.isImbalanced());
    }

    @Test
    void imbalancedFromARatioOfThree() {
        assertFalse(balance("label\n" + rows("x", 5) + rows("y", 2)).isImbalanced(), "ratio 2.5");
        assertTrue(balance("label\n" + rows("x", 6) + rows("y", 2)).isImbalanced(), "ratio 3");
    }

    @Test
    void numericClassesAreNumbersSortedAsNumbers() {
        ClassBalance b = balance("label\n10\n2\n1.0\n1\n2\n");
        assertEquals(List.of("1.0", "2", "10"), b.classes().stream().map(ClassBalance.ClassCount::name).toList(),
                "\"1.0\" and \"1\" are one class, named as first written; 2 before 10");
        assertEquals(List.of(2, 2, 1), b.classes().stream().map(ClassBalance.ClassCount::count).toList());
    }

    @Test
    void textClassesAreTrimmedAsTrainingTrimsThem() {
        CsvTable table = Tables.read("labels.csv", "label\ncat\ncat \n\" cat\"\ndog\n dog\nbird\n");
        ClassBalance b = ClassBalance.of(table, "label");
        assertEquals(List.of("bird", "cat", "dog"), b.classes().stream().map(ClassBalance.ClassCount::name).toList());
        assertEquals(List.of(1, 3, 2), b.classes().stream().map(ClassBalance.ClassCount::count).toList());
        assertEquals(TargetClasses.fit(table, "label", RowFilter.all(table)).names(),
                b.classes().stream().map(ClassBalance.ClassCount::name).toList(), "the classes kiln train would learn");
    }

    @Test
    void rowsWithoutAClassAreCountedApartAndReported() {
        ClassBalance b = balance("f,label\n1,a\n2,NA\n3,b\n4,\n");
        assertEquals(2, b.missing());
        assertEquals(3, b.firstMissingLine());
        assertEquals(2, b.labelled());
        assertEquals(1.0, b.classes().getFirst().weight(), "weights over the labelled rows");
        Finding f = b.findings(false).getFirst();
        assertTrue(f.problem().contains("2 rows without a class, the first on line 3"), f.problem());
    }

    @Test
    void judgesATrainingFileButOnlyCountsMissingClassesInATestFile() {
        ClassBalance b = balance("label\n" + rows("x", 9) + rows("y", 1) + "NA\n");
        assertEquals(2, b.findings(false).size(), "missing and imbalanced");
        assertEquals(1, b.findings(true).size(), "missing only");
        assertTrue(balance("label\n" + rows("x", 4)).findings(false).getFirst().problem().contains("one class only"));
    }

    @Test
    void moreClassesThanHalfTheRowsIsReported() {
        StringBuilder csv = new StringBuilder("label\n");
        for (int i = 0; i < 24; i++) {
            csv.append(i % 20).append('\n');
        }
        List<Finding> findings = balance(csv.toString()).findings(false);
        assertTrue(findings.stream().anyMatch(f -> f.problem().contains("20 classes for 24 examples")), findings.toString());
    }

    @Test
    void classIndicesAreNamedAndAbsentClassesLeftOut() {
        ClassBalance b = ClassBalance.of("labels", new long[] {2, 0, 2, 2}, List.of("zero", "one", "two"));
        assertEquals(List.of("zero", "two"), b.classes().stream().map(ClassBalance.ClassCount::name).toList());
        assertEquals(4.0 / (2 * 3), b.classes().get(1).weight(), 1e-15, "k counts the classes present");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassBalance.of("labels", new long[] {0, 3}, List.of("zero", "one", "two")));
        assertTrue(e.getMessage().contains("label 3 is not a class index in [0, 3)"), e.getMessage());
    }

    /** Against scikit-learn's compute_class_weight("balanced") (tools/reference/make_audit_goldens.py). */
    @Test
    void matchesScikitLearnsBalancedWeights() {
        Golden golden = Golden.load("/golden/audit/table.txt");
        ClassBalance b = ClassBalance.of(Tables.resource("/golden/audit/table.csv"), "label");
        long[] counts = golden.longs("class_counts");
        double[] weights = golden.doubles("class_weights");
        assertEquals(counts.length, b.classes().size());
        for (int c = 0; c < counts.length; c++) {
            assertEquals(counts[c], b.classes().get(c).count());
            assertEquals(weights[c], b.classes().get(c).weight(), 1e-15);
        }
    }
}

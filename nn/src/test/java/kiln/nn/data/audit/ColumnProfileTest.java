package kiln.nn.data.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.nn.data.CsvTable;

class ColumnProfileTest {
    /** A one-column table holding {@code cells}, and its profile. */
    private static ColumnProfile profile(String... cells) {
        CsvTable table = Tables.read("column.csv", "c\n" + String.join("\n", cells) + "\n");
        return ColumnProfile.of(table, table.column("c"));
    }

    private static List<String> problems(ColumnProfile profile) {
        return profile.findings(false, false).stream().map(Finding::problem).toList();
    }

    private static String[] numbered(int count, java.util.function.IntFunction<String> cell) {
        return java.util.stream.IntStream.range(0, count).mapToObj(cell).toArray(String[]::new);
    }

    @Test
    void countsMissingAndDistinctValues() {
        ColumnProfile p = profile("3", "NA", "1", "3", "\"\"");
        assertTrue(p.numeric());
        assertEquals(5, p.rows());
        assertEquals(2, p.missing());
        assertEquals(0.4, p.missingShare());
        assertEquals(2, p.distinct());
        assertEquals(List.of("2 missing values (40.0%)"), problems(p));
    }

    @Test
    void moreThanHalfMissingSaysDropTheColumn() {
        Finding f = profile("1", "NA", "NA", "2", "NA").findings(false, false).getFirst();
        assertTrue(f.problem().contains("more than half"), f.problem());
        assertTrue(f.advice().startsWith("leave the column out (--exclude c)"), f.advice());
    }

    @Test
    void anAllMissingColumnIsOneFinding() {
        ColumnProfile p = profile("NA", "\"\"", "NA");
        assertTrue(p.isConstant());
        assertNull(p.numbers());
        assertEquals(List.of("missing in every row"), problems(p));
        assertEquals("none", p.typeLabel());
    }

    @Test
    void aConstantColumnIsReported() {
        assertTrue(profile("x", "x", "x").isConstant());
        assertEquals(List.of("the same value in every row"), problems(profile("x", "x", "x")));
        assertEquals(List.of("1 missing value (25.0%)", "the same value in every row that has one"), problems(profile("5", "5.0", "NA", "5")));
        assertFalse(profile("5", "6").isConstant());
    }

    @Test
    void rowNumbersAndTextKeysAreIdentifierLikeButMeasurementsAreNot() {
        String[] shuffledRowNumbers = {"7", "3", "10", "1", "2", "9", "4", "8", "6", "5"};
        assertTrue(profile(shuffledRowNumbers).identifierLike());
        assertTrue(profile(numbered(10, i -> "user-" + i)).identifierLike());
        assertFalse(profile(numbered(10, i -> String.valueOf(i * 2))).identifierLike(), "distinct but with gaps: a count, maybe");
        assertFalse(profile(numbered(10, i -> (i + 1) + ".5")).identifierLike(), "distinct measurements");
        assertFalse(profile(numbered(9, i -> "user-" + i)).identifierLike(), "too few rows to tell");
        assertTrue(problems(profile(shuffledRowNumbers)).getFirst().contains("every value is distinct (10 consecutive whole numbers)"));
    }

    @Test
    void strayTextsInANumericColumnAreListedWithTheirLines() {
        ColumnProfile p = profile("1.5", "2", "abc", "3", "4", "\"2,5\"");
        assertFalse(p.numeric(), "one stray text makes the column text");
        assertEquals(2, p.strayTexts());
        assertEquals(List.of(new ColumnProfile.Cell(4, "abc"), new ColumnProfile.Cell(7, "2,5")), p.strayExamples());
        assertTrue(problems(p).getFirst().contains("looks numeric but holds 2 texts: 'abc' (line 4), '2,5' (line 7)"), problems(p).toString());
        assertFalse(p.identifierLike(), "its values are all distinct, but it is a measurement with typos");
        assertEquals(0, profile("red", "blue", "3").strayTexts(), "a text column with a number in it is just text");
    }

    @Test
    void categoriesDifferingOnlyInCaseAreGrouped() {
        ColumnProfile p = profile("Yes", "no", "yes ", "No", "yes", "maybe");
        assertEquals(List.of(List.of("No", "no"), List.of("Yes", "yes")), p.similarCategories(), "'yes ' is 'yes'");
        assertTrue(problems(p).getFirst().contains("categories that differ only in case: 'No' / 'no'; 'Yes' / 'yes'"),
                problems(p).toString());
    }

    /** Training trims texts (TablePreparation, TargetClasses), so "cat" and " cat " are one category there and here. */
    @Test
    void surroundingSpacesMakeNoOtherCategory() {
        ColumnProfile p = profile("cat", "cat ", "\" cat\"", "dog", " dog");
        assertEquals(2, p.distinct());
        assertEquals(List.of(), p.similarCategories());
        assertEquals(List.of(), problems(p));
        assertEquals("text, 2 categories", p.typeLabel());
        assertFalse(profile(numbered(10, i -> "user-" + i / 2 + (i % 2 == 0 ? "" : " "))).identifierLike(),
                "five keys, each written twice: not all distinct");
    }

    @Test
    void tooManyCategoriesForOneHotEncodingIsReported() {
        String[] cells = numbered(202, i -> "c" + (i % 101));
        assertTrue(problems(profile(cells)).getFirst().startsWith("101 categories, more than training one-hot encodes (100)"));
    }

    @Test
    void aTestFileIsNotJudgedOnWhichColumnsToKeep() {
        ColumnProfile p = profile("x", "x", "NA");
        assertEquals(2, p.findings(false, false).size(), "missing and constant");
        assertEquals(1, p.findings(false, true).size(), "missing only");
    }

    @Test
    void theTargetLeavesMissingAndConstantToTheClassBalance() {
        ColumnProfile p = profile("x", "x", "NA", "X");
        assertEquals(List.of("categories that differ only in case: 'X' / 'x'"),
                p.findings(true, false).stream().map(Finding::problem).toList());
        assertTrue(p.findings(true, false).getFirst().advice().endsWith("different classes"));
    }
}

package kiln.nn.data.prep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.engine.Tensor;
import kiln.nn.data.Csv;
import kiln.nn.data.CsvTable;
import kiln.nn.io.Json;

/** Imputation, clipping and encoding fitted on training rows only, applied alike to other rows, files and raw values. */
class TablePreparationTest {
    @TempDir
    Path dir;

    private CsvTable table(String content) throws IOException {
        return Csv.read(Files.writeString(dir.resolve("t.csv"), content));
    }

    private static float[] features(TablePreparation prep, CsvTable table, int... rows) {
        try (Tensor x = prep.transform(table, rows)) {
            return x.toFloatArray();
        }
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }

    /** Rows 0-4 train; x holds 1, 2, 2, 4 and a gap; color b, a, b, a gap and b. Row 5 is a test row. */
    private static final String GAPS = """
            x,color,y
            1,b,p
            2,a,q
            2,b,p
            4,NA,q
            ,b,p
            1000,c,q
            """;
    private static final int[] TRAIN = {0, 1, 2, 3, 4};

    @Test
    void eachStrategyFillsWithItsStatisticOfTheTrainingRows() throws IOException {
        CsvTable t = table(GAPS);
        // mean of 1, 2, 2, 4 (row 5's 1000 is not a training row) = 2.25; median 2; most frequent 2.
        Map<MissingValues, Float> expected = Map.of(MissingValues.MEAN, 2.25f, MissingValues.MEDIAN, 2f,
                MissingValues.MOST_FREQUENT, 2f, MissingValues.constant("-1"), -1f);
        expected.forEach((rule, fill) -> {
            TablePreparation prep = TablePreparation.Options.DEFAULT.missing(rule).fit(t, TRAIN, "y");
            assertEquals("x", prep.featureNames().getFirst(), rule.toString());
            assertEquals(fill, features(prep, t, 4)[0], rule.toString());
        });
        // The text column takes its most frequent category (b: 3 of 4) for every statistic...
        TablePreparation mean = TablePreparation.Options.DEFAULT.missing(MissingValues.MEAN).fit(t, TRAIN, "y");
        assertArrayEquals(new float[] {4, 0, 1}, features(mean, t, 3));
        // ...and a constant becomes a category of its own.
        TablePreparation constant = TablePreparation.Options.DEFAULT.missing(MissingValues.constant("none")).exclude("x")
                .fit(t, TRAIN, "y");
        assertEquals(List.of("color=a", "color=b", "color=none"), constant.featureNames());
        assertArrayEquals(new float[] {0, 0, 1}, features(constant, t, 3));
    }

    @Test
    void aCategoryNeverSeenInTrainingIsTreatedAsMissing() throws IOException {
        CsvTable t = table(GAPS);
        TablePreparation filled = TablePreparation.Options.DEFAULT.missing(MissingValues.MEDIAN).fit(t, TRAIN, "y");
        assertArrayEquals(new float[] {1000, 0, 1}, features(filled, t, 5));   // c → b, the most frequent
        TablePreparation strict = TablePreparation.Options.DEFAULT.missing(MissingValues.DROP).fit(t, new int[] {0, 1, 2}, "y");
        var e = assertThrows(IllegalArgumentException.class, () -> strict.transform(t, new int[] {5}));
        assertContains(e.getMessage(), "t.csv:7: column 'color' (field 2): 'c' is not a category seen in training (known: a, b)");
        e = assertThrows(IllegalArgumentException.class, () -> strict.transform(t, new int[] {4}));
        assertContains(e.getMessage(), "t.csv:6: column 'x' (field 1): the value is missing, and the preparation has no fill value");
    }

    @Test
    void refuseNamesTheFirstMissingValueAmongTheRowsFitted() throws IOException {
        CsvTable t = table(GAPS);
        var e = assertThrows(IllegalArgumentException.class, () -> TablePreparation.Options.DEFAULT.fit(t, TRAIN, "y"));
        // Columns are checked in order: x's gap (line 6) before color's (line 5).
        assertContains(e.getMessage(), "t.csv:6: column 'x' (field 1) has 1 missing value(s)");
        // Rows without gaps fit fine.
        assertEquals(3, TablePreparation.Options.DEFAULT.fit(t, new int[] {0, 1, 2}, "y").width());
    }

    @Test
    void outlierBoundsAreTukeysFencesOrQuantilesOfTheTrainingValues() throws IOException {
        StringBuilder csv = new StringBuilder("v\n");
        for (int v : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 100, -50}) {
            csv.append(v).append('\n');
        }
        CsvTable t = table(csv.toString());
        int[] train = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};   // not the -50
        // Sorted 1..9, 100: Q1 at position 2.25 = 3.25, Q3 at 6.75 = 7.75, IQR 4.5: fences [-3.5, 14.5].
        TablePreparation iqr = TablePreparation.Options.DEFAULT.outliers(OutlierRule.iqr(1.5)).fit(t, train, null);
        assertArrayEquals(new float[] {1, 9, 14.5f, -3.5f}, features(iqr, t, 0, 8, 9, 10));
        // 0.1 and 0.9 quantiles: positions 0.9 and 8.1: 1.9 and 9 + 0.1 * 91 = 18.1.
        TablePreparation quantile = TablePreparation.Options.DEFAULT.outliers(OutlierRule.quantile(0.1)).fit(t, train, null);
        assertArrayEquals(new float[] {1.9f, 9, 18.1f, 1.9f}, features(quantile, t, 0, 8, 9, 10), 1e-5f);
        // The mean that fills gaps is taken after clipping: (45 + 14.5) / 10.
        TablePreparation both = TablePreparation.Options.DEFAULT.outliers(OutlierRule.iqr(1.5)).missing(MissingValues.MEAN)
                .fit(t, train, null);
        assertEquals(5.95, ((NumericColumn) both.columns().getFirst()).fill(), 1e-12);
    }

    @Test
    void ordinalEncodingIsTheSortedCategorysIndex() throws IOException {
        CsvTable t = table("size,y\nmedium,1\nlarge,0\nsmall,1\nlarge,1\n");
        TablePreparation prep = TablePreparation.Options.DEFAULT.encoding(Encoding.ORDINAL).fit(t, RowFilter.all(t), "y");
        assertEquals(List.of("size"), prep.featureNames());
        assertArrayEquals(new float[] {1, 0, 2, 0}, features(prep, t, 0, 1, 2, 3));   // large, medium, small
    }

    @Test
    void rawRowsArePreparedLikeTheCellsOfAFile() throws IOException {
        CsvTable t = table(GAPS);
        TablePreparation prep = TablePreparation.Options.DEFAULT.missing(MissingValues.MEAN).fit(t, TRAIN, "y");
        assertEquals(List.of("x", "color"), prep.inputColumns());
        List<List<?>> rows = List.of(List.of(2, "a"), Arrays.asList(null, "b"), List.of("4", "NA"), List.of(1.0, " a "));
        try (Tensor x = prep.transform(rows)) {
            float[] fromFile = features(prep, t, 1, 4, 3, 0);
            fromFile[10] = 1;   // row 0 of the file is b; the raw row says a
            fromFile[11] = 0;
            assertArrayEquals(fromFile, x.toFloatArray());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> prep.transform(List.of(List.of(1))));
        assertEquals("row 0: 1 values, expected 2 (x, color)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> prep.transform(List.of(List.of(1, "a"), List.of(true, "a"))));
        assertEquals("row 1: column 'x': expected a number, a text or null, got true", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> prep.transform(List.of(List.of("tall", "a"))));
        assertEquals("row 0: column 'x': 'tall' is not a number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> prep.transform(List.of(List.of(1e39, "a"))));
        assertContains(e.getMessage(), "beyond float32's range");
    }

    @Test
    void anotherFileIsMatchedByColumnName() throws IOException {
        CsvTable t = table(GAPS);
        TablePreparation prep = TablePreparation.Options.DEFAULT.missing(MissingValues.MEAN).fit(t, TRAIN, "y");
        CsvTable reordered = Csv.read(Files.writeString(dir.resolve("new.csv"), "color,id,x\na,7,2\n"));
        assertArrayEquals(features(prep, t, 1), features(prep, reordered, 0));
        CsvTable lacking = Csv.read(Files.writeString(dir.resolve("lacking.csv"), "color\na\n"));
        var e = assertThrows(IllegalArgumentException.class, () -> prep.transform(lacking, new int[] {0}));
        assertContains(e.getMessage(), "no column named 'x'");
    }

    @Test
    void theConfigRebuildsTheSamePreparation() throws IOException {
        CsvTable t = table(GAPS);
        TablePreparation prep = TablePreparation.Options.DEFAULT.missing(MissingValues.MEDIAN).outliers(OutlierRule.iqr(1))
                .encoding(Encoding.ORDINAL).fit(t, TRAIN, "y");
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) Json.parse(Json.write(prep.config()));
        TablePreparation rebuilt = TablePreparation.fromConfig(config);
        assertEquals(prep.config(), rebuilt.config());
        assertArrayEquals(features(prep, t, 0, 1, 2, 3, 4, 5), features(rebuilt, t, 0, 1, 2, 3, 4, 5));
        assertEquals("y", rebuilt.target());
        assertEquals(prep.options(), rebuilt.options());
    }

    @Test
    void malformedConfigsAreRefusedWithTheReason() {
        Map<String, Object> numeric = Map.of("name", "x", "kind", "numeric", "clip", List.of(3.0, 1.0));
        Map<String, Object> text = Map.of("name", "c", "kind", "categorical", "encoding", "onehot", "categories", List.of("a"), "fill", "b");
        Map<String, Object> unknown = Map.of("name", "c", "kind", "image");
        for (var column : List.of(numeric, text, unknown)) {
            Map<String, Object> config = Map.of("type", "table", "missing", "mean", "encoding", "onehot", "outliers", "none",
                    "excluded", List.of(), "columns", List.of(column));
            var e = assertThrows(IllegalArgumentException.class, () -> TablePreparation.fromConfig(config));
            assertContains(e.getMessage(), "TablePreparation.fromConfig: ");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> TablePreparation.fromConfig(Map.of("type", "pixels")));
        assertContains(e.getMessage(), "\"type\" must be \"table\"");
    }

    @Test
    void specsParseAndPrintBack() {
        for (String spec : List.of("refuse", "drop", "mean", "median", "most-frequent", "constant:n/a")) {
            assertEquals(spec, MissingValues.parse(spec).toString());
        }
        for (String spec : List.of("none", "iqr:1.5", "iqr:3", "quantile:0.01")) {
            assertEquals(spec, OutlierRule.parse(spec).toString());
        }
        assertEquals("iqr:1.5", OutlierRule.parse("iqr").toString());
        assertThrows(IllegalArgumentException.class, () -> MissingValues.parse("average"));
        assertThrows(IllegalArgumentException.class, () -> OutlierRule.parse("quantile:0.7"));
        assertThrows(IllegalArgumentException.class, () -> OutlierRule.parse("iqr:x"));
        assertThrows(IllegalArgumentException.class, () -> Encoding.parse("dummy"));
    }

    @Test
    void rowFiltersKeepRowsWithATargetDistinctRowsAndCompleteRows() throws IOException {
        CsvTable t = table("a,b,y\n1,x,p\n1,x,p\n2,,q\n3,z,\n1.0,x,p\n2,,q\n");
        assertArrayEquals(new int[] {0, 1, 2, 4, 5}, RowFilter.withTarget(t, RowFilter.all(t), "y"));
        assertArrayEquals(new int[] {0, 2, 3}, RowFilter.distinct(t, RowFilter.all(t)));
        assertArrayEquals(new int[] {0, 1, 4}, RowFilter.complete(t, RowFilter.withTarget(t, RowFilter.all(t), "y"), List.of("a", "b")));
    }

    @Test
    void targetClassesSortNumbersAsNumbersAndRefuseUnknownClasses() throws IOException {
        CsvTable t = table("x,y\n0,10\n1,2\n2,1.0\n3,-0\n4,0\n5,7\n");
        TargetClasses classes = TargetClasses.fit(t, "y", new int[] {0, 1, 2, 3, 4});
        assertEquals(List.of("0", "1", "2", "10"), classes.names());
        assertArrayEquals(new long[] {3, 2, 1, 0, 0}, classes.indices(t, "y", new int[] {0, 1, 2, 3, 4}));
        var e = assertThrows(IllegalArgumentException.class, () -> classes.indices(t, "y", new int[] {5}));
        assertContains(e.getMessage(), "t.csv:7: column 'y' (field 2): the class '7' is not one of [0, 1, 2, 10]");
        assertNull(TablePreparation.Options.DEFAULT.fit(t, RowFilter.all(t), null).target());
    }
}

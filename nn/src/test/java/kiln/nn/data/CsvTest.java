package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV parsing (RFC 4180), typed columns, missing values, errors that point at the line, and conversion to tensors. */
class CsvTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }

    @Test
    void quotedFieldsHoldDelimitersDoubledQuotesAndLineBreaks() throws IOException {
        Path file = write("q.csv", "\uFEFFname,comment,n\r\n"
                + "\"Smith, J.\",\"said \"\"hi\"\"\",1\r\n"
                + "\r\n"                                        // a blank line is skipped
                + "plain,\"two\nlines\",2\r\n"
                + "\"\",5'11\",3");                             // quoted empty field; literal quote; no final newline
        CsvTable table = Csv.read(file);
        assertEquals(List.of("name", "comment", "n"), table.columnNames());
        assertEquals(3, table.rowCount());
        CsvTable.Column name = table.column("name");
        CsvTable.Column comment = table.column("comment");
        assertEquals("Smith, J.", name.text(0));
        assertEquals("said \"hi\"", comment.text(0));
        assertEquals("two\nlines", comment.text(1));
        assertEquals("", name.text(2));
        assertEquals("5'11\"", comment.text(2));
        // Rows start on lines 2, 4 (after the blank line 3) and 6 (after the field spanning lines 4 and 5).
        assertArrayEquals(new int[] {2, 4, 6}, new int[] {table.line(0), table.line(1), table.line(2)});
        assertTrue(table.column("n").isNumeric());
    }

    @Test
    void fieldQuotesOnlyWhatNeedsQuotingAndReadsBackUnchanged() throws IOException {
        assertEquals("plain text", Csv.field("plain text"));
        assertEquals(" spaced ", Csv.field(" spaced "), "spaces are kept as they are, quoted or not");
        assertEquals("\"Smith, J.\"", Csv.field("Smith, J."));
        assertEquals("\"said \"\"hi\"\"\"", Csv.field("said \"hi\""), "RFC 4180: an inner quote is written twice");
        assertEquals("\"two\nlines\"", Csv.field("two\nlines"));
        assertEquals("\"a\rb\"", Csv.field("a\rb"));
        List<String> texts = List.of("plain", " spaced ", "Smith, J.", "said \"hi\"", "5'11\"", "\"", "two\nlines", ",");
        StringBuilder csv = new StringBuilder("text,n\n");
        for (int i = 0; i < texts.size(); i++) {
            csv.append(Csv.field(texts.get(i))).append(',').append(i).append('\n');
        }
        CsvTable table = Csv.read(write("fields.csv", csv.toString()));
        assertEquals(texts.size(), table.rowCount());
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(texts.get(i), table.column("text").text(i));
            assertEquals(i, table.column("n").value(i));
        }
        assertThrows(IllegalArgumentException.class, () -> Csv.field(null));
    }

    @Test
    void anotherDelimiterAndNoHeader() throws IOException {
        CsvTable table = Csv.read(write("s.csv", "1;a;x\n2;b;\"y;z\"\n"), Csv.Options.DEFAULT.delimiter(';').header(false));
        assertEquals(List.of("column1", "column2", "column3"), table.columnNames());
        assertEquals(2, table.rowCount());
        assertEquals(2.0, table.column("column1").value(1));
        assertEquals("y;z", table.column("column3").text(1));
    }

    @Test
    void columnsAreTypedAndMissingValuesCounted() throws IOException {
        CsvTable table = Csv.read(write("t.csv", "a,b,c,d\n"
                + " 1.5 ,x,NA,-2\n"
                + "1e3, y ,7,.5\n"
                + ",x,N/A,+3\n"));
        CsvTable.Column a = table.column("a");
        assertTrue(a.isNumeric());
        assertEquals(1.5, a.value(0));
        assertEquals(1000.0, a.value(1));
        assertTrue(a.isMissing(2) && Double.isNaN(a.value(2)));
        assertFalse(table.column("b").isNumeric());
        assertEquals(" y ", table.column("b").text(1), "a cell keeps its text as read");
        assertEquals("y", table.column("b").trimmedText(1));
        assertEquals(List.of("x", "y"), table.column("b").categories(), "categories are trimmed texts");
        assertTrue(table.column("c").isNumeric(), "a column that is numbers where not missing is numeric");
        assertArrayEquals(new double[] {-2, 0.5, 3}, new double[] {table.column("d").value(0), table.column("d").value(1),
                table.column("d").value(2)});
        assertEquals(Map.of("a", 1, "c", 2), table.missingCounts());
        var e = assertThrows(IllegalStateException.class, () -> table.column("b").value(0));
        assertContains(e.getMessage(), "not numeric");
    }

    private String refusal(String content, Csv.Options options) throws IOException {
        Path file = write("bad.csv", content);
        IOException e = assertThrows(IOException.class, () -> Csv.read(file, options));
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void errorsNameTheFileLineAndField() throws IOException {
        assertContains(refusal("a,b\n1,2\n3\n", Csv.Options.DEFAULT), "bad.csv:3: 1 fields, expected 2 as in the header");
        assertContains(refusal("1,2\n3,4,5\n", Csv.Options.DEFAULT.header(false)), ":2: 3 fields, expected 2 as in the first record");
        assertContains(refusal("a,b\n1,\"open\n2,3\n", Csv.Options.DEFAULT), ":2: field 2: unterminated quoted field");
        assertContains(refusal("a,b\n1,\"x\"y\n", Csv.Options.DEFAULT), ":2: field 2: text after the closing quote ('y')");
        assertContains(refusal("a,b,a\n1,2,3\n", Csv.Options.DEFAULT), ":1: the column name 'a' appears twice (fields 1 and 3)");
        assertContains(refusal("", Csv.Options.DEFAULT), "empty file");
        assertContains(refusal("a,b\n1,2\n3,x\n", Csv.Options.DEFAULT.numeric("b")), ":3: column 'b' (field 2): 'x' is not a number");

        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, "a\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        IOException e = assertThrows(IOException.class, () -> Csv.read(latin1));
        assertContains(e.getMessage(), "not UTF-8");

        var unknown = assertThrows(IllegalArgumentException.class, () -> Csv.read(write("u.csv", "a\n1\n"),
                Csv.Options.DEFAULT.numeric("zz")));
        assertContains(unknown.getMessage(), "numeric column 'zz' is not in");
    }

    @Test
    void classificationOneHotEncodesCategoricalFeaturesAndSortsTheClasses() throws IOException {
        CsvTable table = Csv.read(write("c.csv", "size,color,label\n"
                + "1.5,red,cat\n"
                + "2,blue,dog\n"
                + "-1,red,bird\n"
                + "0,green,cat\n"));
        try (CsvDataset set = table.classification("label")) {
            assertEquals(List.of("size", "color=blue", "color=green", "color=red"), set.featureNames());
            assertEquals(Map.of("color", List.of("blue", "green", "red")), set.categories());
            assertEquals(List.of("bird", "cat", "dog"), set.classNames());
            assertArrayEquals(new int[] {4, 4}, set.data().features().dims());
            assertArrayEquals(new float[] {
                    1.5f, 0, 0, 1,
                    2, 1, 0, 0,
                    -1, 0, 0, 1,
                    0, 0, 1, 0}, set.data().features().toFloatArray());
            assertArrayEquals(new long[] {1, 2, 0, 1}, set.data().targets().toLongArray());
        }
    }

    @Test
    void numericClassLabelsSortAsNumbers() throws IOException {
        CsvTable table = Csv.read(write("n.csv", "x,y\n0,10\n1,2\n2,1.0\n3,1\n4,-0\n5,0\n"));
        try (CsvDataset set = table.classification("y")) {
            assertEquals(List.of("0", "1", "2", "10"), set.classNames());
            assertArrayEquals(new long[] {3, 2, 1, 1, 0, 0}, set.data().targets().toLongArray());
        }
    }

    @Test
    void regressionTargetsAreAColumnOfFloats() throws IOException {
        CsvTable table = Csv.read(write("r.csv", "x1,x2,price\n1,2,10.5\n3,4,-2\n"));
        try (CsvDataset set = table.regression("price")) {
            assertArrayEquals(new int[] {2, 1}, set.data().targets().dims());
            assertArrayEquals(new float[] {10.5f, -2f}, set.data().targets().toFloatArray());
            assertArrayEquals(new float[] {1, 2, 3, 4}, set.data().features().toFloatArray());
            assertEquals(List.of(), set.classNames());
        }
    }

    @Test
    void conversionRefusesMissingValuesTextTargetsForRegressionAndTooManyCategories() throws IOException {
        CsvTable gaps = Csv.read(write("m.csv", "a,b\n1,x\nNA,y\n,x\n"));
        var e = assertThrows(IllegalArgumentException.class, () -> gaps.classification("b"));
        assertContains(e.getMessage(), "m.csv:3: column 'a' (field 1) has 2 missing value(s)");

        CsvTable words = Csv.read(write("w.csv", "a,b\n1,2\n3,four\n"));
        e = assertThrows(IllegalArgumentException.class, () -> words.regression("b"));
        assertContains(e.getMessage(), "w.csv:3: column 'b' (field 2): 'four' is not a number; a regression target must be numeric");

        StringBuilder ids = new StringBuilder("id,y\n");
        for (int i = 0; i < 150; i++) {
            ids.append(i == 40 ? "oops" : String.valueOf(i)).append(",1\n");
        }
        CsvTable stray = Csv.read(write("ids.csv", ids.toString()));
        e = assertThrows(IllegalArgumentException.class, () -> stray.classification("y"));
        assertContains(e.getMessage(), "ids.csv:42: column 'id' (field 1): 'oops' is not a number, and the column's 150 distinct values");

        e = assertThrows(IllegalArgumentException.class, () -> words.classification("price"));
        assertContains(e.getMessage(), "no column named 'price' (columns: a, b)");
    }

    @Test
    void rowKeysMatchExactlyWhenEveryValueMatches() throws IOException {
        CsvTable table = Csv.read(write("k.csv", "n,s\n"
                + "1,a\n"          // 0
                + "1.0, a \n"      // 1: the same number and, trimmed, the same text
                + "-0,a\n"         // 2: -0 is 0, not 1
                + "0,a\n"          // 3: equals row 2
                + "NA,a\n"         // 4: missing
                + ",a\n"           // 5: missing too, equals row 4
                + "1,\"a,b\"\n"   // 6: a delimiter inside the text
                + "1,a\n"));       // 7: equals row 0
        assertEquals(table.rowKey(0), table.rowKey(1));
        assertEquals(table.rowKey(0), table.rowKey(7));
        assertEquals(table.rowKey(2), table.rowKey(3));
        assertEquals(table.rowKey(4), table.rowKey(5));
        assertFalse(table.rowKey(0).equals(table.rowKey(2)));
        assertFalse(table.rowKey(0).equals(table.rowKey(4)));
        assertFalse(table.rowKey(0).equals(table.rowKey(6)));
    }
}

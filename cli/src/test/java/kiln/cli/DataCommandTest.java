package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/** {@code kiln data inspect} as a user runs it: the report, its findings, the JSON line, and one-line errors. */
class DataCommandTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    /**
     * 12 rows with planted problems: 'score' misses 2 values (lines 4 and 9), 'note' 9 of 12 (more than
     * half), 'source' is "web" everywhere, lines 6 and 11 repeat line 3, and 'label' has 10 "ok" and 2 "fraud".
     */
    private static final String PLANTED = """
            score,source,note,label
            0.5,web,,ok
            0.7,web,NA,ok
            ,web,,ok
            0.9,web,late,ok
            0.7,web,NA,ok
            0.2,web,,ok
            0.4,web,,fraud
            ,web,soon,ok
            0.6,web,early,ok
            0.7,web,NA,ok
            0.8,web,,ok
            0.1,web,,fraud
            """;

    private static void assertContains(String text, String... expected) {
        for (String part : expected) {
            assertTrue(text.contains(part), "missing '" + part + "' in\n" + text);
        }
    }

    @Test
    void reportsEveryPlantedProblemWithWhatToDo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("planted.csv"), PLANTED);
        CommandOutcome outcome = CommandOutcome.run("data", "inspect", file.toString());
        assertEquals(0, outcome.code(), outcome.err());
        assertEquals("", outcome.err());
        assertContains(outcome.out(),
                file + ": 12 rows, 4 columns, target 'label'",
                "duplicate rows: 2 (line 6 repeats line 3, line 11 repeats line 3)",
                "class balance of 'label': 2 classes over 12 examples; largest / smallest 5.0: imbalanced (>= 3)",
                "findings (5):",
                "rows: 2 duplicate rows: line 6 repeats line 3, ... -> remove the copies",
                "target 'label': imbalanced: the largest class, 'ok', has 10 examples, the smallest, 'fraud', 2 (ratio 5.0 >= 3)",
                "column 'score': 2 missing values (16.7%) -> impute them (e.g. --missing median) or drop those rows",
                "column 'source': the same value in every row -> leave the column out (--exclude source)",
                "column 'note': 9 missing values (75.0%), more than half -> leave the column out (--exclude note)");
        // balanced weights n / (k n_c): 12 / (2 * 10) for "ok", 12 / (2 * 2) for "fraud"
        assertTrue(outcome.out().lines().anyMatch(line -> line.matches(" +fraud +2 +16\\.7% +3")), outcome.out());
        assertTrue(outcome.out().lines().anyMatch(line -> line.matches(" +ok +10 +83\\.3% +0\\.6")), outcome.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonEndsTheOutputWithTheReportAndFindings(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("planted.csv"), PLANTED);
        CommandOutcome outcome = CommandOutcome.run("data", "inspect", "--json", file.toString(), "--target", "label");
        assertEquals(0, outcome.code(), outcome.err());
        Map<String, Object> json = outcome.json();
        assertEquals(5, ((List<?>) json.get("findings")).size());
        Map<String, Object> balance = (Map<String, Object>) ((Map<String, Object>) json.get("data")).get("class_balance");
        List<Map<String, Object>> classes = (List<Map<String, Object>>) balance.get("classes");
        assertEquals("fraud", classes.getFirst().get("name"));
        assertEquals(3.0, classes.getFirst().get("weight"));
    }

    @Test
    void twoFilesReportTheRowsTheyShare(@TempDir Path dir) throws Exception {
        Path train = Files.writeString(dir.resolve("train.csv"), "a,b,label\n1,x,p\n2,y,q\n3,x,p\n4,y,q\n");
        Path test = Files.writeString(dir.resolve("test.csv"), "a,b,label\n2.0,y,q\n5,x,p\n");
        CommandOutcome outcome = CommandOutcome.run("data", "inspect", train.toString(), test.toString());
        assertEquals(0, outcome.code(), outcome.err());
        assertContains(outcome.out(), "rows of " + test + " also in " + train + ": 1 (line 2 repeats " + train + " line 3)",
                "findings (1):", "1. " + test + ": 1 row also in " + train);
    }

    @Test
    void aCleanFileHasNoFindings(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("clean.csv"), "x,colour,label\n0.5,red,a\n0.1,blue,b\n0.9,red,b\n0.3,blue,a\n");
        CommandOutcome outcome = CommandOutcome.run("data", "inspect", file.toString());
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().endsWith("findings: none\n"), outcome.out());
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ok.csv"), "a,label\n1,x\n");
        Path broken = Files.writeString(dir.resolve("broken.csv"), "a,label\n1,\"x\n");
        List<List<String>> cases = List.of(
                List.of("data", "inspect", dir.resolve("missing.csv").toString()),
                List.of("data", "inspect", file.toString(), "--target", "price"),
                List.of("data", "inspect", broken.toString()),
                List.of("data", "inspect"),
                List.of("data", "inspect", file.toString(), file.toString(), file.toString()),
                List.of("data", "inspect", file.toString(), "--colour"),
                List.of("data", "summarize", file.toString()));
        List<String> reasons = List.of("no such file: " + dir.resolve("missing.csv"), "no column named 'price' (columns: a, label)",
                "unterminated quoted field", "got no file", "unexpected argument '" + file + "'", "unknown option '--colour'", "unknown subcommand 'summarize'");
        for (int i = 0; i < cases.size(); i++) {
            CommandOutcome outcome = CommandOutcome.run(cases.get(i).toArray(String[]::new));
            assertEquals(2, outcome.code(), cases.get(i).toString());
            assertEquals("", outcome.out(), cases.get(i).toString());
            assertEquals(1, outcome.err().lines().count(), outcome.err());
            assertTrue(outcome.err().startsWith("kiln data: ") && outcome.err().contains(reasons.get(i)), outcome.err());
        }
    }

    /**
     * Fashion-MNIST has no exact duplicate image, and no test image equals a training image; the training
     * pixels' mean and deviation: all as NumPy finds them ({@code tools/reference/make_audit_goldens.py
     * --fashion-mnist /usr/share/datasets/fashion-mnist}).
     */
    @Test
    @SuppressWarnings("unchecked")
    void inspectsFashionMnist() {
        Assumptions.assumeTrue(Files.isDirectory(FASHION_MNIST), "Fashion-MNIST is not installed");
        CommandOutcome outcome = CommandOutcome.run("data", "inspect", "fashion-mnist", "--data", FASHION_MNIST.toString(), "--json");
        assertEquals(0, outcome.code(), outcome.err());
        assertContains(outcome.out(), "fashion-mnist: 60,000 training and 10,000 test images of 1x28x28, 10 classes",
                "test images also in train: none", "class balance of 'train labels': 10 classes over 60,000 examples; largest / smallest 1.0",
                "  Ankle boot   6,000  10.0%                1", "findings: none");
        Map<String, Object> pixels = (Map<String, Object>) ((Map<String, Object>) outcome.json().get("train")).get("pixels");
        assertEquals(0.2860406021939525, (Double) pixels.get("mean"), 1e-12);
        assertEquals(0.3530242495426238, (Double) pixels.get("std"), 1e-12);
        assertEquals(0.0, pixels.get("min"));
        assertEquals(1.0, pixels.get("max"));
        assertEquals(2, CommandOutcome.run("data", "inspect", "fashion-mnist", "--target", "label").code(), "--target is for CSV files");
    }

    @Test
    void helpExplainsTheRules() {
        for (String[] args : new String[][] {{"data", "--help"}, {"data", "inspect", "--help"}, {"data"}}) {
            CommandOutcome outcome = CommandOutcome.run(args);
            assertEquals(0, outcome.code());
            assertContains(outcome.out(), "usage: kiln data inspect FILE [TEST_FILE]", "at least 3.0 times", "n / (k * n_c)");
        }
        assertContains(CommandOutcome.run("--help").out(), "data     inspect a CSV file");
    }
}

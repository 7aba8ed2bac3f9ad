package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The command line's contract: exit codes, one-line errors, and the demo's output. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void demoPrintsTheBackendTheOpsAndFreesItsMemory() {
        assertEquals(0, run("demo"));
        String text = stdout();
        assertTrue(text.startsWith("backend: cpu"), text);
        assertTrue(text.contains("tensor([[1.0000, 2.0000, 3.0000],"), text);
        assertTrue(text.contains("tensor(21.0000, dtype=float32)"), "sum of 1..6");
        assertTrue(text.contains("shape=[40, 50]"), "a large tensor is summarized");
        assertTrue(text.contains("off-heap bytes live after the scope closed: 0"), text);
    }

    @Test
    void demoIsDeterministicForASeed() {
        assertEquals(0, run("demo", "--seed", "7"));
        String first = stdout();
        out.reset();
        assertEquals(0, run("demo", "--seed", "7"));
        assertEquals(first, stdout());
    }

    @Test
    void unknownVerbIsBadUsageWithOneLine() {
        assertEquals(2, run("frobnicate"));
        assertEquals("kiln: unknown verb 'frobnicate' (try: kiln --help)\n", stderr());
    }

    @Test
    void badOptionValueIsBadUsage() {
        assertEquals(2, run("demo", "--seed", "many"));
        assertTrue(stderr().contains("--seed must be an integer, got 'many'"), stderr());
        assertEquals(2, run("demo", "--colour"));
    }

    @Test
    void helpIsAvailableForTheToolAndTheVerb() {
        assertEquals(0, run("--help"));
        assertTrue(stdout().contains("usage: kiln <verb>"));
        assertEquals(0, run("demo", "--help"));
        assertTrue(stdout().contains("usage: kiln demo"));
    }
}

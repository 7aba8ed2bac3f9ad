package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import kiln.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's contract: usage, one-line errors with exit 2, Kiln alone when the peers are missing. */
class CompareTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A suite that measures nothing: one canned row per thread count, recording the sessions it was given. */
    static final class Canned implements Suite {
        final List<Session> sessions = new ArrayList<>();

        @Override
        public String name() {
            return "canned";
        }

        @Override
        public String measures() {
            return "a canned row";
        }

        @Override
        public List<Row> run(Session session) {
            sessions.add(session);
            return session.threads().stream().map(t -> new Row("canned", "nothing", t, Unit.GFLOPS, new Timing(1, 2, 3, 5),
                    "numpy", null, GemmSuite.TARGET)).toList();
        }
    }

    /** A suite whose data is missing. */
    static final class Missing implements Suite {
        @Override
        public String name() {
            return "missing";
        }

        @Override
        public String measures() {
            return "needs data that is not there";
        }

        @Override
        public List<Row> run(Session session) throws FileNotFoundException {
            throw new FileNotFoundException("no Fashion-MNIST anywhere");
        }
    }

    private final Canned canned = new Canned();

    private int run(String... args) throws InterruptedException {
        return Compare.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), List.of(canned, new Missing()));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<String> stderrLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void noSuitePrintsTheUsageOfBothCommands() throws InterruptedException {
        assertEquals(0, run());
        assertTrue(stdout().startsWith("usage: kiln bench SUITE..."), stdout());
        assertTrue(stdout().contains("kiln bench jmh"), stdout());
    }

    @Test
    void helpListsEverySuite() throws InterruptedException {
        assertEquals(0, run("--help"));
        assertTrue(stdout().contains("  canned  a canned row"), stdout());
        assertTrue(stdout().contains("  all     "), stdout());
    }

    @Test
    void anUnknownSuiteIsOneLineAndExitTwo() throws InterruptedException {
        assertEquals(2, run("gemmm"));
        assertEquals(List.of("kiln bench: unknown suite 'gemmm' (suites: canned, missing, all; or jmh for the JMH report)"), stderrLines());
        assertEquals("", stdout());
        assertTrue(canned.sessions.isEmpty(), "nothing ran");
    }

    @Test
    void badOptionsAreOneLineAndExitTwo() throws InterruptedException {
        assertEquals(2, run("canned", "--threads", "0,2"));
        assertEquals(1, stderrLines().size());
        assertTrue(stderrLines().getFirst().startsWith("kiln bench: --threads takes"), stderrLines().getFirst());
        err.reset();
        assertEquals(2, run("canned", "--fast"));
        assertEquals(List.of("kiln bench: unknown option '--fast' (try --help)"), stderrLines());
        err.reset();
        assertEquals(2, run("canned", "--out"));
        assertEquals(List.of("kiln bench: --out needs a value"), stderrLines());
        err.reset();
        assertEquals(2, run("--json"));
        assertEquals(1, stderrLines().size());
    }

    @Test
    void withoutThePeersFolderKilnsFiguresArePrintedAloneAndTheRunSucceeds(@TempDir Path dir) throws InterruptedException {
        Path nowhere = dir.resolve("no-peers-here");
        assertEquals(0, run("canned", "--threads", "1", "--quick", "--peers-dir", nowhere.toString()));
        List<String> peerLines = stderrLines().stream().filter(l -> l.contains("peers not run")).toList();
        assertEquals(1, peerLines.size(), String.join("\n", stderrLines()));
        assertTrue(peerLines.getFirst().contains(nowhere.toString()), peerLines.getFirst());
        assertTrue(stdout().contains("| canned | nothing | 1 | GFLOP/s ↑ | 1.0 / 2.0 / 3.0 | numpy | — | — | ≥ 0.9× OpenBLAS | no peer figure |"),
                stdout());
        assertTrue(stdout().contains("- Peers: not run (no peer scripts in "), stdout());
        Session session = canned.sessions.getFirst();
        assertEquals(null, session.peers());
        assertEquals(List.of(1), session.threads());
        assertEquals(Timer.quick(), session.timer());
    }

    @Test
    void noPeersSkipsThemWithoutProbing() throws InterruptedException {
        assertEquals(0, run("canned", "--no-peers", "--threads", "2,1"));
        assertTrue(stderrLines().stream().noneMatch(l -> l.contains("peers not run")), String.join("\n", stderrLines()));
        assertTrue(stdout().contains("- Peers: not run (--no-peers)"), stdout());
        assertEquals(List.of(2, 1), canned.sessions.getFirst().threads());
    }

    @Test
    void jsonPrintsOneObjectPerRowAndOutWritesTheSame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rows.jsonl");
        assertEquals(0, run("canned", "--no-peers", "--json", "--out", file.toString()));
        List<String> lines = stdout().lines().toList();
        assertEquals(2, lines.size(), "one row per thread count (1 and 2 by default)");
        lines.forEach(Json::parse);
        assertEquals(stdout(), Files.readString(file));
    }

    @Test
    void aSuiteThatCannotRunIsSaidAndTheOthersStillPrint() throws InterruptedException {
        assertEquals(1, run("missing", "canned", "--no-peers", "--threads", "1", "--one-jvm"));
        assertTrue(stderrLines().contains("kiln bench: missing not measured: no Fashion-MNIST anywhere"), String.join("\n", stderrLines()));
        assertTrue(stdout().contains("| canned | nothing |"), stdout());
    }
}

package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner against a stand-in for Python (a shell script): the arguments a peer script receives,
 * its JSON lines read back, its failures and warnings, and the one-line reasons the peers cannot run.
 */
class PeerRunnerTest {
    /** Answers the probe like a Python with torch and numpy, and "runs" a script by appending its arguments as a JSON line. */
    private static final String FAKE_PYTHON = """
            #!/bin/sh
            if [ "$1" = "-c" ]; then echo "torch 9.9, numpy 8.8"; exit 0; fi
            script="$1"; shift
            args="$*"; json=""
            while [ $# -gt 0 ]; do if [ "$1" = "--json" ]; then json="$2"; fi; shift; done
            case "$script" in
              fail.py) echo "Traceback (most recent call last):" >&2; echo "RuntimeError: boom" >&2; exit 1 ;;
              busy.py) echo "[wait_idle] foreign load 0.90, waiting..." >&2
                       echo "WARNING: machine still busy (0.90) after 60s; measuring anyway" >&2 ;;
              garbage.py) echo "not json" >> "$json"; exit 0 ;;
            esac
            printf '{"bench": "echo", "args": "%s"}\\n' "$args" >> "$json"
            """;

    @TempDir
    Path dir;
    private Path python;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Files.writeString(dir.resolve("common.py"), "# stand-in\n");
        python = write("python3", FAKE_PYTHON);
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void aScriptGetsItsThreadSettingArgumentsAndAJsonFileWhoseLinesComeBack() throws Exception {
        PeerRunner runner = PeerRunner.open(dir, python);
        assertEquals(python + " (torch 9.9, numpy 8.8)", runner.describe());
        List<PeerRecord> records = runner.run("echo.py", PeerThreads.torchFair(2), List.of("--sizes", "256,512"), w -> { });
        assertEquals(1, records.size());
        String args = (String) records.getFirst().fields().get("args");
        assertTrue(args.startsWith("--threads 2 --blas-threads 1 --sizes 256,512 --json "), args);
        Path json = Path.of(args.substring(args.lastIndexOf(' ') + 1));
        assertTrue(!Files.exists(json), "the temporary JSON file is deleted");
    }

    @Test
    void aFailingScriptIsOneLineEndingWithItsLastError() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> PeerRunner.open(dir, python).run("fail.py", PeerThreads.same(1), List.of(), w -> { }));
        assertEquals("fail.py failed (exit 1): RuntimeError: boom", e.getMessage());
    }

    @Test
    void outputThatIsNotJsonLinesIsAnError() {
        IOException e = assertThrows(IOException.class,
                () -> PeerRunner.open(dir, python).run("garbage.py", PeerThreads.same(1), List.of(), w -> { }));
        assertTrue(e.getMessage().startsWith("garbage.py wrote something other than JSON lines"), e.getMessage());
    }

    @Test
    void busyMachineWarningsArePassedOn() throws Exception {
        List<String> warnings = new ArrayList<>();
        PeerRunner.open(dir, python).run("busy.py", PeerThreads.same(1), List.of(), warnings::add);
        assertEquals(List.of("WARNING: machine still busy (0.90) after 60s; measuring anyway"), warnings);
    }

    @Test
    void aFolderWithoutTheScriptsIsUnavailable() {
        PeerRunner.Unavailable e = assertThrows(PeerRunner.Unavailable.class, () -> PeerRunner.open(dir.resolve("nope"), python));
        assertTrue(e.getMessage().startsWith("no peer scripts in "), e.getMessage());
    }

    @Test
    void aMissingInterpreterIsUnavailable() {
        PeerRunner.Unavailable e = assertThrows(PeerRunner.Unavailable.class, () -> PeerRunner.open(dir, dir.resolve("python9")));
        assertTrue(e.getMessage().startsWith("no " + dir.resolve("python9")), e.getMessage());
    }

    @Test
    void anInterpreterWithoutTorchIsUnavailableWithItsError() throws IOException {
        Path bare = write("bare-python", "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\"; exit 1\n");
        PeerRunner.Unavailable e = assertThrows(PeerRunner.Unavailable.class, () -> PeerRunner.open(dir, bare));
        assertEquals(bare + " cannot import torch and numpy (ModuleNotFoundError: No module named 'torch');"
                + " on Debian: apt-get install python3-torch python3-numpy", e.getMessage());
    }
}

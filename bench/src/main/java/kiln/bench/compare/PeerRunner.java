package kiln.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the peer scripts of {@code ../shared/peers} (PyTorch and NumPy on the same cores) with Debian's
 * Python and reads the JSON lines they write. Each script waits for the machine to be quiet before it
 * measures and records the foreign load it saw ({@code "foreign"}); see the folder's README.
 */
public final class PeerRunner {
    /** The peers' folder, relative to the repository root (where {@code ./kiln} runs). */
    public static final Path DEFAULT_FOLDER = Path.of("..", "shared", "peers");
    /** Debian's interpreter: the one that sees python3-torch (a {@code python3} on PATH may be a shim without it). */
    public static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");

    /** The peers cannot be run here; the message says why in one line. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private final Path folder;
    private final Path python;
    private final String versions;

    private PeerRunner(Path folder, Path python, String versions) {
        this.folder = folder;
        this.python = python;
        this.versions = versions;
    }

    /**
     * A runner for the scripts in {@code folder}, after checking that they are there and that
     * {@code python} imports torch and numpy.
     *
     * @throws Unavailable if either is missing, saying which and how to get it
     */
    public static PeerRunner open(Path folder, Path python) throws Unavailable {
        if (!Files.isRegularFile(folder.resolve("common.py"))) {
            throw new Unavailable("no peer scripts in " + folder.toAbsolutePath().normalize() + " (expected common.py there)");
        }
        if (!Files.isExecutable(python)) {
            throw new Unavailable("no " + python + " (the peers need Debian's python3 with python3-torch and python3-numpy)");
        }
        try {
            Process probe = new ProcessBuilder(python.toString(), "-c",
                    "import torch, numpy; print('torch ' + torch.__version__ + ', numpy ' + numpy.__version__)")
                    .redirectErrorStream(true).start();
            String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (probe.waitFor() != 0) {
                throw new Unavailable(python + " cannot import torch and numpy (" + lastLine(output)
                        + "); on Debian: apt-get install python3-torch python3-numpy");
            }
            return new PeerRunner(folder, python, lastLine(output));
        } catch (IOException e) {
            throw new Unavailable("cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while checking " + python);
        }
    }

    /** What runs the peers, e.g. {@code /usr/bin/python3 (torch 1.13.0, numpy 1.24.2)}. */
    public String describe() {
        return python + " (" + versions + ")";
    }

    /**
     * Runs {@code script} with {@code threads} and {@code arguments} and returns the records it wrote.
     * The script's warnings (a busy machine: {@code WARNING: machine still busy ...}) go to {@code warnings}.
     *
     * @throws IOException if the script fails or writes something that is not JSON lines; the message
     *                     is one line, ending with the last line the script wrote to stderr
     */
    public List<PeerRecord> run(String script, PeerThreads threads, List<String> arguments, Consumer<String> warnings)
            throws IOException, InterruptedException {
        Path records = Files.createTempFile("kiln-peer-", ".jsonl");
        Path errors = Files.createTempFile("kiln-peer-", ".err");
        try {
            List<String> command = new ArrayList<>(List.of(python.toString(), script));
            command.addAll(threads.arguments());
            command.addAll(arguments);
            command.addAll(List.of("--json", records.toString()));
            Process process = new ProcessBuilder(command).directory(folder.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)   // the same lines as the --json file
                    .redirectError(errors.toFile()).start();
            int status = process.waitFor();
            List<String> stderr = Files.readAllLines(errors, StandardCharsets.UTF_8);
            stderr.stream().filter(line -> line.startsWith("WARNING")).forEach(warnings);
            if (status != 0) {
                throw new IOException(script + " failed (exit " + status + "): " + lastLine(String.join("\n", stderr)));
            }
            try {
                return PeerRecord.parse(Files.readAllLines(records, StandardCharsets.UTF_8), script);
            } catch (IllegalArgumentException e) {
                throw new IOException(script + " wrote something other than JSON lines: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(records);
            Files.deleteIfExists(errors);
        }
    }

    private static String lastLine(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? "no output" : stripped.substring(stripped.lastIndexOf('\n') + 1).strip();
    }
}

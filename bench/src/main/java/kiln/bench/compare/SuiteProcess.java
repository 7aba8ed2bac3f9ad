package kiln.bench.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import kiln.nn.io.Json;

/**
 * Runs one suite of a {@code kiln bench} run in a JVM of its own, as JMH runs each benchmark in a fork,
 * and reads its rows back.
 *
 * <p>Why: the JIT compiles a kernel for the shapes and branches it has seen. In one JVM the suites
 * measured after {@code gemm} and {@code conv} ran on kernels specialised for those, and recompiled
 * when the new shapes trapped out of them: at 96518ee the MLP epoch measured 1.63 s after the earlier
 * suites and 0.85 s alone, batch-1024 inference 60,619 against 277,517 samples/s. A user's process
 * runs one job; so does each suite here.
 *
 * <p>The child is this JVM's command again (same {@code java}, JVM options and class path) running
 * {@code kiln bench SUITE --json} with this run's options: its progress goes straight to this
 * process's stderr, its rows come back as JSON lines on its stdout.
 */
final class SuiteProcess {
    private SuiteProcess() {}

    /**
     * The rows of {@code suite}, measured by a fresh JVM with the options of this run.
     *
     * @param peersRan whether this run found the peers; if not, the child is told {@code --no-peers} (one warning is enough)
     * @throws IOException if the child cannot start, fails (it said why on stderr), or prints something that is not a row
     */
    static List<Row> run(Suite suite, CompareOptions options, boolean peersRan) throws IOException, InterruptedException {
        ProcessBuilder child = new ProcessBuilder(command(suite, options, peersRan));
        child.redirectError(ProcessBuilder.Redirect.INHERIT);
        child.redirectInput(ProcessBuilder.Redirect.INHERIT);
        Process process = child.start();
        String stdout;
        try {
            stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            process.getInputStream().close();
        }
        int status = process.waitFor();
        if (status != 0) {
            throw new IOException("its JVM exited with status " + status);
        }
        List<Row> rows = new ArrayList<>();
        for (String line : stdout.lines().filter(line -> !line.isBlank()).toList()) {
            try {
                rows.add(RatioTable.row((Map<?, ?>) Json.parse(line)));
            } catch (IllegalArgumentException | ClassCastException e) {
                throw new IOException("its JVM printed a line that is not a row (" + e.getMessage() + "): " + line);
            }
        }
        return rows;
    }

    /** {@code java [this JVM's options] -cp [this class path] kiln.bench.compare.Compare SUITE --json ...}. */
    static List<String> command(Suite suite, CompareOptions options, boolean peersRan) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Compare.class.getName());
        command.add(suite.name());
        command.add("--json");
        command.add("--threads");
        command.add(options.threads().stream().map(String::valueOf).collect(Collectors.joining(",")));
        if (options.quick()) {
            command.add("--quick");
        }
        if (options.peers() && peersRan) {
            command.add("--peers-dir");
            command.add(options.peersDir().toString());
        } else {
            command.add("--no-peers");
        }
        return command;
    }

    /**
     * The options this JVM was started with, less those it took from {@code JAVA_TOOL_OPTIONS} or
     * {@code JDK_JAVA_OPTIONS}: the child inherits the environment and reads those itself (an agent
     * given twice would load twice).
     */
    private static List<String> jvmOptions() {
        Set<String> fromEnvironment = new HashSet<>();
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            String value = System.getenv(variable);
            if (value != null) {
                fromEnvironment.addAll(Arrays.asList(value.strip().split("\\s+")));
            }
        }
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(option -> !fromEnvironment.contains(option))
                .toList();
    }
}

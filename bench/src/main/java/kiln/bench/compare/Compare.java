package kiln.bench.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kiln.bench.BenchReport;
import kiln.bench.Machine;
import kiln.kernels.cpu.Parallel;
import kiln.nn.io.AtomicFiles;

/**
 * {@code kiln bench}: Kiln and its peers (PyTorch, NumPy/OpenBLAS from {@code ../shared/peers}) on the
 * same work, back to back in one run, and one table of speed ratios against issue 6's targets.
 *
 * <pre>
 * ./kiln bench SUITE... [--json] [--threads 1,2] [--no-peers] [--quick] [--out FILE] [--peers-dir DIR] [--one-jvm]
 * ./kiln bench gemm --device cuda [--quick] [--no-peers]                 (the GPU's SGEMM kernels against cuBLAS, {@link CudaGemm})
 * ./kiln bench jmh [--quick] [--only REGEX] [--peers] [--out FILE]      (the JMH report, {@link BenchReport})
 * </pre>
 *
 * <p>Several suites run one after the other, each in a JVM of its own ({@link SuiteProcess}), so that
 * one suite's JIT profile cannot slow the next; {@code --one-jvm} runs them all in this one.
 *
 * <p>Exit status: 0 when every suite ran (with or without its peers), 1 when a suite could not run (its
 * data is missing), 2 for a command line it cannot run (or {@code --device cuda} without a GPU).
 */
public final class Compare {
    static final String USAGE = "usage: kiln bench SUITE... [--json] [--threads 1,2] [--no-peers] [--quick] [--out FILE]"
            + " [--peers-dir DIR] [--one-jvm]   (SUITE: gemm conv train infer memory all)\n"
            + "       kiln bench gemm --device cuda [--quick] [--no-peers]   (the GPU's SGEMM kernels against cuBLAS)\n"
            + "       kiln bench jmh [--quick] [--only REGEX] [--peers] [--out FILE]   (the JMH report, bench/RESULTS.md)";

    private Compare() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            BenchReport.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(run(List.of(args), System.out, System.err, Suite.all()));
    }

    /** Runs the command line {@code args} (the words after {@code kiln bench}) and returns the exit status. */
    static int run(List<String> args, PrintStream out, PrintStream err, List<Suite> known) throws InterruptedException {
        if (args.isEmpty()) {
            out.println(USAGE);
            return 0;
        }
        if (args.contains("--help") || args.contains("-h")) {
            out.println(help(known));
            return 0;
        }
        CompareOptions options;
        try {
            options = CompareOptions.parse(args, known);
        } catch (CompareOptions.UsageException e) {
            err.println("kiln bench: " + e.getMessage());
            return 2;
        }
        if (options.cuda()) {
            return CudaGemm.run(options, out, err);
        }
        PeerRunner peers = null;
        String peersText = "--no-peers";
        if (options.peers()) {
            try {
                peers = PeerRunner.open(options.peersDir(), PeerRunner.DEBIAN_PYTHON);
                peersText = peers.describe();
            } catch (PeerRunner.Unavailable e) {
                peersText = e.getMessage();
                err.println("kiln bench: peers not run: " + e.getMessage() + "; Kiln's figures alone");
            }
        }
        Timer timer = options.quick() ? Timer.quick() : Timer.standard();
        Session session = new Session(options.threads(), options.quick(), timer, peers, err);
        ZonedDateTime start = ZonedDateTime.now();
        double loadBefore = Machine.loadAverage();
        int threadsBefore = Parallel.threads();
        List<Row> rows = new ArrayList<>();
        int status = 0;
        boolean fork = options.suites().size() > 1 && !options.oneJvm();
        try {
            for (Suite suite : options.suites()) {
                try {
                    rows.addAll(fork ? SuiteProcess.run(suite, options, peers != null) : suite.run(session));
                } catch (IOException e) {
                    err.println("kiln bench: " + suite.name() + " not measured: " + e.getMessage());
                    status = 1;
                }
            }
        } finally {
            Parallel.setThreads(threadsBefore);
        }
        RunInfo run = new RunInfo("./kiln bench " + String.join(" ", args), start, Machine.describe(), loadBefore,
                Machine.loadAverage(), Duration.between(start, ZonedDateTime.now()), timer.describe(), peersText, peers != null, fork);
        String text = options.json() ? RatioTable.jsonLines(rows) : RatioTable.markdown(run, rows);
        out.print(text);
        out.flush();
        if (options.out() != null) {
            try {
                AtomicFiles.write(options.out(), text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.println("kiln bench: cannot write " + options.out() + ": " + e.getMessage());
                return 1;
            }
        }
        return status;
    }

    private static String help(List<Suite> known) {
        StringBuilder help = new StringBuilder(USAGE).append("\n\nSuites (Kiln, then the matching peer script):\n");
        for (Suite suite : known) {
            help.append(String.format("  %-7s %s%n", suite.name(), suite.measures()));
        }
        help.append("  all     every suite above, in this order\n\n")
                .append("  --json       one JSON object per row instead of the Markdown table\n")
                .append("  --threads    thread counts to measure, both sides (default 1,2)\n")
                .append("  --no-peers   Kiln's figures alone\n")
                .append("  --quick      fewer sizes, epochs, calls and shorter repeats: a smoke check, noisier\n")
                .append("  --out FILE   also write the output to FILE\n")
                .append("  --peers-dir  where the peer scripts are (default ../shared/peers; they run with /usr/bin/python3)\n")
                .append("  --device     cpu (default) or cuda: gemm on the GPU, each SGEMM kernel of Kiln against cuBLAS\n")
                .append("               (PyTorch, bench/peers/torch_gemm_cuda.py, python3 or $KILN_PYTHON)\n")
                .append("  --one-jvm    run every suite in this JVM (by default each of several suites gets a fresh JVM, so that\n")
                .append("               the JIT's code for one suite's shapes cannot slow the next)\n\n")
                .append("The peers wait up to $ANCHOR_IDLE_TIMEOUT seconds (default 60) for a quiet machine before each measurement.");
        return help.toString();
    }
}

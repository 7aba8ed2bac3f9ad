package kiln.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import kiln.bench.compare.PeerRecord;
import kiln.bench.compare.PeerRunner;
import kiln.bench.compare.PeerThreads;
import kiln.bench.compare.Timing;
import kiln.nn.io.AtomicFiles;

/**
 * Runs the JMH benchmarks and writes {@code bench/RESULTS.md}: for every benchmark the time per call
 * turned into GFLOP/s or GB/s, min / median / max over the measurement iterations, and GFLOP/s as a
 * fraction of this machine's FMA ceiling measured in the same run ({@link PeakBench}). With
 * {@code --peers} it also runs the PyTorch / NumPy scripts of {@code ../shared/peers} in the same
 * session, so that every comparison is a ratio measured in one run.
 *
 * <pre>
 * ./kiln bench jmh [--quick] [--only REGEX] [--peers] [--out FILE]
 * </pre>
 *
 * The report replaces what stands above the line {@link #KEEP_BELOW} in the file; the sections below
 * it (hand-written before/after tables, {@code ./kiln bench all}'s side-by-side table) are kept.
 */
public final class BenchReport {
    /** The benchmark classes, in report order. PeakBench first: the others are quoted against it. */
    private static final List<Class<?>> BENCHMARKS = List.of(
            PeakBench.class, MatmulBench.class, ConvBench.class, SumBench.class, ElementwiseBench.class, SoftmaxBench.class,
            TrainStepBench.class);

    /** One measured configuration: its label, unit and rate per iteration (higher is better). */
    private record Row(String benchmark, String configuration, String unit, double[] rates, int threads) {
        double min() { return Arrays.stream(rates).min().orElse(Double.NaN); }

        double max() { return Arrays.stream(rates).max().orElse(Double.NaN); }

        double median() {
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }

    /** The line that ends the JMH report in the file: what follows it is kept when the report is rewritten. */
    static final String KEEP_BELOW = "<!-- ./kiln bench jmh rewrites everything above this line and keeps what follows it -->";

    private BenchReport() {}

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        boolean quick = false;
        boolean peers = false;
        String only = ".*";
        Path out = Path.of("bench", "RESULTS.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--peers" -> peers = true;
                case "--only" -> only = requireValue(args, ++i, "--only");
                case "--out" -> out = Path.of(requireValue(args, ++i, "--out"));
                case "--help", "-h" -> {
                    System.out.println("usage: kiln bench jmh [--quick] [--only REGEX] [--peers] [--out FILE]\n"
                            + "  --quick   1 warm-up and 3 measurement iterations of 0.5 s (a smoke check, noisier)\n"
                            + "  --only    run only the benchmark classes whose name matches REGEX (PeakBench always runs)\n"
                            + "  --peers   also run ../shared/peers (needs python3-torch) for same-session ratios\n"
                            + "  --out     where to write the report (default bench/RESULTS.md; what follows its\n"
                            + "            line " + KEEP_BELOW + " is kept)");
                    return;
                }
                default -> {
                    System.err.println("kiln bench jmh: unknown option '" + args[i] + "' (try --help)");
                    System.exit(2);
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        Pattern filter = Pattern.compile(only);
        for (Class<?> benchmark : BENCHMARKS) {
            if (benchmark == PeakBench.class || filter.matcher(benchmark.getSimpleName()).find()) {
                rows.addAll(run(benchmark, quick));
            }
        }
        List<String> peerLines = peers ? Peers.run() : List.of();
        String report = render(rows, peerLines, args, quick);
        AtomicFiles.write(out, (report + "\n" + KEEP_BELOW + "\n" + keptSections(out)).getBytes(StandardCharsets.UTF_8));
        System.out.println(report);
        System.err.println("kiln bench jmh: wrote " + out.toAbsolutePath());
    }

    /** What follows {@link #KEEP_BELOW} in {@code file}: nothing if the file or the line is not there. */
    static String keptSections(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int marker = text.indexOf(KEEP_BELOW);
        return marker < 0 ? "" : text.substring(marker + KEEP_BELOW.length()).stripLeading();
    }

    private static String requireValue(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("kiln bench jmh: " + option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static List<Row> run(Class<?> benchmark, boolean quick) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder().include(Pattern.quote(benchmark.getName()) + "\\.");
        if (quick) {
            options.warmupIterations(1).warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(500));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult result : results) {
            BenchmarkParams params = result.getParams();
            String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            Work work = Work.of(benchmark, method, params);
            List<Double> rates = new ArrayList<>();
            for (BenchmarkResult benchmarkResult : result.getBenchmarkResults()) {
                for (IterationResult iteration : benchmarkResult.getIterationResults()) {
                    rates.add(work.value(iteration.getPrimaryResult().getScore(), params.getThreads()));
                }
            }
            String configuration = method + describeParams(params);
            int threads = params.getParamsKeys().contains("threads")
                    ? Integer.parseInt(params.getParam("threads")) : params.getThreads();
            rows.add(new Row(benchmark.getSimpleName(), configuration, work.unit(),
                    rates.stream().mapToDouble(Double::doubleValue).toArray(), threads));
        }
        return rows;
    }

    private static String describeParams(BenchmarkParams params) {
        List<String> parts = new ArrayList<>();
        for (String key : params.getParamsKeys()) {
            parts.add(key + "=" + params.getParam(key));
        }
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }

    /**
     * The work one call does, so that time per call becomes a rate: floating-point operations for
     * compute-bound kernels (GFLOP/s), bytes moved for memory-bound ones (GB/s). A call with no single
     * work count (a whole training step) is reported as its time instead, in ms (units 0).
     */
    record Work(double units, String unit) {
        /** The figure for one measured iteration that took {@code microsPerCall} per call on {@code threads} JMH threads. */
        double value(double microsPerCall, int threads) {
            return units == 0 ? microsPerCall / 1e3 : units * threads / (microsPerCall * 1e-6) / 1e9;
        }

        static Work of(Class<?> benchmark, String method, BenchmarkParams params) {
            if (benchmark == TrainStepBench.class) {
                return new Work(0, "ms/step");
            }
            if (benchmark == PeakBench.class) {
                return new Work(PeakBench.FLOPS, "GFLOP/s");
            }
            if (benchmark == MatmulBench.class) {
                double n = Double.parseDouble(params.getParam("n"));
                return new Work(2 * n * n * n, "GFLOP/s");
            }
            if (benchmark == SumBench.class) {
                return new Work(SumBench.BYTES, "GB/s");
            }
            if (benchmark == ElementwiseBench.class) {
                long n = Long.parseLong(params.getParam("n"));
                long perElement = method.equals("add") ? ElementwiseBench.BYTES_PER_ELEMENT_ADD : ElementwiseBench.BYTES_PER_ELEMENT_EXP;
                return new Work((double) n * perElement, "GB/s");
            }
            if (benchmark == SoftmaxBench.class) {
                String[] shape = params.getParam("shape").split("x");
                double elements = Double.parseDouble(shape[0]) * Double.parseDouble(shape[1]);
                return new Work(elements * SoftmaxBench.BYTES_PER_ELEMENT, "GB/s");
            }
            if (benchmark == ConvBench.class) {
                return new Work(ConvBench.flops(params.getParam("shape")), "GFLOP/s");
            }
            throw new IllegalArgumentException("no work formula for " + benchmark.getSimpleName());
        }
    }

    private static String render(List<Row> rows, List<String> peerLines, String[] args, boolean quick) {
        double peak1 = peak(rows, "fma1Thread");
        double peak2 = peak(rows, "fma2Threads");
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Written by `./kiln bench jmh").append(args.length > 0 ? " " + String.join(" ", args) : "").append("` (")
                .append(BenchReport.class.getName()).append(") on ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(".\n\n");
        md.append("- Machine: ").append(Machine.describe()).append('\n');
        md.append("- JMH: ").append(quick ? "1 warm-up, 3 measured iterations of 0.5 s (--quick)" : "3 warm-up, 5 measured iterations of 1 s")
                .append(", 1 fork (TrainStepBench: 10 warm-up and 5 measured of 2 s); min / median / max are over the measured iterations"
                        + " (rates: higher is better; ms/step: lower is better)\n");
        md.append(String.format(Locale.ROOT, "- Java FMA ceiling measured in this run: %.1f GFLOP/s on 1 core, %.1f on 2 cores (PeakBench)%n", peak1, peak2));
        md.append("- GFLOP/s rows show their fraction of that ceiling for their thread count; GB/s rows count the bytes"
                + " each call must read and write (see each benchmark's Javadoc).\n\n");
        String current = "";
        for (Row row : rows) {
            if (!row.benchmark().equals(current)) {
                current = row.benchmark();
                md.append("\n## ").append(current).append("\n\n");
                md.append("| configuration | unit | min | median | max | of peak |\n|---|---|---:|---:|---:|---:|\n");
            }
            String ofPeak = "";
            if (row.unit().equals("GFLOP/s") && !row.benchmark().equals("PeakBench")) {
                double peak = row.threads() >= 2 ? peak2 : peak1;
                ofPeak = String.format(Locale.ROOT, "%.0f%%", 100 * row.median() / peak);
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %s |%n",
                    row.configuration(), row.unit(), row.min(), row.median(), row.max(), ofPeak));
        }
        if (!peerLines.isEmpty()) {
            md.append("\n## Peers, measured in the same session (../shared/peers)\n\n");
            md.append("| peer | what | threads | unit | min | median | max |\n|---|---|---:|---|---:|---:|---:|\n");
            peerLines.forEach(line -> md.append(line).append('\n'));
        }
        return md.toString();
    }

    private static double peak(List<Row> rows, String method) {
        return rows.stream().filter(r -> r.benchmark().equals("PeakBench") && r.configuration().startsWith(method))
                .mapToDouble(Row::median).findFirst().orElse(Double.NaN);
    }

    /** Runs the peers' scripts (SGEMM at N = 1024 and the bandwidth script, 1 and 2 threads) and turns their records into table rows. */
    static final class Peers {
        private Peers() {}

        static List<String> run() throws IOException, InterruptedException {
            PeerRunner runner;
            try {
                runner = PeerRunner.open(PeerRunner.DEFAULT_FOLDER, PeerRunner.DEBIAN_PYTHON);
            } catch (PeerRunner.Unavailable e) {
                throw new IOException("--peers: " + e.getMessage(), e);
            }
            List<String> rows = new ArrayList<>();
            for (int threads : new int[] {1, 2}) {
                PeerThreads setting = PeerThreads.torchFair(threads);
                for (PeerRecord record : runner.run("bench_sgemm.py", setting, List.of("--sizes", "1024"), System.err::println)) {
                    rows.add(row(record, "sgemm N=" + (long) record.number("n"), "GFLOP/s", record.timing("gflops"), setting));
                }
                for (PeerRecord record : runner.run("bench_bandwidth.py", setting, List.of(), System.err::println)) {
                    rows.add(row(record, record.text("op") + " n=" + (long) record.number("n"), "GB/s", record.timing("GBps"), setting));
                }
            }
            return rows;
        }

        private static String row(PeerRecord record, String what, String unit, Timing figure, PeerThreads setting) {
            return String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %.1f | %.1f |", record.text("lib"), what,
                    setting.omp() + (setting.blas() != setting.omp() ? " (BLAS " + setting.blas() + ")" : ""), unit,
                    figure.min(), figure.median(), figure.max());
        }
    }
}

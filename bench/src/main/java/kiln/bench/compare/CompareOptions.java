package kiln.bench.compare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of {@code kiln bench SUITE...}, checked.
 *
 * @param suites    the suites to run, in order, each once ({@code all} expanded)
 * @param json      print JSON lines instead of the Markdown table
 * @param threads   the thread counts, in order
 * @param peers     run the peers
 * @param quick     shorter runs
 * @param out       also write the output here, or null
 * @param peersDir  where the peer scripts are
 * @param oneJvm    run all suites in this JVM instead of a fresh JVM each
 * @param cuda      {@code --device cuda}: the GPU's SGEMM kernels against cuBLAS ({@link CudaGemm}), gemm only
 */
record CompareOptions(List<Suite> suites, boolean json, List<Integer> threads, boolean peers, boolean quick, Path out,
                      Path peersDir, boolean oneJvm, boolean cuda) {
    /** A command line that cannot run; the message is one line. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The options of {@code args} (the words after {@code kiln bench}); at least one suite is required. */
    static CompareOptions parse(List<String> args, List<Suite> known) {
        Set<Suite> suites = new LinkedHashSet<>();
        boolean json = false;
        List<Integer> threads = List.of(1, 2);
        boolean peers = true;
        boolean quick = false;
        Path out = null;
        Path peersDir = PeerRunner.DEFAULT_FOLDER;
        boolean oneJvm = false;
        boolean cuda = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--json" -> json = true;
                case "--no-peers" -> peers = false;
                case "--quick" -> quick = true;
                case "--one-jvm" -> oneJvm = true;
                case "--threads" -> threads = threads(value(args, ++i, arg));
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--peers-dir" -> peersDir = Path.of(value(args, ++i, arg));
                case "--device" -> cuda = switch (value(args, ++i, arg)) {
                    case "cpu" -> false;
                    case "cuda" -> true;
                    default -> throw new UsageException("--device takes cpu or cuda, got '" + args.get(i) + "'");
                };
                default -> {
                    if (arg.startsWith("-")) {
                        throw new UsageException("unknown option '" + arg + "' (try --help)");
                    }
                    suites.addAll(suites(arg, known));
                }
            }
        }
        if (suites.isEmpty()) {
            throw new UsageException("name a suite: " + names(known) + ", all (try --help)");
        }
        if (cuda && !suites.stream().map(Suite::name).toList().equals(List.of("gemm"))) {
            throw new UsageException("--device cuda runs the gemm suite only");
        }
        return new CompareOptions(List.copyOf(suites), json, threads, peers, quick, out, peersDir, oneJvm, cuda);
    }

    private static List<Suite> suites(String name, List<Suite> known) {
        if (name.equals("all")) {
            return known;
        }
        for (Suite suite : known) {
            if (suite.name().equals(name)) {
                return List.of(suite);
            }
        }
        throw new UsageException("unknown suite '" + name + "' (suites: " + names(known) + ", all; or jmh for the JMH report)");
    }

    static String names(List<Suite> known) {
        return String.join(", ", known.stream().map(Suite::name).toList());
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    /** "1,2" as [1, 2]: positive thread counts, each at most 1024. */
    static List<Integer> threads(String list) {
        List<Integer> threads = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            int count;
            try {
                count = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                count = 0;
            }
            if (count < 1 || count > 1024) {
                throw new UsageException("--threads takes thread counts from 1 to 1024 separated by commas, got '" + list + "'");
            }
            threads.add(count);
        }
        return List.copyOf(threads);
    }
}

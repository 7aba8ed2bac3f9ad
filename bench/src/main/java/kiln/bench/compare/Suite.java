package kiln.bench.compare;

import java.io.IOException;
import java.util.List;

/**
 * One kind of work measured on Kiln and on its peers back to back: Kiln in this JVM first, then the
 * matching peer script, for each thread count of the session.
 */
interface Suite {
    /** The name on the command line: {@code gemm}, {@code conv}, ... */
    String name();

    /** What it measures, in one line for {@code --help}. */
    String measures();

    /**
     * Measures Kiln, then the peer, for every thread count of {@code session}; one row per (work, threads, peer).
     *
     * @throws IOException if Kiln's side cannot run (its data is missing); a peer's failure only leaves its figures empty
     */
    List<Row> run(Session session) throws IOException, InterruptedException;

    /** Every suite, in the order {@code all} runs them. */
    static List<Suite> all() {
        return List.of(new GemmSuite(), new ConvSuite(), new TrainSuite(), new InferSuite(), new MemorySuite());
    }
}

package kiln.bench.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What every suite of one {@code kiln bench} run shares: the thread counts, how Kiln's calls are
 * timed, the peers (null when they cannot run here) and where progress goes.
 *
 * @param threads the thread counts to measure, in order
 * @param quick   shorter runs (fewer sizes, epochs and calls): a smoke check, noisier
 * @param timer   how Kiln's calls are timed
 * @param peers   the peer scripts, or null to measure Kiln alone
 * @param log     progress and warnings, one line each (stderr)
 */
record Session(List<Integer> threads, boolean quick, Timer timer, PeerRunner peers, PrintStream log) {

    /**
     * The records {@code script} writes when run with {@code setting} and {@code arguments}; none when
     * the peers are off, or when the script fails (said in one line on the log).
     */
    List<PeerRecord> peer(String script, PeerThreads setting, String... arguments) throws InterruptedException {
        if (peers == null) {
            return List.of();
        }
        log.println("kiln bench: running " + script + " (" + setting.torch() + ")");
        List<String> warnings = new ArrayList<>();
        try {
            return peers.run(script, setting, List.of(arguments), warnings::add);
        } catch (IOException e) {
            log.println("kiln bench: peer not measured: " + e.getMessage());
            return List.of();
        } finally {
            if (!warnings.isEmpty()) {   // one line, however many: a busy machine warns before every measurement
                log.println("kiln bench: " + script + " warned " + warnings.size() + " time(s), last: " + warnings.getLast());
            }
        }
    }

    /** A progress line: what Kiln measured. */
    void progress(String line) {
        log.println("kiln bench: " + line);
    }
}

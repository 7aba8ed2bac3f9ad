package kiln.bench.compare;

import java.time.Duration;
import java.time.ZonedDateTime;

/**
 * The facts a reader needs to trust a table: when and where it was measured, by which command, how
 * busy the machine was, how Kiln was timed and what ran the peers.
 *
 * @param command    the command line, e.g. {@code ./kiln bench all}
 * @param start      when the run started
 * @param machine    CPU, cores and JDK in one line
 * @param loadBefore the 1-minute load average at the start
 * @param loadAfter  the 1-minute load average at the end
 * @param duration   how long the run took
 * @param timing     how Kiln's calls were timed, in words
 * @param peers      what ran the peers, or why they did not run
 * @param peersRan   whether the peers ran
 * @param forked     whether each suite ran in a JVM of its own
 */
record RunInfo(String command, ZonedDateTime start, String machine, double loadBefore, double loadAfter, Duration duration,
               String timing, String peers, boolean peersRan, boolean forked) {
}

package kiln.bench.compare;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the comparison: Kiln's figure for one measurement beside one peer's for the same work on
 * the same number of threads.
 *
 * @param suite    which suite measured it ({@code gemm}, {@code conv}, ...)
 * @param what     the work, e.g. {@code sgemm N=1024}
 * @param threads  the threads both sides ran on (the peer's exact setting is in {@code peerName})
 * @param unit     the unit of both figures
 * @param kiln     Kiln's figure
 * @param peerName the peer and its thread setting, e.g. {@code numpy (OpenBLAS 2)}
 * @param peer     the peer's figure, or null when the peer was not run or gave none
 * @param target   issue 6's floor for this row, or null for a row that is there for context
 * @param note     a fact for readers (the test accuracy reached, which epochs were timed), or empty
 * @param extras   figures for machines only ({@code --json}): numbers by name, in insertion order; may be empty
 */
record Row(String suite, String what, int threads, Unit unit, Timing kiln, String peerName, Timing peer, Target target,
           String note, Map<String, Object> extras) {
    Row {
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /** A row with no note and no extras. */
    Row(String suite, String what, int threads, Unit unit, Timing kiln, String peerName, Timing peer, Target target) {
        this(suite, what, threads, unit, kiln, peerName, peer, target, "", Map.of());
    }

    /** Kiln speed ÷ peer speed from the medians (above 1: Kiln faster), or NaN without the peer's figure. */
    double speedRatio() {
        return peer == null ? Double.NaN : unit.speedRatio(kiln.median(), peer.median());
    }

    /** Whether the target is met; null without a target or when it cannot be told. */
    Boolean met() {
        return target == null ? null : target.met(this);
    }
}

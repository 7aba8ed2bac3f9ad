package kiln.nn.deploy;

import java.util.Arrays;

/**
 * Request latencies for monitoring: the last {@code capacity} of them, for percentiles that follow the
 * server's current behaviour with bounded memory, and the largest since the start. Percentiles use
 * the nearest-rank method: the p-th percentile of n sorted values is the value of rank
 * {@code ceil(p/100 · n)} (so p50 of 1..10 is 5, p90 is 9, p99 is 10). Thread-safe.
 */
final class LatencyWindow {
    private final long[] recent;
    private int next;             // where the next latency goes, cycling
    private int filled;           // how many slots hold a latency
    private long max;

    LatencyWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("LatencyWindow: capacity must be at least 1, got " + capacity);
        }
        recent = new long[capacity];
    }

    synchronized void record(long nanos) {
        recent[next] = nanos;
        next = (next + 1) % recent.length;
        filled = Math.min(filled + 1, recent.length);
        max = Math.max(max, nanos);
    }

    /** The latencies in the window, sorted, and the maximum since the start. */
    synchronized Snapshot snapshot() {
        long[] sorted = Arrays.copyOf(recent, filled);
        Arrays.sort(sorted);
        return new Snapshot(sorted, max);
    }

    /** A moment's view of the window. */
    record Snapshot(long[] sorted, long max) {
        /** The nearest-rank p-th percentile (0 &lt; p ≤ 100) of the window, or 0 when it is empty. */
        long percentile(double p) {
            if (!(p > 0 && p <= 100)) {
                throw new IllegalArgumentException("LatencyWindow: a percentile is in (0, 100], got " + p);
            }
            if (sorted.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(p / 100 * sorted.length);
            return sorted[Math.max(rank, 1) - 1];
        }

        int count() {
            return sorted.length;
        }
    }
}

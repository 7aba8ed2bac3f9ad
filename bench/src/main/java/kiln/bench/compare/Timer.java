package kiln.bench.compare;

import java.util.Locale;

/**
 * Times Kiln's calls in this JVM as the peer scripts time theirs ({@code common.time_repeats}), after a
 * warm-up a JIT needs. The first calls run interpreted (Vector API code a hundred times slower), and the
 * JIT compiles methods after a few hundred calls, loops sooner, each compilation taking a while in the
 * background: so the warm-up runs rounds of calls of 0.1 s until the time per call stops falling (three
 * rounds in a row none of them 3% faster than the best before), after at least {@code warmupCalls}
 * calls and {@code warmupSeconds} seconds, and gives up after {@code maxWarmupSeconds}.
 *
 * @param repeats          timed samples taken after the warm-up (at least 1)
 * @param minRepeatSeconds each sample runs enough back-to-back calls to last at least this long
 */
record Timer(int repeats, double minRepeatSeconds, int warmupCalls, double warmupSeconds, double maxWarmupSeconds) {
    /** A warm-up round lasts at least this long, so that its time per call is not noise. */
    static final double ROUND_SECONDS = 0.1;
    /** A round is a gain when its time per call is below this fraction of the best round's before it. */
    static final double STILL_IMPROVING = 0.97;
    /** The warm-up may end after this many rounds in a row without a gain (a compilation can take a round or two). */
    static final int SETTLED_ROUNDS = 3;

    /** What {@code kiln bench} uses: 7 samples of at least 0.25 s, after at least 200 calls and 1 s (15 s at most) of warm-up. */
    static Timer standard() {
        return new Timer(7, 0.25, 200, 1.0, 15.0);
    }

    /** {@code --quick}: 5 samples of at least 0.1 s, after at least 50 calls and 0.3 s (5 s at most) of warm-up; noisier. */
    static Timer quick() {
        return new Timer(5, 0.1, 50, 0.3, 5.0);
    }

    /** One line for the report's header. */
    String describe() {
        return String.format(Locale.ROOT, "min / median / max over %d repeats of at least %.2f s each, after a warm-up of at least"
                + " %d calls and %.1f s that lasts until the time per call stops falling (%.0f s at most)", repeats,
                minRepeatSeconds, warmupCalls, warmupSeconds, maxWarmupSeconds);
    }

    /**
     * Seconds per call, one value per sample: each sample is the mean over k back-to-back calls, k chosen
     * from the warm-up's last round so that a sample lasts at least {@link #minRepeatSeconds}.
     */
    double[] secondsPerCall(Runnable call) {
        double one = warmUp(call);
        int k = (int) Math.max(1, Math.ceil(minRepeatSeconds / one));
        double[] samples = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < k; i++) {
                call.run();
            }
            samples[r] = (System.nanoTime() - t0) / 1e9 / k;
        }
        return samples;
    }

    /** Seconds of each of {@code calls} calls, timed one by one after the warm-up (latency, as infer_mlp.py times batch 1). */
    double[] latencies(Runnable call, int calls) {
        warmUp(call);
        double[] seconds = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            call.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    /** Runs the warm-up rounds; returns the last round's seconds per call. */
    private double warmUp(Runnable call) {
        long start = System.nanoTime();
        int calls = 0;
        double best = Double.POSITIVE_INFINITY;
        int roundsWithoutGain = 0;
        while (true) {
            long roundStart = System.nanoTime();
            int roundCalls = 0;
            do {
                call.run();
                roundCalls++;
            } while (System.nanoTime() - roundStart < ROUND_SECONDS * 1e9);
            double perCall = (System.nanoTime() - roundStart) / 1e9 / roundCalls;
            calls += roundCalls;
            if (perCall < STILL_IMPROVING * best) {
                best = perCall;
                roundsWithoutGain = 0;
            } else {
                roundsWithoutGain++;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            boolean settled = roundsWithoutGain >= SETTLED_ROUNDS && calls >= warmupCalls && elapsed >= warmupSeconds;
            if (settled || elapsed >= maxWarmupSeconds) {
                return perCall;
            }
        }
    }
}

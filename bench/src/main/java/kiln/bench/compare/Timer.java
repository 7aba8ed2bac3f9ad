package kiln.bench.compare;

/**
 * Times Kiln's calls in this JVM as the peer scripts time theirs ({@code common.time_repeats}), with a
 * warm-up a JIT needs: the first calls run interpreted, and methods are compiled after a few hundred
 * calls (loops sooner), so the warm-up runs at least {@code warmupCalls} calls and {@code warmupSeconds}
 * seconds, but stops after {@code maxWarmupSeconds} for calls so long that the hot loops inside them
 * are long compiled (a suite measures its small sizes first).
 *
 * @param repeats          timed samples taken after the warm-up (at least 1)
 * @param minRepeatSeconds each sample runs enough back-to-back calls to last at least this long
 */
record Timer(int repeats, double minRepeatSeconds, int warmupCalls, double warmupSeconds, double maxWarmupSeconds) {
    /** What {@code kiln bench} uses: 7 samples of at least 0.25 s after 200 calls and 1 s (4 s at most) of warm-up. */
    static Timer standard() {
        return new Timer(7, 0.25, 200, 1.0, 4.0);
    }

    /** {@code --quick}: 5 samples of at least 0.1 s after 50 calls and 0.3 s (1 s at most) of warm-up; noisier. */
    static Timer quick() {
        return new Timer(5, 0.1, 50, 0.3, 1.0);
    }

    /** One line for the report's header. */
    String describe() {
        return String.format(java.util.Locale.ROOT, "%d repeats of at least %.2f s each after a warm-up of at least %d calls"
                + " and %.1f s (%.0f s at most)", repeats, minRepeatSeconds, warmupCalls, warmupSeconds, maxWarmupSeconds);
    }

    /**
     * Seconds per call, one value per sample: each sample is the mean over k back-to-back calls, k chosen
     * after the warm-up so that a sample lasts at least {@link #minRepeatSeconds}.
     */
    double[] secondsPerCall(Runnable call) {
        warmUp(call);
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            call.run();
        }
        double one = Math.max((System.nanoTime() - start) / 3e9, 1e-9);
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

    private void warmUp(Runnable call) {
        long start = System.nanoTime();
        int calls = 0;
        double elapsed = 0;
        while ((calls < warmupCalls || elapsed < warmupSeconds) && elapsed < maxWarmupSeconds) {
            call.run();
            calls++;
            elapsed = (System.nanoTime() - start) / 1e9;
        }
    }
}

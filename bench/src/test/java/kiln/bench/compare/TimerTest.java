package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimerTest {
    private final Timer tiny = new Timer(5, 0.002, 20, 0, 1);

    @Test
    void warmsUpThenTakesEachSampleOverEnoughCalls() {
        int[] calls = {0};
        double[] samples = tiny.secondsPerCall(() -> {
            calls[0]++;
            spin(20_000);
        });
        assertEquals(5, samples.length);
        // at least 20 warm-up calls, then 5 samples of at least 2 ms of 20-µs calls each
        assertTrue(calls[0] >= 20 + 5 * 50, "calls: " + calls[0]);
        for (double s : samples) {
            assertTrue(s > 15e-6 && s < 5e-3, "seconds per call: " + s);
        }
    }

    @Test
    void latenciesTimeEveryCallAfterTheWarmUp() {
        int[] calls = {0};
        double[] seconds = tiny.latencies(() -> calls[0]++, 100);
        assertEquals(100, seconds.length);
        assertTrue(calls[0] >= 120, "calls: " + calls[0]);
    }

    @Test
    void warmUpLastsUntilCallsStopGettingFaster() {
        // 40 µs per call for the first 0.25 s (code not compiled yet), then 10 µs: the warm-up must outlast the change
        long start = System.nanoTime();
        long[] afterWarmUp = {0};
        double[] seconds = new Timer(1, 0, 1, 0, 10).latencies(() -> {
            spin(System.nanoTime() - start < 250_000_000 ? 40_000 : 10_000);
            afterWarmUp[0] = System.nanoTime() - start;
        }, 1);
        assertTrue(afterWarmUp[0] > 250_000_000, "warm-up ended at " + afterWarmUp[0] / 1e6 + " ms");
        assertTrue(seconds[0] < 30e-6, "the timed call is a fast one: " + seconds[0]);
    }

    @Test
    void warmUpStopsAtItsLimitForLongCalls() {
        int[] calls = {0};
        new Timer(1, 0, 1_000_000, 0, 0.01).latencies(() -> {
            calls[0]++;
            spin(1_000_000);
        }, 1);
        assertTrue(calls[0] < 300, "one round of 0.1 s, then the limit: " + calls[0]);
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}

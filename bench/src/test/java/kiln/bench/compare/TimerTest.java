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
        // 20 warm-up calls, 3 to calibrate, then 5 samples of at least 2 ms of 20-µs calls each
        assertTrue(calls[0] >= 20 + 3 + 5 * 50, "calls: " + calls[0]);
        for (double s : samples) {
            assertTrue(s > 15e-6 && s < 5e-3, "seconds per call: " + s);
        }
    }

    @Test
    void latenciesTimeEveryCallAfterTheWarmUp() {
        int[] calls = {0};
        double[] seconds = tiny.latencies(() -> calls[0]++, 100);
        assertEquals(100, seconds.length);
        assertEquals(120, calls[0]);
    }

    @Test
    void warmUpStopsAtItsLimitForLongCalls() {
        int[] calls = {0};
        new Timer(1, 0, 1_000_000, 0, 0.01).latencies(() -> {
            calls[0]++;
            spin(1_000_000);
        }, 1);
        assertTrue(calls[0] < 100, "calls: " + calls[0]);
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}

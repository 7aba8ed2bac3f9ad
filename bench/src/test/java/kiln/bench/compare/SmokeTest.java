package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Kiln's side of a suite on a tiny size: it runs and gives a sensible figure (no real benchmarking). */
class SmokeTest {
    @Test
    void gemmMeasuresPositiveGflops() {
        Timing gflops = GemmSuite.measure(new Timer(3, 0.001, 2, 0, 0.1), 32);
        assertEquals(3, gflops.n());
        assertTrue(gflops.min() > 0 && Double.isFinite(gflops.max()), gflops.toString());
    }

    @Test
    void latencyPercentilesAreNearestRank() {
        double[] microseconds = new double[100];
        for (int i = 0; i < 100; i++) {
            microseconds[i] = 100 - i;   // 100 .. 1, unsorted
        }
        assertEquals(Map.of("kiln_p10_us", 10.0, "kiln_p90_us", 90.0, "kiln_p99_us", 99.0), InferSuite.percentiles(microseconds));
    }
}

package kiln.nn.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Counts by status, nearest-rank latency percentiles over a bounded window, and the share of each predicted class. */
class ServerMetricsTest {
    @Test
    void percentilesAreNearestRanks() {
        LatencyWindow window = new LatencyWindow(1000);
        for (int v = 100; v >= 1; v--) {                 // 1..100, recorded out of order
            window.record(v);
        }
        LatencyWindow.Snapshot snapshot = window.snapshot();
        assertEquals(100, snapshot.count());
        assertEquals(50, snapshot.percentile(50), "rank ceil(0.5 · 100) = 50");
        assertEquals(90, snapshot.percentile(90));
        assertEquals(99, snapshot.percentile(99));
        assertEquals(100, snapshot.percentile(100));
        assertEquals(1, snapshot.percentile(0.1), "rank ceil(0.1) = 1");
        assertEquals(100, snapshot.max());

        LatencyWindow ten = new LatencyWindow(10);
        for (int v = 1; v <= 10; v++) {
            ten.record(v);
        }
        assertEquals(5, ten.snapshot().percentile(50));
        assertEquals(9, ten.snapshot().percentile(90));
        assertEquals(10, ten.snapshot().percentile(99), "rank ceil(9.9) = 10");
        assertEquals(0, new LatencyWindow(3).snapshot().percentile(50), "no latencies yet");
        assertThrows(IllegalArgumentException.class, () -> ten.snapshot().percentile(0));
    }

    @Test
    void theWindowKeepsTheLatestAndTheMaximumSinceTheStart() {
        LatencyWindow window = new LatencyWindow(3);
        for (long v : new long[] {900, 20, 10, 30, 40}) {
            window.record(v);
        }
        LatencyWindow.Snapshot snapshot = window.snapshot();
        assertEquals(3, snapshot.count());
        assertEquals(30, snapshot.percentile(50), "the window holds 10, 30, 40");
        assertEquals(40, snapshot.percentile(100));
        assertEquals(900, snapshot.max(), "the maximum outlives the window");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJsonHasCountsLatenciesAndClassShares() {
        ServerMetrics metrics = new ServerMetrics(List.of("cat", "dog", "bird"));
        metrics.recordResponse(200, 2_000_000);
        metrics.recordResponse(200, 4_000_000);
        metrics.recordResponse(400, 1_000_000);
        metrics.recordResponse(413, 500_000);
        metrics.recordPredictions(new int[] {0, 0, 1});
        metrics.recordPredictions(new int[] {0});
        assertEquals(4, metrics.requests());
        assertEquals(2, metrics.errors());
        assertEquals(3, metrics.predictions(0));

        Map<String, Object> json = metrics.toJson();
        assertEquals(4L, json.get("requests"));
        assertEquals(2L, json.get("errors"));
        assertEquals(Map.of("200", 2L, "400", 1L, "413", 1L), json.get("responses"));
        Map<String, Object> latency = (Map<String, Object>) json.get("latency_ms");
        assertEquals(4, latency.get("window"));
        assertEquals(1.0, latency.get("p50"), "sorted 0.5, 1, 2, 4 ms: rank 2");
        assertEquals(4.0, latency.get("p99"));
        assertEquals(4.0, latency.get("max"));
        Map<String, Object> predictions = (Map<String, Object>) json.get("predictions");
        assertEquals(4L, predictions.get("total"));
        Map<String, Map<String, Object>> classes = (Map<String, Map<String, Object>>) predictions.get("classes");
        assertEquals(List.of("cat", "dog", "bird"), List.copyOf(classes.keySet()));
        assertEquals(Map.of("count", 3L, "share", 0.75), classes.get("cat"));
        assertEquals(Map.of("count", 1L, "share", 0.25), classes.get("dog"));
        assertEquals(Map.of("count", 0L, "share", 0.0), classes.get("bird"));
    }
}

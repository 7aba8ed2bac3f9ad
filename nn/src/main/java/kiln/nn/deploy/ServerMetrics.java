package kiln.nn.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link PredictionServer} has done, for {@code GET /metrics}: requests and errors by status,
 * latency percentiles, and how often each class was predicted, so that a drift of the inputs shows as a
 * change in the predicted distribution. Thread-safe; counts only grow.
 *
 * <p>Counted requests are those to {@code /predict} and to unknown paths; {@code /health} and
 * {@code /metrics} are not counted, so that polling them does not change what they report.
 */
public final class ServerMetrics {
    /** How many recent requests the latency percentiles are taken over. */
    public static final int LATENCY_WINDOW = 10_000;

    private final List<String> classNames;
    private final long startNanos = System.nanoTime();
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final AtomicLongArray predicted;
    private final LatencyWindow latencies = new LatencyWindow(LATENCY_WINDOW);

    /** @param classNames the model's classes, by index */
    public ServerMetrics(List<String> classNames) {
        this.classNames = List.copyOf(classNames);
        this.predicted = new AtomicLongArray(classNames.size());
    }

    /** Counts one answered request: its status (400 and above are errors) and how long it took. */
    public void recordResponse(int status, long nanos) {
        requests.increment();
        if (status >= 400) {
            errors.increment();
        }
        byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
        latencies.record(nanos);
    }

    /** Counts the classes of one answered prediction request. */
    public void recordPredictions(int[] classes) {
        for (int c : classes) {
            predicted.incrementAndGet(c);
        }
    }

    /** Requests answered so far. */
    public long requests() {
        return requests.sum();
    }

    /** Requests answered with a status of 400 or more. */
    public long errors() {
        return errors.sum();
    }

    /** How many times class {@code c} was predicted. */
    public long predictions(int c) {
        return predicted.get(c);
    }

    /**
     * A JSON-ready picture: {@code uptime_seconds}, {@code requests}, {@code errors}, {@code responses}
     * (count by status), {@code latency_ms} ({@code window}, {@code p50}, {@code p90}, {@code p99} over the
     * last {@value #LATENCY_WINDOW} requests, {@code max} since the start) and {@code predictions}
     * ({@code total}, and per class name its {@code count} and {@code share} of the total).
     */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("uptime_seconds", (System.nanoTime() - startNanos) / 1e9);
        json.put("requests", requests());
        json.put("errors", errors());
        Map<String, Object> responses = new LinkedHashMap<>();
        new TreeMap<>(byStatus).forEach((status, count) -> responses.put(Integer.toString(status), count.sum()));
        json.put("responses", responses);

        LatencyWindow.Snapshot window = latencies.snapshot();
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("window", window.count());
        latency.put("p50", millis(window.percentile(50)));
        latency.put("p90", millis(window.percentile(90)));
        latency.put("p99", millis(window.percentile(99)));
        latency.put("max", millis(window.max()));
        json.put("latency_ms", latency);

        long total = 0;
        for (int c = 0; c < predicted.length(); c++) {
            total += predicted.get(c);
        }
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int c = 0; c < predicted.length(); c++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            long count = predicted.get(c);
            entry.put("count", count);
            entry.put("share", total == 0 ? 0.0 : (double) count / total);
            perClass.put(classNames.get(c), entry);
        }
        Map<String, Object> predictions = new LinkedHashMap<>();
        predictions.put("total", total);
        predictions.put("classes", perClass);
        json.put("predictions", predictions);
        return json;
    }

    /** Milliseconds with microsecond resolution. */
    private static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }
}

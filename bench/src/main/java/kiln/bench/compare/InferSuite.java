package kiln.bench.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.engine.Autograd;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.kernels.cpu.Parallel;
import kiln.nn.Module;
import kiln.nn.models.ModelZoo;

/**
 * Inference of the MLP 784-256-128-10 (ReLU), as {@code infer_mlp.py} measures PyTorch's and NumPy's:
 * a freshly initialised model in evaluation mode, its forward pass without recording gradients (as
 * {@code kiln.nn.deploy.Predictor} runs it, logits only), on random inputs in [0, 1) (values do not
 * change the time). Batch 1: each call timed alone, µs (min / median / max; p10, p90 and p99 in
 * {@code --json}); batch 1024: samples per second. Peers: PyTorch under {@code inference_mode} and
 * NumPy with the same layers, each on its best setting (on 2 threads PyTorch with OpenMP 2 and OpenBLAS
 * 1, NumPy with OpenBLAS 2: the script runs once for each). Targets: batch 1 ≤ 8 µs median; batch 1024 ≥ PyTorch's samples/s.
 */
final class InferSuite implements Suite {
    static final int FEATURES = 784;
    static final int LARGE_BATCH = 1024;
    static final int CALLS = 5000;
    static final int QUICK_CALLS = 1000;
    static final Target LATENCY_TARGET = Target.kilnAtMost(8, Unit.MICROSECONDS);
    static final Target THROUGHPUT_TARGET = Target.speedRatioAtLeast(1, "≥ 1× torch");

    @Override
    public String name() {
        return "infer";
    }

    @Override
    public String measures() {
        return "MLP 784-256-128-10 inference: batch 1 latency (µs) and batch 1024 throughput (samples/s), against PyTorch and NumPy";
    }

    @Override
    public List<Row> run(Session session) throws InterruptedException {
        int calls = session.quick() ? QUICK_CALLS : CALLS;
        List<Row> rows = new ArrayList<>();
        Generator random = new Generator(0);
        try (Module model = ModelZoo.build("mlp", new int[] {FEATURES}, 10, random).eval();
             Tensor one = Tensor.rand(random, 1, FEATURES);
             Tensor batch = Tensor.rand(random, LARGE_BATCH, FEATURES)) {
            for (int threads : session.threads()) {
                Parallel.setThreads(threads);
                double[] latencies = Arrays.stream(session.timer().latencies(() -> predict(model, one), calls)).map(s -> s * 1e6).toArray();
                Timing latency = Timing.of(latencies);
                Timing throughput = Timing.of(Arrays.stream(session.timer().secondsPerCall(() -> predict(model, batch)))
                        .map(s -> LARGE_BATCH / s).toArray());
                session.progress(String.format(Locale.ROOT, "MLP inference, %d thread(s): Kiln batch 1 %s µs, batch 1024 %s samples/s",
                        threads, latency.format(Unit.MICROSECONDS), throughput.format(Unit.SAMPLES_PER_SECOND)));
                // Each peer on its best setting: PyTorch's pools fight at OpenMP 2 + OpenBLAS 2, NumPy has only OpenBLAS.
                PeerThreads torchSetting = PeerThreads.torchFair(threads);
                PeerThreads numpySetting = PeerThreads.same(threads);
                List<PeerRecord> torchRun = session.peer("infer_mlp.py", torchSetting, "--calls", String.valueOf(calls));
                List<PeerRecord> numpyRun = numpySetting.equals(torchSetting) ? torchRun
                        : session.peer("infer_mlp.py", numpySetting, "--calls", String.valueOf(calls));
                Map<String, Object> percentiles = percentiles(latencies);
                String note = String.format(Locale.ROOT, "Kiln p90 %.2f µs, p99 %.2f µs", percentiles.get("kiln_p90_us"),
                        percentiles.get("kiln_p99_us"));
                PeerRecord torch = PeerRecord.find(torchRun, "bench", "mlp_infer", "variant", "torch_inference_mode");
                PeerRecord numpy = PeerRecord.find(numpyRun, "bench", "mlp_infer", "variant", "numpy");
                String torchName = "torch inference_mode (" + torchSetting.torch() + ")";
                String numpyName = "numpy (" + numpySetting.numpy() + ")";
                rows.add(new Row(name(), "MLP inference, batch 1", threads, Unit.MICROSECONDS, latency, torchName,
                        figure(torch, "batch1_us"), LATENCY_TARGET, note, latencyExtras(percentiles, torch)));
                rows.add(new Row(name(), "MLP inference, batch 1", threads, Unit.MICROSECONDS, latency, numpyName,
                        figure(numpy, "batch1_us"), null, note, latencyExtras(percentiles, numpy)));
                rows.add(new Row(name(), "MLP inference, batch 1024", threads, Unit.SAMPLES_PER_SECOND, throughput, torchName,
                        figure(torch, "batch1024_samples_per_s"), THROUGHPUT_TARGET));
                rows.add(new Row(name(), "MLP inference, batch 1024", threads, Unit.SAMPLES_PER_SECOND, throughput, numpyName,
                        figure(numpy, "batch1024_samples_per_s"), null));
            }
        }
        return rows;
    }

    private static Timing figure(PeerRecord record, String key) {
        return record == null ? null : record.timing(key);
    }

    /** Kiln's percentiles, and the peer's p10 and p90 when it ran. */
    private static Map<String, Object> latencyExtras(Map<String, Object> kilnPercentiles, PeerRecord peer) {
        Map<String, Object> extras = new LinkedHashMap<>(kilnPercentiles);
        if (peer != null) {
            extras.put("peer_p10_us", peer.number("batch1_us", "p10"));
            extras.put("peer_p90_us", peer.number("batch1_us", "p90"));
        }
        return extras;
    }

    /** Logits for {@code input}, freed at once: one prediction, as a server makes it. */
    private static void predict(Module model, Tensor input) {
        try (MemoryScope call = MemoryScope.open(); var off = Autograd.noGrad()) {
            model.forward(input);
        }
    }

    /** Kiln's p10, p90 and p99 batch-1 latency in µs (nearest rank). */
    static Map<String, Object> percentiles(double[] microseconds) {
        double[] sorted = microseconds.clone();
        Arrays.sort(sorted);
        Map<String, Object> percentiles = new LinkedHashMap<>();
        for (int p : new int[] {10, 90, 99}) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            percentiles.put("kiln_p" + p + "_us", sorted[Math.max(0, rank - 1)]);
        }
        return percentiles;
    }
}

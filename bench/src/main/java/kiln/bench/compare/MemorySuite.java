package kiln.bench.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.Parallel;

/**
 * Memory-bound work over 16M floats (64 MiB per tensor), in GB/s, as {@code bench_bandwidth.py}
 * measures PyTorch's and NumPy's: {@code add}, a + b written into an existing third tensor (3 × 64 MiB
 * moved per call; Kiln's Tensor API has no add-into-output op, so this calls the backend's
 * {@code binary(ADD, out, a, b)}, which every add runs), and {@code sum}, the sum of all 16M floats
 * (64 MiB read per call, {@link Tensor#sum()}). Targets on 1 thread: add ≥ 20 GB/s, sum ≥ 28 GB/s.
 */
final class MemorySuite implements Suite {
    static final int N = 16 * 1024 * 1024;
    static final double ADD_BYTES = 3.0 * Float.BYTES * N;
    static final double SUM_BYTES = (double) Float.BYTES * N;
    static final Target ADD_TARGET = Target.kilnAtLeast(20, Unit.GIGABYTES_PER_SECOND);
    static final Target SUM_TARGET = Target.kilnAtLeast(28, Unit.GIGABYTES_PER_SECOND);

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String measures() {
        return "16M floats: add into an existing output and sum, GB/s, against PyTorch and NumPy";
    }

    @Override
    public List<Row> run(Session session) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        for (int threads : session.threads()) {
            Parallel.setThreads(threads);
            Timing add;
            Timing sum;
            try (MemoryScope operands = MemoryScope.open()) {
                Generator random = new Generator(0);
                Tensor a = Tensor.rand(random, N);
                Tensor b = Tensor.rand(random, N);
                Tensor out = Tensor.zeros(N);
                add = gigabytesPerSecond(session.timer(), ADD_BYTES, () -> out.backend().binary(BinaryOp.ADD, out, a, b));
                sum = gigabytesPerSecond(session.timer(), SUM_BYTES, () -> {
                    try (MemoryScope call = MemoryScope.open()) {
                        a.sum();
                    }
                });
            }
            session.progress(String.format(Locale.ROOT, "16M floats, %d thread(s): Kiln add %s GB/s, sum %s GB/s", threads,
                    add.format(Unit.GIGABYTES_PER_SECOND), sum.format(Unit.GIGABYTES_PER_SECOND)));
            PeerThreads setting = PeerThreads.torchFair(threads);
            List<PeerRecord> peer = session.peer("bench_bandwidth.py", setting, "--repeats", String.valueOf(session.timer().repeats()));
            String torch = "torch (" + setting.torch() + ")";
            String numpy = "numpy (single-threaded)";
            boolean oneThread = threads == 1;
            rows.add(new Row(name(), "add into existing output", threads, Unit.GIGABYTES_PER_SECOND, add, torch,
                    figure(peer, "torch", "add_out"), oneThread ? ADD_TARGET : null));
            rows.add(new Row(name(), "add into existing output", threads, Unit.GIGABYTES_PER_SECOND, add, numpy,
                    figure(peer, "numpy", "add_out"), null));
            rows.add(new Row(name(), "sum", threads, Unit.GIGABYTES_PER_SECOND, sum, torch, figure(peer, "torch", "sum"),
                    oneThread ? SUM_TARGET : null));
            rows.add(new Row(name(), "sum", threads, Unit.GIGABYTES_PER_SECOND, sum, numpy, figure(peer, "numpy", "sum"), null));
        }
        return rows;
    }

    private static Timing gigabytesPerSecond(Timer timer, double bytes, Runnable call) {
        return Timing.of(Arrays.stream(timer.secondsPerCall(call)).map(s -> bytes / s / 1e9).toArray());
    }

    static Timing figure(List<PeerRecord> records, String lib, String op) {
        PeerRecord record = PeerRecord.find(records, "bench", "bandwidth", "lib", lib, "op", op);
        return record == null ? null : record.timing("GBps");
    }
}

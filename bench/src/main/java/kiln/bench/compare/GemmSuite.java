package kiln.bench.compare;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.Sgemm;

/**
 * Square float32 matrix products C = A·B (N×N, row-major), 2·N³ floating-point operations per call,
 * in GFLOP/s: Kiln's {@link Sgemm#sgemm} on 64-byte-aligned off-heap operands against
 * {@code bench_sgemm.py}, NumPy's {@code matmul(out=)} and PyTorch's {@code mm(out=)}, both OpenBLAS on
 * every thread (a matrix product alone is OpenBLAS's best case). Target: Kiln ≥ 0.9× OpenBLAS.
 */
final class GemmSuite implements Suite {
    static final int[] SIZES = {256, 512, 1024, 2048};
    static final int[] QUICK_SIZES = {256, 1024};
    static final Target TARGET = Target.speedRatioAtLeast(0.9, "≥ 0.9× OpenBLAS");

    @Override
    public String name() {
        return "gemm";
    }

    @Override
    public String measures() {
        return "square SGEMM N = 256, 512, 1024, 2048, GFLOP/s, against NumPy and PyTorch (OpenBLAS)";
    }

    @Override
    public List<Row> run(Session session) throws InterruptedException {
        int[] sizes = session.quick() ? QUICK_SIZES : SIZES;
        List<Row> rows = new ArrayList<>();
        for (int threads : session.threads()) {
            Parallel.setThreads(threads);
            List<Timing> kiln = new ArrayList<>();
            for (int n : sizes) {                       // small sizes first: they warm the kernels up for the large ones
                kiln.add(measure(session.timer(), n));
                session.progress(String.format(java.util.Locale.ROOT, "sgemm N=%d, %d thread(s): Kiln %s GFLOP/s", n, threads,
                        kiln.getLast().format(Unit.GFLOPS)));
            }
            PeerThreads setting = PeerThreads.same(threads);
            List<PeerRecord> peer = session.peer("bench_sgemm.py", setting, "--sizes",
                    Arrays.stream(sizes).mapToObj(String::valueOf).collect(Collectors.joining(",")),
                    "--repeats", String.valueOf(session.timer().repeats()));
            for (int i = 0; i < sizes.length; i++) {
                String what = "sgemm N=" + sizes[i];
                rows.add(new Row(name(), what, threads, Unit.GFLOPS, kiln.get(i), "numpy (" + setting.numpy() + ")",
                        figure(peer, "numpy", sizes[i]), TARGET));
                rows.add(new Row(name(), what, threads, Unit.GFLOPS, kiln.get(i), "torch (" + setting.torch() + ")",
                        figure(peer, "torch", sizes[i]), null));
            }
        }
        return rows;
    }

    /** Kiln's GFLOP/s at size n on the current thread count, operands random in [-1, 1). */
    static Timing measure(Timer timer, int n) {
        long bytes = (long) n * n * Float.BYTES;
        try (Arena arena = Arena.ofShared()) {          // the pool's threads read the operands: not a confined arena
            MemorySegment a = arena.allocate(bytes, 64);
            MemorySegment b = arena.allocate(bytes, 64);
            MemorySegment c = arena.allocate(bytes, 64);
            SplittableRandom random = new SplittableRandom(42);
            for (long i = 0; i < (long) n * n; i++) {
                a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextDouble(-1, 1));
                b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextDouble(-1, 1));
            }
            double[] seconds = timer.secondsPerCall(() -> Sgemm.sgemm(c, 0, n, a, 0, n, 1, b, 0, n, 1, n, n, n, false));
            double flops = 2.0 * n * n * n;
            return Timing.of(Arrays.stream(seconds).map(s -> flops / s / 1e9).toArray());
        }
    }

    static Timing figure(List<PeerRecord> records, String lib, int n) {
        PeerRecord record = PeerRecord.find(records, "bench", "sgemm", "lib", lib, "n", n);
        return record == null ? null : record.timing("gflops");
    }
}

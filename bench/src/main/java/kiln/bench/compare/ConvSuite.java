package kiln.bench.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.engine.Autograd;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.kernels.cpu.Parallel;

/**
 * A hidden convolution layer's work, as {@code bench_conv.py} measures PyTorch's (oneDNN): conv2d of
 * x {@code [64, 32, 28, 28]} with w {@code [64, 32, 3, 3]} and a bias, stride 1, padding 1, in ms per
 * call. {@code forward} runs without recording gradients; {@code forward+backward} records it and
 * back-propagates a fixed upstream gradient, computing dX, dW and db (the gradients are dropped
 * before each call, so none is accumulated into an old one). Target: forward+backward time ≤ 1.2×
 * PyTorch's.
 */
final class ConvSuite implements Suite {
    static final int N = 64;
    static final int C_IN = 32;
    static final int C_OUT = 64;
    static final int SIDE = 28;
    static final int K = 3;
    /** 2·N·Cout·H·W·Cin·K·K: the forward pass's multiply-adds, twice; the backward pass does twice as much. */
    static final double FORWARD_FLOP = 2.0 * N * C_OUT * SIDE * SIDE * C_IN * K * K;
    static final Target TARGET = Target.timeAtMost(1.2, "torch");

    @Override
    public String name() {
        return "conv";
    }

    @Override
    public String measures() {
        return "conv2d N=64, 32→64 channels, 28×28, 3×3, pad 1: forward and forward+backward (dX, dW, db), ms, against PyTorch";
    }

    @Override
    public List<Row> run(Session session) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        for (int threads : session.threads()) {
            Parallel.setThreads(threads);
            Timing forward;
            Timing forwardBackward;
            try (MemoryScope operands = MemoryScope.open()) {
                Generator random = new Generator(0);
                Tensor x = Tensor.randn(random, N, C_IN, SIDE, SIDE).requiresGrad(true);
                Tensor w = Tensor.randn(random, C_OUT, C_IN, K, K).mul(0.05).requiresGrad(true);
                Tensor b = Tensor.zeros(C_OUT).requiresGrad(true);
                Tensor upstream = Tensor.randn(random, N, C_OUT, SIDE, SIDE);
                forward = milliseconds(session.timer(), () -> {
                    try (MemoryScope call = MemoryScope.open(); var off = Autograd.noGrad()) {
                        conv(x, w, b);
                    }
                });
                forwardBackward = milliseconds(session.timer(), () -> {
                    dropGradients(x, w, b);
                    try (MemoryScope call = MemoryScope.open()) {
                        conv(x, w, b).backward(upstream);
                    }
                });
                dropGradients(x, w, b);
            }
            session.progress(String.format(Locale.ROOT, "conv2d, %d thread(s): Kiln forward %s ms, forward+backward %s ms",
                    threads, forward.format(Unit.MILLISECONDS), forwardBackward.format(Unit.MILLISECONDS)));
            PeerThreads setting = PeerThreads.torchFair(threads);
            List<PeerRecord> peer = session.peer("bench_conv.py", setting, "--repeats", String.valueOf(session.timer().repeats()));
            String torch = "torch (" + setting.torch() + ")";
            rows.add(row("conv2d forward", threads, forward, torch, figure(peer, "fwd"), null, 1));
            rows.add(row("conv2d forward+backward", threads, forwardBackward, torch, figure(peer, "fwd_bwd"), TARGET, 3));
        }
        return rows;
    }

    private static Tensor conv(Tensor x, Tensor w, Tensor b) {
        return x.conv2d(w, b, 1, 1, 1, 1, 1, 1, 1);
    }

    private static void dropGradients(Tensor... leaves) {
        for (Tensor leaf : leaves) {
            leaf.setGrad(null);
        }
    }

    private static Timing milliseconds(Timer timer, Runnable call) {
        return Timing.of(Arrays.stream(timer.secondsPerCall(call)).map(s -> s * 1e3).toArray());
    }

    /** A row whose note gives Kiln's GFLOP/s at its median ({@code passes} = 1 forward, 3 forward and backward). */
    private Row row(String what, int threads, Timing kiln, String peerName, Timing peer, Target target, int passes) {
        double gflops = passes * FORWARD_FLOP / (kiln.median() / 1e3) / 1e9;
        return new Row(name(), what, threads, Unit.MILLISECONDS, kiln, peerName, peer, target,
                String.format(Locale.ROOT, "Kiln %.0f GFLOP/s", gflops), Map.of("kiln_gflops_at_median", gflops));
    }

    static Timing figure(List<PeerRecord> records, String pass) {
        PeerRecord record = PeerRecord.find(records, "bench", "conv2d", "pass", pass);
        return record == null ? null : record.timing("ms");
    }
}

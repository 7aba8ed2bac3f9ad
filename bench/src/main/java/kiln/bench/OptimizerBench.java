package kiln.bench;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.kernels.cpu.OptimizerKernels;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.Simd;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One Adam update of n float32 parameters, the ladder of {@link OptimizerKernels}:
 * <ul>
 *   <li>{@code tensorOps}: the update as tensor operations, as {@link kiln.nn.optim.Adam} runs it for
 *       tensors the fused kernel does not take (a dozen passes, each into a fresh temporary);</li>
 *   <li>{@code fusedScalar}: {@link OptimizerKernels#adam} with its scalar reference ({@code -Dkiln.simd=false});</li>
 *   <li>{@code fusedSimd}: the same kernel on the Vector API.</li>
 * </ul>
 * n = 235,146 is the MLP 784-256-128-10 of {@link TrainStepBench} (its parameters in one run), n = 4M
 * a model whose state no longer fits in cache. The bytes an update must move are
 * {@link #BYTES_PER_ELEMENT} per parameter, whatever the path: GB/s = 28·n / time.
 */
@State(Scope.Benchmark)
public class OptimizerBench extends KernelBench {
    /** Adam reads θ, g, m, v and writes θ, m, v: 7 floats per parameter. */
    public static final long BYTES_PER_ELEMENT = 7 * Float.BYTES;

    private static final double LR = 1e-3;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;
    /** The step number the bias corrections are computed for (any t > 1 costs the same). */
    private static final int T = 10;

    @Param({"235146", "4194304"})
    public int n;

    @Param({"tensorOps", "fusedScalar", "fusedSimd"})
    public String path;

    @Param({"1", "2"})
    public int threads;

    private Tensor param;
    private Tensor grad;
    private Tensor expAvg;
    private Tensor expAvgSq;
    private OptimizerKernels.AdamStep factors;

    @Setup
    public void setUp() {
        Simd.setEnabled(!path.equals("fusedScalar"));
        Parallel.setThreads(threads);
        Generator rng = new Generator(3);
        param = Tensor.randn(rng, n);
        try (Tensor unit = Tensor.randn(rng, n)) {
            grad = unit.mul(0.01);
        }
        expAvg = Tensor.zeros(n);
        expAvgSq = Tensor.zeros(n);
        factors = new OptimizerKernels.AdamStep(BETA1, BETA2, EPS, 0, 1, false,
                LR / (1 - Math.pow(BETA1, T)), Math.sqrt(1 - Math.pow(BETA2, T)));
    }

    @TearDown
    public void tearDown() {
        Simd.setEnabled(true);
        for (Tensor t : new Tensor[] {param, grad, expAvg, expAvgSq}) {
            t.close();
        }
    }

    @Benchmark
    public void adam() {
        if (path.equals("tensorOps")) {
            try (MemoryScope step = MemoryScope.open()) {
                expAvg.copyFrom(expAvg.mul(BETA1).add(grad.mul(1 - BETA1)));
                expAvgSq.copyFrom(expAvgSq.mul(BETA2).add(grad.mul(1 - BETA2).mul(grad)));
                Tensor denominator = expAvgSq.sqrt().div(factors.biasCorrection2Sqrt()).add(EPS);
                param.addInPlace(expAvg.mul(-factors.stepSize()).div(denominator));
            }
        } else {
            OptimizerKernels.adam(param.segment(), 0, expAvg.segment(), 0, expAvgSq.segment(), 0, null, 0,
                    grad.segment(), 0, factors, n);
        }
    }
}

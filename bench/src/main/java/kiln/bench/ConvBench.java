package kiln.bench;

import java.util.concurrent.TimeUnit;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.kernels.cpu.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One convolution layer, forward and backward (dx, dw and db, as for a hidden layer), float32:
 * the ladder from the definition to the kernel Kiln uses.
 *
 * <ul>
 *   <li>{@code composed}: the definition, recorded unfold2d and matmul (autograd differentiates them);</li>
 *   <li>{@code im2col}: the float32 kernels with columns written per image ({@code -Dkiln.conv=im2col});</li>
 *   <li>{@code implicit}: the float32 kernels as an implicit GEMM over the padded image (the default for stride 1).</li>
 * </ul>
 *
 * Shapes: {@code bench} is issue 6's layer (N 64, 32→64 channels, 28×28, 3×3, padding 1: 5.55 GFLOP
 * per call); {@code lenet1} and {@code lenet2} are LeNet-5's two layers at batch 128 (1→6, 5×5,
 * padding 2, 28×28; 6→16, 5×5, 14×14). Reported as GFLOP/s of the nominal 3 × 2·N·O·OH·OW·C·kH·kW
 * (forward, dx and dw; the first LeNet layer computes no dx, as in a network, so its figure counts
 * work it does not do: compare its times, not its rate, with the others).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class ConvBench {
    @Param({"bench", "lenet1", "lenet2"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Tensor x;
    private Tensor weight;
    private Tensor bias;
    private Tensor upstream;
    private int padding;

    /** The nominal floating-point operations of one forward and backward call of {@code shape}. */
    public static double flops(String shape) {
        int[] s = sizes(shape);   // N, C, H, W, O, k, padding
        int out = s[2] + 2 * s[6] - s[5] + 1;
        return 3 * 2.0 * s[0] * s[4] * out * out * s[1] * s[5] * s[5];
    }

    private static int[] sizes(String shape) {
        return switch (shape) {
            case "bench" -> new int[] {64, 32, 28, 28, 64, 3, 1};
            case "lenet1" -> new int[] {128, 1, 28, 28, 6, 5, 2};
            case "lenet2" -> new int[] {128, 6, 14, 14, 16, 5, 0};
            default -> throw new IllegalArgumentException("ConvBench: unknown shape " + shape);
        };
    }

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        int[] s = sizes(shape);
        padding = s[6];
        Generator rng = new Generator(0);
        // The first LeNet layer sees the images, which need no gradient.
        x = Tensor.randn(rng, s[0], s[1], s[2], s[3]).requiresGrad(!shape.equals("lenet1"));
        weight = Tensor.randn(rng, s[4], s[1], s[5], s[5]).requiresGrad(true);
        bias = Tensor.randn(rng, s[4]).requiresGrad(true);
        int out = s[2] + 2 * padding - s[5] + 1;
        upstream = Tensor.randn(rng, s[0], s[4], out, out);
    }

    @TearDown
    public void tearDown() {
        x.close();
        weight.close();
        bias.close();
        upstream.close();
    }

    private void step(boolean composed) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor y = composed      // filters [O, C·kH·kW] times each image's columns [C·kH·kW, OH·OW]
                    ? weight.reshape(weight.dim(0), -1)
                            .matmul(x.unfold2d(weight.dim(2), weight.dim(3), 1, 1, padding, padding, 1, 1, 0)
                                    .reshape(x.dim(0), weight.dim(1) * weight.dim(2) * weight.dim(3), -1))
                            .reshape(upstream.dims()).add(bias.reshape(-1, 1, 1))
                    : x.conv2d(weight, bias, 1, 1, padding, padding, 1, 1, 1);
            y.backward(upstream);
        }
        x.setGrad(null);
        weight.setGrad(null);
        bias.setGrad(null);
    }

    @Benchmark
    public void composed() {
        step(true);
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dkiln.conv=im2col"})
    public void im2col() {
        step(false);
    }

    @Benchmark
    public void implicit() {
        step(false);
    }
}

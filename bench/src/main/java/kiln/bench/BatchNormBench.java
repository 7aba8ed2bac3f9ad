package kiln.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import kiln.kernels.cpu.BatchNormKernels;
import kiln.kernels.cpu.Simd;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batch normalisation's passes over {@code [N, C, ...]} as the engine runs them (see BatchNormalization:
 * every pass of a block of channels, block after block), one thread, into buffers allocated once: scalar reference against Vector
 * API ({@code simd}), on the activations of LeNet-5's convolutions ({@code 128x6x28x28},
 * {@code 128x16x10x10}), a ResNet-sized one ({@code 64x64x56x56}) and features ({@code 128x256},
 * BatchNorm1d after a linear layer).
 *
 * <ul>
 *   <li>{@code trainForward}: the two sums of the statistics (x, then x − μ), then y = (x − μ)·scale + β;</li>
 *   <li>{@code backward}: the sums Σg and Σg·(x − μ), then dx.</li>
 * </ul>
 *
 * Memory moved per call ({@link #bytes}): what the op must read and write, x and y forward (8 bytes an
 * element), g, x and dx backward (12): the passes that read x or g a second time find the channel in
 * cache when it fits. GB/s = bytes / time.
 */
@State(Scope.Benchmark)
public class BatchNormBench extends KernelBench {
    /** N x C x trailing dims */
    @Param({"128x6x28x28", "128x16x10x10", "64x64x56x56", "128x256"})
    public String shape;

    @Param({"false", "true"})
    public boolean simd;

    private int batch;
    private int channels;
    private int spatial;
    private Arena arena;
    private MemorySegment x;
    private MemorySegment y;
    private MemorySegment g;
    private MemorySegment dx;
    private float[] zero;
    private float[] mean;
    private float[] scale;
    private float[] shift;
    private float[] gMean;
    private float[] k;

    /** Bytes a call of {@code benchmark} (a method name of this class) must read and write for {@code shape}. */
    public static double bytes(String benchmark, String shape) {
        double elements = Arrays.stream(shape.split("x")).mapToDouble(Double::parseDouble).reduce(1, (a, b) -> a * b);
        return switch (benchmark) {
            case "trainForward" -> 2.0 * Float.BYTES * elements;
            case "backward" -> 3.0 * Float.BYTES * elements;
            default -> throw new IllegalArgumentException("BatchNormBench has no benchmark " + benchmark);
        };
    }

    @Setup
    public void setUp() {
        Simd.setEnabled(simd);
        int[] d = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
        batch = d[0];
        channels = d[1];
        spatial = Arrays.stream(d, 2, d.length).reduce(1, (a, b) -> a * b);
        long elements = (long) batch * channels * spatial;
        arena = Arena.ofConfined();
        x = arena.allocate(elements * Float.BYTES, 64);
        y = arena.allocate(elements * Float.BYTES, 64);
        g = arena.allocate(elements * Float.BYTES, 64);
        dx = arena.allocate(elements * Float.BYTES, 64);
        for (long i = 0; i < elements; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.sin(i * 0.7) + 0.5f);
            g.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.cos(i * 0.3));
        }
        zero = new float[channels];
        mean = new float[channels];
        scale = new float[channels];
        shift = new float[channels];
        gMean = new float[channels];
        k = new float[channels];
        Arrays.fill(mean, 0.5f);
        Arrays.fill(scale, 1.3f);
        Arrays.fill(shift, 0.1f);
        Arrays.fill(gMean, 0.01f);
        Arrays.fill(k, 0.2f);
    }

    @TearDown
    public void tearDown() {
        arena.close();
        Simd.setEnabled(true);
    }

    /** Channels per block, as the engine's tasks take them: about 2¹⁵ elements, so that a block stays in cache between its passes. */
    private int perBlock() {
        return (int) Math.max(1, (1 << 15) / ((long) batch * spatial));
    }

    @Benchmark
    public double trainForward() {
        double[] sum = new double[channels], squares = new double[channels];
        for (int first = 0; first < channels; first += perBlock()) {
            int end = Math.min(channels, first + perBlock());
            BatchNormKernels.sums(sum, squares, x, 0, x, 0, zero, zero, batch, channels, spatial, first, end);
            BatchNormKernels.sums(sum, squares, x, 0, x, 0, mean, mean, batch, channels, spatial, first, end);
            BatchNormKernels.normalize(y, 0, x, 0, mean, scale, shift, batch, channels, spatial, first, end);
        }
        return sum[0] + squares[0];
    }

    @Benchmark
    public double backward() {
        double[] gradSum = new double[channels], gradDot = new double[channels];
        for (int first = 0; first < channels; first += perBlock()) {
            int end = Math.min(channels, first + perBlock());
            BatchNormKernels.sums(gradSum, gradDot, g, 0, x, 0, zero, mean, batch, channels, spatial, first, end);
            BatchNormKernels.inputGradient(dx, 0, g, 0, x, 0, mean, gMean, k, scale, batch, channels, spatial, first, end);
        }
        return gradSum[0] + gradDot[0];
    }
}

package kiln.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import kiln.kernels.cpu.AvgPoolKernels;
import kiln.kernels.cpu.MaxPoolKernels;
import kiln.kernels.cpu.Simd;
import kiln.kernels.cpu.WindowGeometry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * 2×2 pooling with stride 2 of an image batch {@code [N, C, H, W]}, max and average, forward and
 * backward, one thread, the kernels called on the whole batch into buffers allocated once: scalar
 * reference against Vector API ({@code simd}), on LeNet-5's two poolings ({@code 128x6x28x28},
 * {@code 128x16x10x10}) and a ResNet-sized one ({@code 64x64x56x56}).
 *
 * <p>Memory moved per call ({@link #bytes}): a max pooling's forward pass reads x and writes y and
 * the winners (a float and an int per output); its backward pass reads g and the winners and writes
 * dx. An average pooling reads x and writes y, or reads g and writes dx. GB/s = bytes / time.
 */
@State(Scope.Benchmark)
public class PoolBench extends KernelBench {
    /** The window of every benchmark here. */
    public static final WindowGeometry WINDOW = new WindowGeometry(2, 2, 2, 2, 0, 0, 1, 1);

    /** N x C x H x W */
    @Param({"128x6x28x28", "128x16x10x10", "64x64x56x56"})
    public String shape;

    @Param({"false", "true"})
    public boolean simd;

    private int planes;
    private int height;
    private int width;
    private Arena arena;
    private MemorySegment x;
    private MemorySegment y;
    private MemorySegment g;
    private MemorySegment dx;
    private int[] winners;
    private AvgPoolKernels.Axis rows;
    private AvgPoolKernels.Axis columns;

    /** Bytes a call of {@code benchmark} (a method name of this class) reads and writes for {@code shape}. */
    public static double bytes(String benchmark, String shape) {
        int[] d = dims(shape);
        double inputs = (double) d[0] * d[1] * d[2] * d[3];
        double outputs = (double) d[0] * d[1] * WINDOW.outH(d[2]) * WINDOW.outW(d[3]);
        return switch (benchmark) {
            case "maxPoolForward", "maxPoolBackward" -> Float.BYTES * inputs + (Float.BYTES + Integer.BYTES) * outputs;
            case "avgPoolForward", "avgPoolBackward" -> Float.BYTES * (inputs + outputs);
            default -> throw new IllegalArgumentException("PoolBench has no benchmark " + benchmark);
        };
    }

    private static int[] dims(String shape) {
        return Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
    }

    @Setup
    public void setUp() {
        Simd.setEnabled(simd);
        int[] d = dims(shape);
        planes = d[0] * d[1];
        height = d[2];
        width = d[3];
        long inputs = (long) planes * height * width;
        long outputs = (long) planes * WINDOW.outH(height) * WINDOW.outW(width);
        arena = Arena.ofConfined();
        x = arena.allocate(inputs * Float.BYTES, 64);
        dx = arena.allocate(inputs * Float.BYTES, 64);
        y = arena.allocate(outputs * Float.BYTES, 64);
        g = arena.allocate(outputs * Float.BYTES, 64);
        winners = new int[Math.toIntExact(outputs)];
        for (long i = 0; i < inputs; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.sin(i * 0.7));     // maxima all over the windows
        }
        for (long i = 0; i < outputs; i++) {
            g.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.cos(i));
        }
        MaxPoolKernels.forward(x, 0, planes, height, width, WINDOW, y, 0, winners, 0);
        rows = AvgPoolKernels.Axis.sliding(height, WINDOW.kernelH(), WINDOW.strideH(), WINDOW.padH());
        columns = AvgPoolKernels.Axis.sliding(width, WINDOW.kernelW(), WINDOW.strideW(), WINDOW.padW());
    }

    @TearDown
    public void tearDown() {
        arena.close();
        Simd.setEnabled(true);
    }

    @Benchmark
    public void maxPoolForward() {
        MaxPoolKernels.forward(x, 0, planes, height, width, WINDOW, y, 0, winners, 0);
    }

    @Benchmark
    public void maxPoolBackward() {
        MaxPoolKernels.backward(g, 0, winners, 0, planes, height, width, WINDOW, dx, 0);
    }

    @Benchmark
    public void avgPoolForward() {
        AvgPoolKernels.forward(x, 0, planes, height, width, rows, columns, y, 0);
    }

    @Benchmark
    public void avgPoolBackward() {
        AvgPoolKernels.backward(g, 0, planes, height, width, rows, columns, dx, 0);
    }
}

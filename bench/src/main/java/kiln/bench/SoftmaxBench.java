package kiln.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.Simd;
import kiln.kernels.cpu.SoftmaxKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Row softmax of a (rows, cols) block into an existing output: few long rows (256×1024, like
 * attention over 1024 keys) and many short ones (4096×128), scalar reference vs Vector API, 1 and 2
 * threads. Memory moved per call: {@link #BYTES_PER_ELEMENT}·rows·cols (the row's other passes hit
 * the cache).
 */
@State(Scope.Benchmark)
public class SoftmaxBench extends KernelBench {
    /** Reads the input and writes the output once from memory: 2 floats per element. */
    public static final long BYTES_PER_ELEMENT = 2 * Float.BYTES;

    /** rows x cols */
    @Param({"256x1024", "4096x128"})
    public String shape;

    @Param({"false", "true"})
    public boolean simd;

    @Param({"1", "2"})
    public int threads;

    private int rows;
    private int cols;
    private Arena arena;
    private MemorySegment in;
    private MemorySegment out;

    @Setup
    public void setUp() {
        Simd.setEnabled(simd);
        Parallel.setThreads(threads);
        rows = Integer.parseInt(shape.substring(0, shape.indexOf('x')));
        cols = Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
        arena = Arena.ofShared(); // the pool's threads touch the segments: not a confined arena
        in = arena.allocate((long) rows * cols * Float.BYTES, 64);
        out = arena.allocate((long) rows * cols * Float.BYTES, 64);
        for (int i = 0; i < rows * cols; i++) {
            in.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.sin(i) * 4f);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
        Simd.setEnabled(true);
    }

    @Benchmark
    public void softmax() {
        SoftmaxKernels.softmaxRows(out, 0, in, 0, rows, cols);
    }
}

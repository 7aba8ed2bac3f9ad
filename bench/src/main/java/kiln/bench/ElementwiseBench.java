package kiln.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import kiln.kernels.cpu.BinaryKernels;
import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.Simd;
import kiln.kernels.cpu.UnaryKernels;
import kiln.kernels.cpu.UnaryOp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Elementwise kernels over n floats, into an existing output (fresh outputs would measure page
 * faults): {@code out = a + b} and {@code out = exp(a)}, scalar reference vs Vector API, 1 and 2 threads.
 * Memory moved per call: {@link #BYTES_PER_ELEMENT_ADD}·n and {@link #BYTES_PER_ELEMENT_EXP}·n.
 */
@State(Scope.Benchmark)
public class ElementwiseBench extends KernelBench {
    /** add reads a and b and writes out: 3 floats per element. */
    public static final long BYTES_PER_ELEMENT_ADD = 3 * Float.BYTES;
    /** exp reads a and writes out: 2 floats per element. */
    public static final long BYTES_PER_ELEMENT_EXP = 2 * Float.BYTES;

    @Param({"1048576", "16777216"})
    public int n;

    @Param({"false", "true"})
    public boolean simd;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment out;

    @Setup
    public void setUp() {
        Simd.setEnabled(simd);
        Parallel.setThreads(threads);
        arena = Arena.ofShared(); // the pool's threads touch the segments: not a confined arena
        a = arena.allocate((long) n * Float.BYTES, 64);
        b = arena.allocate((long) n * Float.BYTES, 64);
        out = arena.allocate((long) n * Float.BYTES, 64);
        for (int i = 0; i < n; i++) {
            a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 1000) * 0.01f - 5f);
            b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 7) * 0.5f);
            out.setAtIndex(ValueLayout.JAVA_FLOAT, i, 0f);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
        Simd.setEnabled(true);
    }

    @Benchmark
    public void add() {
        BinaryKernels.zip(BinaryOp.ADD, out, 0, a, 0, 1, b, 0, 1, n);
    }

    @Benchmark
    public void exp() {
        UnaryKernels.map(UnaryOp.EXP, out, 0, a, 0, n);
    }
}

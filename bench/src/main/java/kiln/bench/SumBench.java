package kiln.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.ReduceKernels;
import kiln.kernels.cpu.Simd;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The sum of 16M floats (64 MiB, far beyond the caches: a memory-bandwidth test), scalar reference
 * vs Vector API, on 1 and 2 threads. Memory moved per call: {@link #BYTES}. PyTorch on this machine:
 * about 29 GB/s on 1 thread and 46 GB/s on 2 (DESIGN.md, section 8).
 */
@State(Scope.Benchmark)
public class SumBench extends KernelBench {
    public static final int N = 1 << 24;
    /** Bytes read per call: N floats. */
    public static final long BYTES = (long) N * Float.BYTES;

    @Param({"false", "true"})
    public boolean simd;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment in;

    @Setup
    public void setUp() {
        Simd.setEnabled(simd);
        Parallel.setThreads(threads);
        arena = Arena.ofShared(); // the pool's threads touch the segment: not a confined arena
        in = arena.allocate(BYTES, 64);
        for (int i = 0; i < N; i++) {
            in.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 1000) * 0.001f);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
        Simd.setEnabled(true);
    }

    @Benchmark
    public double sum() {
        return ReduceKernels.sum(in, 0, N);
    }
}

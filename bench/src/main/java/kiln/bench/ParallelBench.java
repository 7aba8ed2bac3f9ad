package kiln.bench;

import java.util.concurrent.TimeUnit;
import kiln.kernels.cpu.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What {@link Parallel} costs a kernel: one {@code forEach} of {@code tasks} trivial tasks (each
 * adds to its own counter, a cache line apart) on 2 threads, so the time is the hand-over to the
 * worker and back. A batch-1 inference of the MLP runs two such jobs (its two larger layers) in
 * about 8 µs, so this overhead is paid twice per call.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main ParallelBench
 * </pre>
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ParallelBench extends KernelBench {
    @Param({"2", "8"})
    public int tasks;

    /** One counter per task, 16 ints (a cache line) apart. */
    private int[] counters;

    @Setup
    public void setUp() {
        Parallel.setThreads(2);
        counters = new int[16 * tasks];
    }

    @Benchmark
    public int forkJoin() {
        Parallel.forEach(tasks, t -> counters[16 * t]++);
        return counters[0];
    }
}

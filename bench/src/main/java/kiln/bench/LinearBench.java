package kiln.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.Sgemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One linear layer at batch 1, {@code y = x·Wᵀ + b}, at the MLP 784-256-128-10's shapes: the
 * product that batch-1 inference is made of. W [out, in] is read once per call (784×256: 803 KB,
 * which fits the 1 MB L2 of one Zen 4 core; on 2 threads each core reads its own half), so the
 * fast path runs at the speed of the cache: GB/s = 4·in·out bytes / time. Rungs: the scalar
 * reference, then Kiln's kernel ({@code GemmDirect.rowDots}: dot products 8 columns at a time, lane
 * totals by {@code LaneSums}) on 1 thread and on 2 (one fork-join per call).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main LinearBench
 * </pre>
 */
public class LinearBench extends KernelBench {

    /** x [1, in], W [out, in], b [out] and y [1, out], random, in native memory. */
    @State(Scope.Benchmark)
    public abstract static class Layer {
        @Param({"784x256", "256x128"})
        public String shape;

        int in, out;
        Arena arena;
        MemorySegment x, w, b, y;

        void allocate(int threads) {
            String[] sizes = shape.split("x");
            in = Integer.parseInt(sizes[0]);
            out = Integer.parseInt(sizes[1]);
            Parallel.setThreads(threads);
            arena = Arena.ofShared();    // the pool's threads read the operands: not a confined arena
            x = random(in, 1);
            w = random((long) out * in, 2);
            b = random(out, 3);
            y = arena.allocate((long) out * Float.BYTES, 64);
        }

        private MemorySegment random(long count, long seed) {
            MemorySegment segment = arena.allocate(count * Float.BYTES, 64);
            SplittableRandom random = new SplittableRandom(seed);
            for (long i = 0; i < count; i++) {
                segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextDouble(-1, 1));
            }
            return segment;
        }

        @TearDown
        public void tearDown() {
            arena.close();
        }
    }

    public static class OneThread extends Layer {
        @Setup
        public void setUp() {
            allocate(1);
        }
    }

    public static class TwoThreads extends Layer {
        @Setup
        public void setUp() {
            allocate(2);
        }
    }

    private static MemorySegment linear(Layer s) {
        Sgemm.sgemm(s.y, 0, s.out, s.x, 0, s.in, 1, s.w, 0, 1, s.in, 1, s.out, s.in, false, s.b, 0, false);
        return s.y;
    }

    @Benchmark
    public MemorySegment scalarReference(OneThread s) {
        Sgemm.sgemmReference(s.y, 0, s.out, s.x, 0, s.in, 1, s.w, 0, 1, s.in, 1, s.out, s.in, false, s.b, 0, false);
        return s.y;
    }

    @Benchmark
    public MemorySegment kiln(OneThread s) {
        return linear(s);
    }

    @Benchmark
    public MemorySegment kiln2Threads(TwoThreads s) {
        return linear(s);
    }
}

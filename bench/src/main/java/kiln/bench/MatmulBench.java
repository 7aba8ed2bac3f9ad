package kiln.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.Sgemm;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Square float32 matrix multiply C = A·B (N×N, row-major), 2·N³ floating-point operations per call:
 * the scalar reference (N ≤ 256 only: it runs at about 1 GFLOP/s), Kiln's packed Vector API SGEMM on
 * 1 thread and on 2, and EJML's {@code CommonOps_FDRM.mult} (single-threaded) as the Java peer.
 * Measured side by side on a Zen 4 core (Java FMA ceiling 117 GFLOP/s, PeakBench) at N = 1024: Kiln
 * about 100 GFLOP/s, OpenBLAS through NumPy on 1 thread about 100, EJML about 7.
 *
 * <pre>
 * ./kiln build && java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main 'MatmulBench.(kiln|ejml)' -p n=1024
 * </pre>
 * ({@code -p n=...} sets n for every method: leave the scalar reference out of such a run, as above,
 * or it takes about a second per call at N = 1024.)
 */
public class MatmulBench extends KernelBench {

    /** Random N×N operands A, B and an output C, in native memory (for Kiln) and in EJML matrices. */
    @State(Scope.Benchmark)
    public abstract static class Operands {
        int size;
        Arena arena;
        MemorySegment a, b, c;
        FMatrixRMaj ma, mb, mc;

        void allocate(int n, int threads) {
            size = n;
            Parallel.setThreads(threads);
            arena = Arena.ofShared();  // the pool's threads read the operands: not a confined arena
            long bytes = (long) n * n * Float.BYTES;
            a = arena.allocate(bytes, 64);
            b = arena.allocate(bytes, 64);
            c = arena.allocate(bytes, 64);
            ma = new FMatrixRMaj(n, n);
            mb = new FMatrixRMaj(n, n);
            mc = new FMatrixRMaj(n, n);
            SplittableRandom rng = new SplittableRandom(42);
            for (int i = 0; i < n * n; i++) {
                float x = (float) rng.nextDouble(-1, 1), y = (float) rng.nextDouble(-1, 1);
                a.setAtIndex(ValueLayout.JAVA_FLOAT, i, x);
                b.setAtIndex(ValueLayout.JAVA_FLOAT, i, y);
                ma.data[i] = x;
                mb.data[i] = y;
            }
        }

        @TearDown
        public void tearDown() {
            arena.close();
        }
    }

    /** One thread, every size. */
    public static class Square extends Operands {
        @Param({"128", "256", "512", "1024"})
        public int n;

        @Setup
        public void setUp() {
            allocate(n, 1);
        }
    }

    /** The scalar reference: small sizes only (N = 1024 would take about 2 s per call). */
    public static class Small extends Operands {
        @Param({"128", "256"})
        public int n;

        @Setup
        public void setUp() {
            allocate(n, 1);
        }
    }

    /** Both cores on the largest size. */
    public static class TwoThreads extends Operands {
        @Param({"1024"})
        public int n;

        @Param({"2"})
        public int threads;

        @Setup
        public void setUp() {
            allocate(n, threads);
        }
    }

    private static void multiply(Operands s) {
        int n = s.size;
        Sgemm.sgemm(s.c, 0, n, s.a, 0, n, 1, s.b, 0, n, 1, n, n, n, false);
    }

    @Benchmark
    public void scalarReference(Small s) {
        int n = s.size;
        Sgemm.sgemmReference(s.c, 0, n, s.a, 0, n, 1, s.b, 0, n, 1, n, n, n, false);
    }

    @Benchmark
    public void kiln(Square s) {
        multiply(s);
    }

    @Benchmark
    public void kiln2Threads(TwoThreads s) {
        multiply(s);
    }

    @Benchmark
    public FMatrixRMaj ejml(Square s) {
        CommonOps_FDRM.mult(s.ma, s.mb, s.mc);
        return s.mc;
    }
}

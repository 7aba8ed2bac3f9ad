package kiln.bench;


import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * This machine's float32 FMA ceiling as Java reaches it: twelve independent chains of vector FMAs,
 * enough to hide the FMA latency (4 cycles × 2 units = 8 in flight, plus margin), nothing loaded from
 * memory. Every other GFLOP/s figure in the report is quoted as a fraction of this one.
 * Work per call: {@link #FLOPS} floating-point operations (an FMA counts as two).
 */
@State(Scope.Thread)
public class PeakBench extends KernelBench {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int STEPS = 100_000;
    private static final int CHAINS = 12;
    /** Floating-point operations per call: chains × steps × lanes × 2. */
    public static final long FLOPS = 2L * CHAINS * STEPS * SPECIES.length();

    private final FloatVector scale = FloatVector.broadcast(SPECIES, 0.999999f);
    private final FloatVector shift = FloatVector.broadcast(SPECIES, 1e-7f);

    private float run() {
        FloatVector c0 = FloatVector.broadcast(SPECIES, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        FloatVector a = scale;
        FloatVector b = shift;
        for (int step = 0; step < STEPS; step++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** One core. */
    @Benchmark
    @Threads(1)
    public float fma1Thread() {
        return run();
    }

    /** Both cores, one chain set each: the two-core ceiling (work per call and thread is {@link #FLOPS}). */
    @Benchmark
    @Threads(2)
    public float fma2Threads() {
        return run();
    }
}

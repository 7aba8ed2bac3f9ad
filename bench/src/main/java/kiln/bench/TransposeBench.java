package kiln.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import kiln.kernels.cpu.BlockTranspose;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The transpose that SGEMM's packing does for a row-major A or a linear layer's weights: here a
 * whole 1024×784 matrix (the MLP's batch-1024 input) written transposed, L×L blocks at a time, one
 * thread, by the scalar reference and by {@link BlockTranspose}'s vector shuffles ({@code simd}).
 * Memory moved per call: the matrix read and written once, 2 × 3.2 MB; GB/s = that / time.
 */
@State(Scope.Benchmark)
public class TransposeBench extends KernelBench {
    static final int ROWS = 1024, COLS = 784, L = FloatVector.SPECIES_PREFERRED.length();

    @Param({"false", "true"})
    public boolean simd;

    private Arena arena;
    private MemorySegment matrix;
    private MemorySegment transposed;

    @Setup
    public void setUp() {
        arena = Arena.ofConfined();
        matrix = arena.allocate((long) ROWS * COLS * Float.BYTES, 64);
        transposed = arena.allocate((long) ROWS * COLS * Float.BYTES, 64);
        for (long i = 0; i < (long) ROWS * COLS; i++) {
            matrix.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 1000);
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** transposed[c][r] = matrix[r][c], block by block: L rows of the matrix become L-wide pieces of L rows of the result. */
    @Benchmark
    public MemorySegment transpose() {
        for (int r0 = 0; r0 < ROWS; r0 += L) {
            int lines = Math.min(L, ROWS - r0);
            for (int c0 = 0; c0 < COLS; c0 += L) {
                int len = Math.min(L, COLS - c0);
                long from = (long) r0 * COLS + c0, to = (long) c0 * ROWS + r0;
                if (simd) {
                    BlockTranspose.transpose(matrix, from, COLS, lines, len, transposed, to, ROWS, lines);
                } else {
                    BlockTranspose.transposeReference(matrix, from, COLS, lines, len, transposed, to, ROWS, lines);
                }
            }
        }
        return transposed;
    }
}

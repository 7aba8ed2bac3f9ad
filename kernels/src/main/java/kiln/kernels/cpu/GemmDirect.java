package kiln.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The unpacked paths of {@link Sgemm}: register-blocked kernels that read A and B where they lie.
 *
 * <p>Why not always pack? Packing copies all of A and B into the order the micro-kernel reads them,
 * which pays off when each packed value is used many times and when rows of a large matrix, 4 KiB
 * apart, would fight over the same cache sets. The products of a training step are small (a linear
 * layer at batch 128: M = 128, N = 256, K = 784) and most operands arrive transposed: packing a
 * transposed operand is a gather that costs, per value, about a third of the arithmetic that
 * value then feeds. On this machine the 512-bit FMAs run at one per cycle, so a micro-kernel has 24
 * cycles per step of p for its 14 loads: there is room to read operands in place.
 *
 * <p>Three layouts, one kernel each (the names say how the two operands lie in memory):
 * <ul>
 *   <li><b>A by columns, B by rows</b> ({@code A = Xᵀ}, a weight gradient {@code dYᵀ·X}): the 12
 *       values of A that one step of p needs lie side by side, as in a packed sliver; the
 *       {@link Sgemm#microKernel micro-kernel} reads them with a step of {@code aColStride}.</li>
 *   <li><b>A by rows, B by rows</b> (the plain product, an input gradient {@code dY·W}):
 *       {@link #rowsKernel} broadcasts from 12 rows of A, each read along p.</li>
 *   <li><b>A by rows, B by columns</b> ({@code X·Wᵀ}, a linear layer's forward pass):
 *       every C[i, j] is a dot product of two contiguous rows; {@link #dotKernel} computes a 4×4
 *       block of them at once, 16 lanes of p at a time, and adds the lanes up at the end ({@link LaneSums}).</li>
 * </ul>
 *
 * <p>Work is split into tiles of C whose bounds depend on the sizes only, so the result is the same
 * whatever the number of threads; every C[i, j] sums over p in order in one task.
 */
final class GemmDirect {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long BYTES = Float.BYTES;

    private static final int MR = Sgemm.MR, NR = Sgemm.NR;
    /** The rows of {@link #rowsKernel}'s block (its columns are NR, as the micro-kernel's). */
    static final int ROWS_KERNEL = 12;
    /** One task's tile of C in the broadcast layouts: 48 rows (4 or 8 blocks of rows) by 2 columns of slivers. */
    static final int TILE_M = 48, TILE_N = 2 * NR;
    /** The dot kernel's block of C, and one task's tile in that layout. */
    static final int DOT = 4, DOT_TILE_M = 16, DOT_TILE_N = 64;
    /** Columns per task of {@link #rowDots}. */
    static final int ROW_TILE = 64;

    private GemmDirect() {}

    /**
     * C (+)= A·B with B's rows contiguous ({@code bColStride = 1}) and A contiguous along one of its
     * axes: by columns ({@code aRowStride = 1}) or by rows ({@code aColStride = 1}).
     */
    static void broadcast(MemorySegment c, long cOff, long ldc,
                          MemorySegment a, long aOff, long aRowStride, long aColStride,
                          MemorySegment b, long bOff, long bRowStride,
                          int m, int n, int k, boolean accumulate, MemorySegment bias, long biasOff, boolean relu, boolean parallel) {
        int tilesM = ceilDiv(m, TILE_M), tilesN = ceilDiv(n, TILE_N);
        boolean aByColumns = aRowStride == 1;
        Sgemm.forEach(parallel, tilesM * tilesN, t -> {
            Scratch scratch = SCRATCH.get();
            int i0 = (t % tilesM) * TILE_M, j0 = (t / tilesM) * TILE_N;
            int i1 = Math.min(m, i0 + TILE_M), j1 = Math.min(n, j0 + TILE_N);
            int rowStep = aByColumns ? MR : ROWS_KERNEL;
            for (int jr = j0; jr < j1; jr += NR) {
                int nr = Math.min(NR, j1 - jr);
                // A sliver cut short by the right edge would read past the rows of B: it is copied,
                // zero-padded, into a packed sliver first.
                MemorySegment bs = b;
                long bAt = bOff + jr, bStep = bRowStride;
                if (nr < NR) {
                    bs = scratch.edgeB(k);
                    Sgemm.packSlivers(bs, b, bAt, 1, bRowStride, NR, nr, k, 0);
                    bAt = 0;
                    bStep = NR;
                }
                for (int ir = i0; ir < i1; ir += rowStep) {
                    int mr = Math.min(rowStep, i1 - ir);
                    long aAt = aOff + ir * aRowStride;
                    float[] tile = scratch.tile;
                    if (aByColumns && mr == MR) {
                        Sgemm.microKernel(tile, a, aAt, aColStride, bs, bAt, bStep, k);
                    } else if (aByColumns) {
                        MemorySegment edge = scratch.edgeA(k);
                        Sgemm.packSlivers(edge, a, aAt, 1, aColStride, MR, mr, k, 0);
                        Sgemm.microKernel(tile, edge, 0, MR, bs, bAt, bStep, k);
                    } else {
                        rowsKernel(tile, a, aAt, aRowStride, mr, bs, bAt, bStep, k);
                    }
                    Sgemm.writeTile(c, cOff + ir * ldc + jr, ldc, tile, mr, nr, accumulate, bias, biasOff + jr, relu);
                }
            }
        });
    }

    /**
     * The micro-kernel for an A read by rows: {@code tile[r][j] = Σ_p A[r, p] · B[p, j]} for the
     * {@code rows} (at most 12) rows of A from {@code aAt}, {@code lda} apart, and the NR columns of B
     * from {@code bAt}, rows {@code bStep} apart. Rows past {@code rows} repeat the last one, so that
     * nothing is read outside A; their sums are not written back.
     */
    static void rowsKernel(float[] tile, MemorySegment a, long aAt, long lda, int rows,
                           MemorySegment b, long bAt, long bStep, int kc) {
        long r0 = aAt * BYTES, ldaBytes = lda * BYTES;
        long r1 = r0 + Math.min(1, rows - 1) * ldaBytes, r2 = r0 + Math.min(2, rows - 1) * ldaBytes,
                r3 = r0 + Math.min(3, rows - 1) * ldaBytes, r4 = r0 + Math.min(4, rows - 1) * ldaBytes,
                r5 = r0 + Math.min(5, rows - 1) * ldaBytes, r6 = r0 + Math.min(6, rows - 1) * ldaBytes,
                r7 = r0 + Math.min(7, rows - 1) * ldaBytes, r8 = r0 + Math.min(8, rows - 1) * ldaBytes,
                r9 = r0 + Math.min(9, rows - 1) * ldaBytes, r10 = r0 + Math.min(10, rows - 1) * ldaBytes,
                r11 = r0 + Math.min(11, rows - 1) * ldaBytes;
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
                c70 = c00, c71 = c00, c80 = c00, c81 = c00, c90 = c00, c91 = c00, ca0 = c00, ca1 = c00,
                cb0 = c00, cb1 = c00;
        long bp = bAt * BYTES, bStepBytes = bStep * BYTES, vec = L * BYTES;
        for (long p = 0; p < (long) kc * BYTES; p += BYTES, bp += bStepBytes) {
            FloatVector b0 = FloatVector.fromMemorySegment(SPECIES, b, bp, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(SPECIES, b, bp + vec, ORDER);
            FloatVector x;
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r0 + p));  c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r1 + p));  c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r2 + p));  c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r3 + p));  c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r4 + p));  c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r5 + p));  c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r6 + p));  c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r7 + p));  c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r8 + p));  c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r9 + p));  c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r10 + p)); ca0 = x.fma(b0, ca0); ca1 = x.fma(b1, ca1);
            x = FloatVector.broadcast(SPECIES, a.get(FLOAT, r11 + p)); cb0 = x.fma(b0, cb0); cb1 = x.fma(b1, cb1);
        }
        c00.intoArray(tile, 0 * NR);  c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);  c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);  c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);  c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);  c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);  c51.intoArray(tile, 5 * NR + L);
        c60.intoArray(tile, 6 * NR);  c61.intoArray(tile, 6 * NR + L);
        c70.intoArray(tile, 7 * NR);  c71.intoArray(tile, 7 * NR + L);
        c80.intoArray(tile, 8 * NR);  c81.intoArray(tile, 8 * NR + L);
        c90.intoArray(tile, 9 * NR);  c91.intoArray(tile, 9 * NR + L);
        ca0.intoArray(tile, 10 * NR); ca1.intoArray(tile, 10 * NR + L);
        cb0.intoArray(tile, 11 * NR); cb1.intoArray(tile, 11 * NR + L);
    }

    /**
     * C (+)= A·B for A by rows ({@code aColStride = 1}) and B by columns ({@code bRowStride = 1}):
     * {@code C[i, j] = Σ_p A[i, p] · B[p, j]}, a dot product of row i of A and column j of B, both
     * contiguous. Blocks of 4×4, each from {@link #dotKernel}.
     */
    static void dots(MemorySegment c, long cOff, long ldc,
                     MemorySegment a, long aOff, long lda,
                     MemorySegment b, long bOff, long ldb,
                     int m, int n, int k, boolean accumulate, MemorySegment bias, long biasOff, boolean relu, boolean parallel) {
        int tilesM = ceilDiv(m, DOT_TILE_M), tilesN = ceilDiv(n, DOT_TILE_N);
        Sgemm.forEach(parallel, tilesM * tilesN, t -> {
            float[] lanes = SCRATCH.get().tile;
            int i0 = (t % tilesM) * DOT_TILE_M, j0 = (t / tilesM) * DOT_TILE_N;
            int i1 = Math.min(m, i0 + DOT_TILE_M), j1 = Math.min(n, j0 + DOT_TILE_N);
            for (int jr = j0; jr < j1; jr += DOT) {
                int nr = Math.min(DOT, j1 - jr);
                for (int ir = i0; ir < i1; ir += DOT) {
                    int mr = Math.min(DOT, i1 - ir);
                    dotKernel(lanes, a, aOff + ir * lda, lda, mr, b, bOff + jr * ldb, ldb, nr, k);
                    LaneSums.reduce(lanes, DOT * DOT);
                    for (int r = 0; r < mr; r++) {
                        for (int q = 0; q < nr; q++) {
                            long at = cOff + (ir + r) * ldc + jr + q;
                            store(c, at, lanes[LaneSums.OF_16[r * DOT + q]], accumulate, bias, biasOff + jr + q, relu);
                        }
                    }
                }
            }
        });
    }

    /**
     * Sixteen dot products at once: for r, q < 4, the L lanes of {@code Σ_p A[r, p] · B[q, p]} (lane
     * l summing the p with p mod L = l) go to {@code lanes[(4r + q)·L ..]}. Rows of A from
     * {@code aAt}, {@code lda} apart, and of B (the columns of the product's B) from {@code bAt},
     * {@code ldb} apart; rows past {@code aRows} or {@code bRows} repeat the last one, so that nothing
     * is read outside the operands. Each step of p loads 8 vectors for 16 fused multiply-adds; the
     * last, partial one is {@link #addLastStep}'s.
     */
    static void dotKernel(float[] lanes, MemorySegment a, long aAt, long lda, int aRows,
                          MemorySegment b, long bAt, long ldb, int bRows, int k) {
        long a0 = aAt * BYTES, a1 = a0 + Math.min(1, aRows - 1) * lda * BYTES,
                a2 = a0 + Math.min(2, aRows - 1) * lda * BYTES, a3 = a0 + Math.min(3, aRows - 1) * lda * BYTES;
        long b0 = bAt * BYTES, b1 = b0 + Math.min(1, bRows - 1) * ldb * BYTES,
                b2 = b0 + Math.min(2, bRows - 1) * ldb * BYTES, b3 = b0 + Math.min(3, bRows - 1) * ldb * BYTES;
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00,
                s13 = s00, s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        int p = 0;
        for (; p <= k - L; p += L) {
            long at = p * BYTES;
            FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, a, a0 + at, ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, a, a1 + at, ORDER);
            FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, a, a2 + at, ORDER);
            FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, a, a3 + at, ORDER);
            FloatVector y = FloatVector.fromMemorySegment(SPECIES, b, b0 + at, ORDER);
            s00 = x0.fma(y, s00); s10 = x1.fma(y, s10); s20 = x2.fma(y, s20); s30 = x3.fma(y, s30);
            y = FloatVector.fromMemorySegment(SPECIES, b, b1 + at, ORDER);
            s01 = x0.fma(y, s01); s11 = x1.fma(y, s11); s21 = x2.fma(y, s21); s31 = x3.fma(y, s31);
            y = FloatVector.fromMemorySegment(SPECIES, b, b2 + at, ORDER);
            s02 = x0.fma(y, s02); s12 = x1.fma(y, s12); s22 = x2.fma(y, s22); s32 = x3.fma(y, s32);
            y = FloatVector.fromMemorySegment(SPECIES, b, b3 + at, ORDER);
            s03 = x0.fma(y, s03); s13 = x1.fma(y, s13); s23 = x2.fma(y, s23); s33 = x3.fma(y, s33);
        }
        s00.intoArray(lanes, 0);      s01.intoArray(lanes, L);      s02.intoArray(lanes, 2 * L);  s03.intoArray(lanes, 3 * L);
        s10.intoArray(lanes, 4 * L);  s11.intoArray(lanes, 5 * L);  s12.intoArray(lanes, 6 * L);  s13.intoArray(lanes, 7 * L);
        s20.intoArray(lanes, 8 * L);  s21.intoArray(lanes, 9 * L);  s22.intoArray(lanes, 10 * L); s23.intoArray(lanes, 11 * L);
        s30.intoArray(lanes, 12 * L); s31.intoArray(lanes, 13 * L); s32.intoArray(lanes, 14 * L); s33.intoArray(lanes, 15 * L);
        if (p < k) {
            addLastStep(lanes, a, aAt, lda, aRows, DOT, b, bAt, ldb, bRows, DOT, p, k);
        }
    }

    /**
     * {@link #dots} for a C of very few rows (a batch of one through a linear layer): each row of A
     * against 8 columns of B at a time ({@link #rowKernel}), which shares each load of A among 8
     * sums instead of repeating the row to fill a 4×4 block. Tasks of ROW_TILE columns.
     */
    static void rowDots(MemorySegment c, long cOff, long ldc,
                        MemorySegment a, long aOff, long lda,
                        MemorySegment b, long bOff, long ldb,
                        int m, int n, int k, boolean accumulate, MemorySegment bias, long biasOff, boolean relu, boolean parallel) {
        int tiles = ceilDiv(n, ROW_TILE);
        Sgemm.forEach(parallel, tiles * m, t -> {
            float[] lanes = SCRATCH.get().tile;
            int i = t / tiles, j0 = (t % tiles) * ROW_TILE, j1 = Math.min(n, j0 + ROW_TILE);
            for (int jr = j0; jr < j1; jr += 8) {
                int nr = Math.min(8, j1 - jr);
                rowKernel(lanes, a, aOff + i * lda, b, bOff + jr * ldb, ldb, nr, k);
                LaneSums.reduce(lanes, 8);
                for (int q = 0; q < nr; q++) {
                    long at = cOff + i * ldc + jr + q;
                    store(c, at, lanes[LaneSums.OF_8[q]], accumulate, bias, biasOff + jr + q, relu);
                }
            }
        });
    }

    /**
     * Eight dot products of one row of A (from {@code aAt}) with rows of B (from {@code bAt},
     * {@code ldb} apart; rows past {@code bRows} repeat the last one): the L lanes of sum q go to
     * {@code lanes[q·L ..]}. The last, partial step of p is {@link #addLastStep}'s.
     */
    static void rowKernel(float[] lanes, MemorySegment a, long aAt, MemorySegment b, long bAt, long ldb, int bRows, int k) {
        long a0 = aAt * BYTES, step = ldb * BYTES, b0 = bAt * BYTES;
        long b1 = b0 + Math.min(1, bRows - 1) * step, b2 = b0 + Math.min(2, bRows - 1) * step,
                b3 = b0 + Math.min(3, bRows - 1) * step, b4 = b0 + Math.min(4, bRows - 1) * step,
                b5 = b0 + Math.min(5, bRows - 1) * step, b6 = b0 + Math.min(6, bRows - 1) * step,
                b7 = b0 + Math.min(7, bRows - 1) * step;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        int p = 0;
        for (; p <= k - L; p += L) {
            long at = p * BYTES;
            FloatVector x = FloatVector.fromMemorySegment(SPECIES, a, a0 + at, ORDER);
            s0 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b0 + at, ORDER), s0);
            s1 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b1 + at, ORDER), s1);
            s2 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b2 + at, ORDER), s2);
            s3 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b3 + at, ORDER), s3);
            s4 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b4 + at, ORDER), s4);
            s5 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b5 + at, ORDER), s5);
            s6 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b6 + at, ORDER), s6);
            s7 = x.fma(FloatVector.fromMemorySegment(SPECIES, b, b7 + at, ORDER), s7);
        }
        s0.intoArray(lanes, 0);     s1.intoArray(lanes, L);     s2.intoArray(lanes, 2 * L); s3.intoArray(lanes, 3 * L);
        s4.intoArray(lanes, 4 * L); s5.intoArray(lanes, 5 * L); s6.intoArray(lanes, 6 * L); s7.intoArray(lanes, 7 * L);
        if (p < k) {
            addLastStep(lanes, a, aAt, 0, 1, 1, b, bAt, ldb, bRows, 8, p, k);
        }
    }

    /**
     * The last, partial step of p (from {@code p} to {@code k < p + L}) of {@link #dotKernel} or
     * {@link #rowKernel}: for each of {@code tileRows} rows r of A and {@code tileCols} rows q of B,
     * {@code lanes[(r·tileCols + q)·L ..]} gains the masked products, lane by lane as the kernel's
     * own loop would have added them (the same fused multiply-add, so the same bits).
     *
     * <p>Why a method of its own, and a loop? Before C2 compiles a kernel, C1 compiles it with
     * profiling, inlining the whole of every Vector API call: a kernel with a dozen masked loads
     * beside its main loop ran C1 out of virtual registers, and a method C1 gave up on can stay in
     * slow, non-vectorized code for the rest of the run (seen: an MLP epoch 8× slower). Kept apart
     * and looped, the masked loads are two call sites.
     */
    private static void addLastStep(float[] lanes, MemorySegment a, long aAt, long lda, int aRows, int tileRows,
                                    MemorySegment b, long bAt, long ldb, int bRows, int tileCols, int p, int k) {
        VectorMask<Float> valid = SPECIES.indexInRange(p, k);
        for (int r = 0; r < tileRows; r++) {
            long aRow = aAt + Math.min(r, aRows - 1) * lda;
            FloatVector x = FloatVector.fromMemorySegment(SPECIES, a, (aRow + p) * BYTES, ORDER, valid);
            for (int q = 0; q < tileCols; q++) {
                long bRow = bAt + Math.min(q, bRows - 1) * ldb;
                FloatVector y = FloatVector.fromMemorySegment(SPECIES, b, (bRow + p) * BYTES, ORDER, valid);
                int at = (r * tileCols + q) * L;
                x.fma(y, FloatVector.fromArray(SPECIES, lanes, at)).intoArray(lanes, at);
            }
        }
    }

    /** The epilogue of one dot product, as {@link Sgemm#writeTile}'s: {@code c[at] = f((accumulate ? c[at] : 0) + sum + bias[biasAt])}. */
    private static void store(MemorySegment c, long at, float sum, boolean accumulate, MemorySegment bias, long biasAt, boolean relu) {
        float value = accumulate ? c.getAtIndex(FLOAT, at) + sum : sum;
        value = bias != null ? value + bias.getAtIndex(FLOAT, biasAt) : value;
        c.setAtIndex(FLOAT, at, relu ? Math.max(value, 0f) : value);
    }

    /** A thread's scratch: the micro-kernel's result tile and zero-padded copies of edge slivers. */
    private static final class Scratch {
        final float[] tile = new float[Math.max(ROWS_KERNEL * NR, DOT * DOT * L)];
        private MemorySegment edgeA = MemorySegment.NULL, edgeB = MemorySegment.NULL;

        MemorySegment edgeA(int k) {
            return edgeA = Sgemm.atLeast(edgeA, (long) MR * k);
        }

        MemorySegment edgeB(int k) {
            return edgeB = Sgemm.atLeast(edgeB, (long) NR * k);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}

package kiln.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision general matrix multiply (SGEMM): {@code C = A·B}, or {@code C += A·B}.
 *
 * <p>Shapes: A is M×K, B is K×N, C is M×N. Element (i, p) of A is {@code a[aOff + i·aRowStride +
 * p·aColStride]}, element (p, j) of B is {@code b[bOff + p·bRowStride + j·bColStride]}, element
 * (i, j) of C is {@code c[cOff + i·ldc + j]}. Offsets and strides count floats, not bytes. Any
 * non-negative strides are allowed, so a transposed view (e.g. {@code aRowStride = 1, aColStride =
 * M}) needs no copy. Segments are native, native byte order.
 *
 * <h2>The fast path, in the order of BLIS (Goto and van de Geijn)</h2>
 *
 * <pre>
 * for jc in 0..N step NC                  B panel (KC×NC, packed, shared by all threads)  → L3
 *   for pc in 0..K step KC                the K range of this rank-KC update
 *     for ic in 0..M step MC              A block (MC×KC, packed, shared by all threads)  → L3
 *       pack the A block (and, once per pc, the B panel), in parallel
 *       parallel for each TM×TN tile of C:    one task; A rows of the tile (TM×KC)         → L2
 *         for jr in tile step NR            B sliver (KC×NR)                               → L1/L2
 *           for ir in tile step MR          A sliver (MR×KC)
 *             micro-kernel: MR×NR block of C += A sliver · B sliver, in registers
 * </pre>
 *
 * <p>The micro-kernel keeps a 12×32 block of C in 24 vector registers (of the 32 that AVX-512
 * has), and for each p loads 2 vectors of B and broadcasts 12 values of A: 24 fused multiply-adds
 * for 14 loads. Packing copies A and B into the exact order the micro-kernel reads them (A by
 * columns of 12, B by rows of 32, zero-padded at the edges), so its loads are sequential and
 * aligned, whatever the strides of the caller. Block sizes, for this machine's caches (L1d 32 KiB,
 * L2 1 MiB per core, L3 32 MiB shared): KC = 512 keeps a tile's A rows (96×512 floats = 192 KiB)
 * and the B sliver (64 KiB) in L2, and makes C a read-modify-write only once per 512 of K; MC and
 * NC bound the packed buffers (≤ 4 MiB each).
 *
 * <p>Determinism: every element of C is computed by exactly one task, summing over K in the same
 * order (pc blocks in turn, p within a block); tasks and blocks depend on M, N and K only. So the
 * result is bit-identical whatever the number of threads. It differs from the scalar reference by
 * rounding only (different summation order and fused multiply-adds).
 */
public final class Sgemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long BYTES = Float.BYTES, VEC = L * BYTES, ROW = 2 * VEC;

    /** Micro-kernel: MR rows by NR columns of C in registers (12×32 with 512-bit vectors). */
    static final int MR = 12, NR = 2 * L;
    /** Cache blocks (see the class comment). */
    static final int KC = Integer.getInteger("sg.kc", 512), MC = 1024, NC = 2048;
    /** One parallel task computes a TM×TN tile of C. */
    static final int TM = Integer.getInteger("sg.tm", 8) * MR, TN = Integer.getInteger("sg.tn", 4) * NR;
    /** Slivers packed per parallel packing task. */
    private static final int PACK_GRAIN = 8, CHUNK = 64;
    static final boolean ORD = Boolean.getBoolean("sg.ord");

    private Sgemm() {}

    /**
     * {@code C = A·B} (or {@code C += A·B} when {@code accumulate}): {@code C[i,j] = Σ_p A[i,p]·B[p,j]}
     * for i < M, j < N, p < K. The fast path; {@code -Dkiln.simd=false} routes to {@link #sgemmReference}.
     */
    public static void sgemm(MemorySegment c, long cOff, long ldc,
                             MemorySegment a, long aOff, long aRowStride, long aColStride,
                             MemorySegment b, long bOff, long bRowStride, long bColStride,
                             int m, int n, int k, boolean accumulate) {
        checkArguments(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k);
        if (!Simd.enabled()) {
            sgemmReference(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k, accumulate);
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    c.asSlice((cOff + i * ldc) * BYTES, n * BYTES).fill((byte) 0);
                }
            }
            return;
        }
        Workspace ws = WORKSPACE.get();
        int kBlocks = ceilDiv(k, KC), kcMax = ceilDiv(k, kBlocks);  // balanced: K = 513 gives 257 + 256
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), bSlivers = ceilDiv(nc, NR);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = accumulate || pc > 0;
                MemorySegment bPack = ws.packedB((long) bSlivers * NR * kc);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic), aSlivers = ceilDiv(mc, MR);
                    MemorySegment aPack = ws.packedA((long) aSlivers * MR * kc);
                    // Packing: tasks [0, aTasks) pack A slivers, the rest (first ic block only) B slivers.
                    long aAt = aOff + ic * aRowStride + pc * aColStride, bAt = bOff + pc * bRowStride + jc * bColStride;
                    int aTasks = Parallel.tasks(aSlivers, PACK_GRAIN), bTasks = ic == 0 ? Parallel.tasks(bSlivers, PACK_GRAIN) : 0;
                    Parallel.forEach(aTasks + bTasks, t -> {
                        if (t < aTasks) {
                            packSlivers(aPack, a, aAt, aRowStride, aColStride, MR, mc, kc, t * PACK_GRAIN);
                        } else {
                            packSlivers(bPack, b, bAt, bColStride, bRowStride, NR, nc, kc, (t - aTasks) * PACK_GRAIN);
                        }
                    });
                    long cAt = cOff + ic * ldc + jc;
                    int tilesM = ceilDiv(mc, TM), tilesN = ceilDiv(nc, TN);
                    Parallel.forEach(tilesM * tilesN, t -> {
                        int i0 = (t % tilesM) * TM, j0 = (t / tilesM) * TN;
                        MemorySegment tile = TILE.get();
                        if (ORD) {
                        for (int ir = i0; ir < Math.min(mc, i0 + TM); ir += MR) {
                            for (int jr = j0; jr < Math.min(nc, j0 + TN); jr += NR) {
                                microKernel(tile, aPack, (long) ir * kc, bPack, (long) jr * kc, kc);
                                writeTile(c, cAt + ir * ldc + jr, ldc, tile, Math.min(MR, mc - ir), Math.min(NR, nc - jr), add);
                            }
                        }
                        } else {
                        for (int jr = j0; jr < Math.min(nc, j0 + TN); jr += NR) {
                            for (int ir = i0; ir < Math.min(mc, i0 + TM); ir += MR) {
                                microKernel(tile, aPack, (long) ir * kc, bPack, (long) jr * kc, kc);
                                writeTile(c, cAt + ir * ldc + jr, ldc, tile, Math.min(MR, mc - ir), Math.min(NR, nc - jr), add);
                            }
                        }
                        }
                    });
                }
            }
        }
    }

    /**
     * Packs slivers {@code first} to {@code first + PACK_GRAIN - 1} of a block of {@code extent} lines
     * (rows of A, or columns of B) of {@code kc} values into {@code dst}: sliver s holds, for p = 0..kc-1
     * in turn, the {@code w} values {@code src[at + (s·w + r)·across + p·along]}, r = 0..w-1, zero past
     * {@code extent}. For A: w = MR, across = aRowStride, along = aColStride. For B: w = NR, across =
     * bColStride, along = bRowStride.
     */
    private static void packSlivers(MemorySegment dst, MemorySegment src, long at, long across, long along,
                                    int w, int extent, int kc, int first) {
        int last = Math.min(ceilDiv(extent, w), first + PACK_GRAIN);
        if (across == 1) {
            // The values of one p lie side by side in src (a row-major B, a transposed A): for each p,
            // copy them for all the slivers of this group at once, reading src in memory order.
            for (int p = 0; p < kc; p++) {
                for (int s = first; s < last; s++) {
                    int valid = Math.min(w, extent - s * w);
                    long from = at + (long) s * w + p * along, to = ((long) s * kc + p) * w;
                    MemorySegment.copy(src, from * BYTES, dst, to * BYTES, valid * BYTES);
                    if (valid < w) {
                        dst.asSlice((to + valid) * BYTES, (w - valid) * BYTES).fill((byte) 0);
                    }
                }
            }
            return;
        }
        // Otherwise each of the w lines runs along p (a transpose when along == 1: a row-major A, or the
        // weight matrix of a linear layer used as B). Transpose CHUNK values of p at a time into a small
        // heap array, whose stores the JIT compiles much better than scattered stores to a segment.
        float[] stage = STAGE.get();
        for (int s = first; s < last; s++) {
            int valid = Math.min(w, extent - s * w);   // lines of this sliver inside the matrix; the rest is zero
            for (int p0 = 0; p0 < kc; p0 += CHUNK) {
                int len = Math.min(CHUNK, kc - p0);
                for (int r = 0; r < w; r++) {
                    long from = at + (long) (s * w + r) * across + p0 * along;
                    if (r >= valid) {
                        for (int p = 0; p < len; p++) {
                            stage[p * w + r] = 0f;
                        }
                    } else if (along == 1) {
                        // Unit stride, the common case: a small method that the JIT inlines at both
                        // call sites, each then with a constant w, which makes the loop twice as fast.
                        MemorySegment line = src.asSlice(from * BYTES, len * BYTES);
                        if (w == MR) {
                            transposeLine(stage, r, MR, line, len);
                        } else {
                            transposeLine(stage, r, NR, line, len);
                        }
                    } else {
                        for (int p = 0; p < len; p++) {
                            stage[p * w + r] = src.getAtIndex(FLOAT, from + p * along);
                        }
                    }
                }
                MemorySegment.copy(stage, 0, dst, FLOAT, ((long) s * kc + p0) * w * BYTES, len * w);
            }
        }
    }

    private static void transposeLine(float[] stage, int r, int w, MemorySegment line, int len) {
        for (int p = 0; p < len; p++) {
            stage[p * w + r] = line.getAtIndex(FLOAT, p);
        }
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(SPECIES, s, index * BYTES, ORDER);
    }

    /**
     * The MR×NR micro-kernel: {@code tile[r][j] = Σ_p aSliver[p][r] · bSliver[p][j]} over p < kc, with
     * the 24 partial sums held in registers (named locals: an array of vectors would live in memory).
     */
    private static void microKernel(MemorySegment tile, MemorySegment pa, long aAt, MemorySegment pb, long bAt, int kc) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
                c70 = c00, c71 = c00, c80 = c00, c81 = c00, c90 = c00, c91 = c00, ca0 = c00, ca1 = c00,
                cb0 = c00, cb1 = c00;
        long ap = aAt, bp = bAt * BYTES;  // where step p starts: a float index in A, a byte offset in B
        for (int p = 0; p < kc; p++, ap += MR, bp += NR * BYTES) {
            FloatVector b0 = FloatVector.fromMemorySegment(SPECIES, pb, bp, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(SPECIES, pb, bp + VEC, ORDER);
            FloatVector x;
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap));      c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 1));  c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 2));  c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 3));  c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 4));  c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 5));  c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 6));  c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 7));  c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 8));  c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 9));  c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 10)); ca0 = x.fma(b0, ca0); ca1 = x.fma(b1, ca1);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 11)); cb0 = x.fma(b0, cb0); cb1 = x.fma(b1, cb1);
        }
        c00.intoMemorySegment(tile, 0 * ROW, ORDER); c01.intoMemorySegment(tile, 0 * ROW + VEC, ORDER);
        c10.intoMemorySegment(tile, 1 * ROW, ORDER); c11.intoMemorySegment(tile, 1 * ROW + VEC, ORDER);
        c20.intoMemorySegment(tile, 2 * ROW, ORDER); c21.intoMemorySegment(tile, 2 * ROW + VEC, ORDER);
        c30.intoMemorySegment(tile, 3 * ROW, ORDER); c31.intoMemorySegment(tile, 3 * ROW + VEC, ORDER);
        c40.intoMemorySegment(tile, 4 * ROW, ORDER); c41.intoMemorySegment(tile, 4 * ROW + VEC, ORDER);
        c50.intoMemorySegment(tile, 5 * ROW, ORDER); c51.intoMemorySegment(tile, 5 * ROW + VEC, ORDER);
        c60.intoMemorySegment(tile, 6 * ROW, ORDER); c61.intoMemorySegment(tile, 6 * ROW + VEC, ORDER);
        c70.intoMemorySegment(tile, 7 * ROW, ORDER); c71.intoMemorySegment(tile, 7 * ROW + VEC, ORDER);
        c80.intoMemorySegment(tile, 8 * ROW, ORDER); c81.intoMemorySegment(tile, 8 * ROW + VEC, ORDER);
        c90.intoMemorySegment(tile, 9 * ROW, ORDER); c91.intoMemorySegment(tile, 9 * ROW + VEC, ORDER);
        ca0.intoMemorySegment(tile, 10 * ROW, ORDER); ca1.intoMemorySegment(tile, 10 * ROW + VEC, ORDER);
        cb0.intoMemorySegment(tile, 11 * ROW, ORDER); cb1.intoMemorySegment(tile, 11 * ROW + VEC, ORDER);
    }

    /** C[0..mr, 0..nr] = tile (or += when {@code add}): only the valid part of an edge tile is written. */
    private static void writeTile(MemorySegment c, long cAt, long ldc, MemorySegment tile, int mr, int nr, boolean add) {
        for (int i = 0; i < mr; i++) {
            long row = cAt + i * ldc, t = (long) i * NR;
            int j = 0;
            for (; j <= nr - L; j += L) {
                FloatVector v = load(tile, t + j);
                if (add) {
                    v = v.add(load(c, row + j));
                }
                v.intoMemorySegment(c, (row + j) * BYTES, ORDER);
            }
            for (; j < nr; j++) {
                float v = tile.getAtIndex(FLOAT, t + j);
                c.setAtIndex(FLOAT, row + j, add ? c.getAtIndex(FLOAT, row + j) + v : v);
            }
        }
    }

    /**
     * The scalar reference, a plain triple loop: {@code C[i,j] = Σ_p A[i,p]·B[p,j]} (plus the old
     * {@code C[i,j]} when {@code accumulate}), summed in float for p = 0..K-1. Same arguments as
     * {@link #sgemm}: C is M×N with row stride {@code ldc}, A is M×K, B is K×N, with element strides.
     */
    public static void sgemmReference(MemorySegment c, long cOff, long ldc,
                                      MemorySegment a, long aOff, long aRowStride, long aColStride,
                                      MemorySegment b, long bOff, long bRowStride, long bColStride,
                                      int m, int n, int k, boolean accumulate) {
        checkArguments(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a.getAtIndex(FLOAT, aOff + i * aRowStride + p * aColStride)
                            * b.getAtIndex(FLOAT, bOff + p * bRowStride + j * bColStride);
                }
                long at = cOff + i * ldc + j;
                c.setAtIndex(FLOAT, at, accumulate ? c.getAtIndex(FLOAT, at) + sum : sum);
            }
        }
    }

    private static void checkArguments(MemorySegment c, long cOff, long ldc,
                                       MemorySegment a, long aOff, long aRowStride, long aColStride,
                                       MemorySegment b, long bOff, long bRowStride, long bColStride,
                                       int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative size M=" + m + ", N=" + n + ", K=" + k);
        }
        checkOperand("C", c, cOff, ldc, 1, m, n);
        checkOperand("A", a, aOff, aRowStride, aColStride, m, k);
        checkOperand("B", b, bOff, bRowStride, bColStride, k, n);
    }

    private static void checkOperand(String name, MemorySegment s, long off, long rowStride, long colStride, int rows, int cols) {
        if (off < 0 || rowStride < 0 || colStride < 0) {
            throw new IllegalArgumentException("sgemm: " + name + " offset and strides must be >= 0, got offset " + off
                    + ", strides " + rowStride + ", " + colStride);
        }
        if (rows > 0 && cols > 0) {
            long last = off + (rows - 1) * rowStride + (cols - 1) * colStride;
            if (last >= s.byteSize() / BYTES) {
                throw new IndexOutOfBoundsException("sgemm: " + name + " (" + rows + "×" + cols + ") reaches float " + last
                        + " but its segment holds " + s.byteSize() / BYTES + " floats");
            }
        }
    }

    /** Packed copies of A and B, owned by the calling thread and grown when a larger call needs more. */
    private static final class Workspace {
        private MemorySegment a = MemorySegment.NULL, b = MemorySegment.NULL;

        MemorySegment packedA(long floats) {
            return a = atLeast(a, floats);
        }

        MemorySegment packedB(long floats) {
            return b = atLeast(b, floats);
        }

        private static MemorySegment atLeast(MemorySegment s, long floats) {
            // Arena.ofAuto(): the garbage collector frees a buffer once it is replaced.
            return s.byteSize() >= floats * BYTES ? s : Arena.ofAuto().allocate(floats * BYTES, 64);
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
    /** Each thread's staging array for transposing packs: CHUNK values of p for NR lines. */
    private static final ThreadLocal<float[]> STAGE = ThreadLocal.withInitial(() -> new float[CHUNK * Math.max(MR, NR)]);
    /** Each thread's MR×NR scratch tile, where the micro-kernel leaves its result. */
    private static final ThreadLocal<MemorySegment> TILE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate((long) MR * NR * BYTES, 64));

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}

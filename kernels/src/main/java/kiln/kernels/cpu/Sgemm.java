package kiln.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision general matrix multiply (SGEMM): {@code C = A·B}, or {@code C += A·B}.
 *
 * <p>Shapes: A is M×K, B is K×N, C is M×N. Element (i, p) of A is {@code a[aOff + i·aRowStride +
 * p·aColStride]}, element (p, j) of B is {@code b[bOff + p·bRowStride + j·bColStride]}, element
 * (i, j) of C is {@code c[cOff + i·ldc + j]}. Offsets and strides count floats, not bytes; any
 * non-negative strides are allowed, so a transposed operand needs no copy (an A kept as its row-major
 * K×M transpose: {@code aRowStride = 1, aColStride = M}). C must not overlap A or B. Segments are
 * native, native byte order, and readable by the pool's threads (a shared, global or automatic arena,
 * not a confined one).
 *
 * <h2>The fast path: packed, register-blocked, in the loop order of BLIS (Goto and van de Geijn)</h2>
 *
 * <pre>
 * for jc in 0..N step NC                     B panel  KC×NC, packed once, shared by all threads
 *   for pc in 0..K step KC                   one rank-KC update of all of C
 *     for ic in 0..M step MC                 A block  MC×KC, packed once (or read in place), shared by all threads
 *       parallel: pack the A block (and, when ic = 0, the B panel), a few slivers per task
 *       parallel, one task per TM×TN tile of C:
 *         for jr in tile step NR             B sliver KC×NR  (L2; reused by every ir)
 *           for ir in tile step MR           A sliver MR×KC  (L2; the tile's A rows, TM×KC, are reused by every jr)
 *             micro-kernel: the MR×NR block of C += A sliver · B sliver, summed in registers
 * </pre>
 *
 * <p>The micro-kernel holds a 12×32 block of C in 24 of the 32 vector registers of AVX-512 (a 6×16
 * block in 12 of AVX2's 16 when the CPU's vectors are 256 bits wide) and, for
 * each p, loads 2 vectors of B and broadcasts 12 values of A: 24 fused multiply-adds for 14 loads,
 * and 24 independent sums, more than the 8 in flight that two FMA pipes of latency 4 need. Packing
 * copies A and B into exactly the order the micro-kernel reads them (A by columns of 12, B by rows
 * of 32, zero-padded at the edges), so its loads are sequential whatever the caller's strides, and a
 * 4 KiB row stride cannot make them fight over the same cache sets. (A row-major A whose rows do not
 * share cache sets is read in place instead, see {@link #readsARowsInPlace}: packing it is a transpose.)
 * Block sizes, for this machine
 * (L1d 32 KiB, L2 1 MiB per core, L3 32 MiB): KC = 1024 keeps a tile's A rows (96×1024 floats,
 * 384 KiB) and one B sliver (128 KiB) in L2, and makes C a read-modify-write only once per 1024 of
 * K: C's rows, 4 KiB apart when N = 1024, miss every cache, so each pass over C costs about 5% of
 * the time (KC = 512 measured 8% slower at M = N = K = 1024). MC and NC only bound the packed
 * buffers (4 and 8 MiB, in L3). Measured here at M = N = K = 1024: about 100 GFLOP/s on one core,
 * 86% of the 117 GFLOP/s FMA ceiling of this Zen 4 (its 512-bit FMAs run at half rate), and about
 * 200 GFLOP/s on two.
 *
 * <p>Shortcuts for the small products of a training step, where packing would cost more than it
 * saves. A C with very few rows and a row-major B (a matrix-vector product) is updated row by row
 * ({@link #skinnyRows}). Up to {@link #DIRECT_MAX}, operands that lie by rows or by columns are read
 * in place by {@link GemmDirect}'s kernels (a batch of one through a linear layer takes its
 * {@code rowDots}). A larger C with few rows (up to {@link #DIRECT_B_ROWS}) and a row-major B packs
 * A only, and the micro-kernel reads B's rows in place. And below {@link #PARALLEL_MIN} all tasks
 * run on the calling thread.
 *
 * <p>Determinism: every element of C is computed by exactly one task, summing over K in the same
 * order (the pc blocks in turn, p in order within a block); paths, blocks and tasks depend on the
 * sizes and strides only. So the result is bit-identical whatever the number of threads. It differs
 * from the scalar reference by rounding only (another summation order, and fused multiply-adds).
 */
public final class Sgemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long BYTES = Float.BYTES, VEC = L * BYTES;

    /**
     * The micro-kernel's block of C: MR rows by NR = 2 vectors of columns, chosen at start-up from the
     * vector width: 12×32 with 512-bit vectors (24 sums in AVX-512's 32 registers), 6×16 with 256-bit
     * ones (12 sums in AVX2's 16 registers: 12 rows would spill the sums to memory).
     */
    static final int MR = L >= 16 ? 12 : 6, NR = 2 * L;
    /** Cache blocks (see the class comment). */
    static final int KC = 1024, MC = 1024, NC = 2048;
    /** One parallel task computes a TM×TN tile of C. */
    static final int TM = 8 * MR, TN = 4 * NR;
    /** Slivers packed per parallel packing task, and values of p per step of a transposing pack. */
    private static final int PACK_GRAIN = 8, CHUNK = 64;
    /** A C this short takes an unpacked path, SKINNY_COLS columns per task (crossovers measured at K = N = 1024). */
    static final int SKINNY_ROWS = 3, SKINNY_DOTS = 3, SKINNY_COLS = 256;
    /**
     * With at most this many rows of C (two slivers of A) and a row-major B, B is not packed: each
     * sliver would be read once or twice after packing, so packing (a read and a write of all of B)
     * cost more than reading B in place, rows apart. The last sliver is packed when the edge cuts it
     * short (its full width would read past B). Small M is the shape of a convolution per image.
     */
    static final int DIRECT_B_ROWS = 2 * MR;
    /**
     * Below this M·N·K, all tasks run on the caller: a few microseconds of work, not worth handing
     * tasks to the pool (a fork-join of the spinning pool took about 1 µs here when this was set,
     * 0.3 µs since the pool hands jobs over with one volatile write; much more when its threads have
     * gone to sleep). A batch of one through a 784×256 layer (2·10⁵) is just above it.
     */
    static final double PARALLEL_MIN = 1.5e5;
    /**
     * The same threshold for {@link GemmDirect#rowDots} (a batch of one or a few rows): those read
     * each weight once, at the speed of the cache, and with two threads each core reads its own
     * half, from its own L2. Splitting even a 256×128 layer (3·10⁴) pays: the MLP's batch-1
     * inference on 2 threads went from 11.3–14.2 µs to 8.2–9.0 (alternating runs of each).
     */
    static final double ROW_DOTS_PARALLEL_MIN = 3e4;
    /** Up to this M·N·K, the operands are read in place when their layout allows ({@link GemmDirect}). */
    static final double DIRECT_MAX = Double.parseDouble(System.getProperty("kiln.gemm.directMax", "3e7"));

    private Sgemm() {}

    /**
     * {@code C = A·B}, or {@code C += A·B} when {@code accumulate}: {@code C[i,j] (+)= Σ_p A[i,p]·B[p,j]}
     * for i < M, j < N, p < K. The fast path, multithreaded with {@link Parallel}; with
     * {@code -Dkiln.simd=false} it runs {@link #sgemmReference} instead.
     */
    public static void sgemm(MemorySegment c, long cOff, long ldc,
                             MemorySegment a, long aOff, long aRowStride, long aColStride,
                             MemorySegment b, long bOff, long bRowStride, long bColStride,
                             int m, int n, int k, boolean accumulate) {
        sgemm(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k, accumulate, null, 0, false);
    }

    /**
     * {@link #sgemm} with an epilogue applied as C is written: {@code C[i,j] = f((accumulate ? C[i,j] : 0)
     * + Σ_p A[i,p]·B[p,j] + bias[biasOff + j])} with f the ReLU {@code max(v, 0)} when {@code relu}, else
     * the identity (a linear layer's {@code relu(x·Wᵀ + b)} in one pass over C). {@code bias} null adds
     * nothing.
     */
    public static void sgemm(MemorySegment c, long cOff, long ldc,
                             MemorySegment a, long aOff, long aRowStride, long aColStride,
                             MemorySegment b, long bOff, long bRowStride, long bColStride,
                             int m, int n, int k, boolean accumulate, MemorySegment bias, long biasOff, boolean relu) {
        checkArguments(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k);
        checkBias(bias, biasOff, n);
        if (!Simd.enabled()) {
            sgemmReference(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k, accumulate, bias, biasOff,
                    relu);
            return;
        }
        if (k == 0) {  // an empty sum: C = bias (or 0), or C += bias (or unchanged)
            float[] zeros = TILE.get();
            Arrays.fill(zeros, 0f);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j += NR) {
                    writeTile(c, cOff + i * ldc + j, ldc, zeros, 1, Math.min(NR, n - j), accumulate, bias, biasOff + j, relu);
                }
            }
            return;
        }
        boolean parallel = (double) m * n * k >= PARALLEL_MIN;
        int columnTasks = ceilDiv(n, SKINNY_COLS);
        if (bColStride == 1 && m <= SKINNY_ROWS) {
            forEach(parallel, columnTasks, t -> skinnyRows(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride,
                    m, t * SKINNY_COLS, Math.min(n, (t + 1) * SKINNY_COLS), k, accumulate, bias, biasOff, relu));
        } else if (aColStride == 1 && bRowStride == 1 && m <= SKINNY_DOTS) {
            GemmDirect.rowDots(c, cOff, ldc, a, aOff, aRowStride, b, bOff, bColStride, m, n, k, accumulate, bias, biasOff, relu,
                    (double) m * n * k >= ROW_DOTS_PARALLEL_MIN);
        } else if ((double) m * n * k <= DIRECT_MAX && bColStride == 1 && (aRowStride == 1 || aColStride == 1)) {
            GemmDirect.broadcast(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, m, n, k, accumulate, bias, biasOff,
                    relu, parallel);
        } else if ((double) m * n * k <= DIRECT_MAX && bRowStride == 1 && aColStride == 1) {
            GemmDirect.dots(c, cOff, ldc, a, aOff, aRowStride, b, bOff, bColStride, m, n, k, accumulate, bias, biasOff, relu, parallel);
        } else {
            packed(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k, accumulate, bias, biasOff,
                    relu, parallel);
        }
    }

    /** The loop nest of the class comment. */
    private static void packed(MemorySegment c, long cOff, long ldc,
                               MemorySegment a, long aOff, long aRowStride, long aColStride,
                               MemorySegment b, long bOff, long bRowStride, long bColStride,
                               int m, int n, int k, boolean accumulate, MemorySegment bias, long biasOff, boolean relu,
                               boolean parallel) {
        Workspace ws = WORKSPACE.get();
        int kcMax = ceilDiv(k, ceilDiv(k, KC));  // K in equal blocks: K = 1025 gives 513 + 512, not 1024 + 1
        boolean directB = bColStride == 1 && m <= DIRECT_B_ROWS;
        boolean directA = readsARowsInPlace(aRowStride, aColStride);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), bSlivers = ceilDiv(nc, NR);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = accumulate || pc > 0;
                MemorySegment blockBias = pc == 0 ? bias : null;      // added once, with the first block of K
                boolean blockRelu = relu && pc + kc == k;            // applied once, with the last
                MemorySegment bPack = ws.packedB((long) bSlivers * NR * kc);
                long bAt = bOff + pc * bRowStride + jc * bColStride;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic), aSlivers = ceilDiv(mc, MR);
                    long aAt = aOff + ic * aRowStride + pc * aColStride;
                    ABlock aBlock = directA ? new ABlock(a, aAt, aRowStride, false)
                            : new ABlock(ws.packedA((long) aSlivers * MR * kc), 0, kc, true);   // sliver ir from ir·kc
                    // One parallel step packs the A block (unless it is read in place) and, the first time
                    // round, the B panel too: all of it, or with a direct B only its last sliver when that
                    // one is cut short by the edge.
                    int firstPacked = directB ? nc / NR : 0;
                    int aTasks = directA ? 0 : Parallel.tasks(aSlivers, PACK_GRAIN);
                    int bTasks = ic > 0 || firstPacked == bSlivers ? 0 : Parallel.tasks(bSlivers - firstPacked, PACK_GRAIN);
                    forEach(parallel, aTasks + bTasks, t -> {
                        if (t < aTasks) {
                            packSlivers(aBlock.segment(), a, aAt, aRowStride, aColStride, MR, mc, kc, t * PACK_GRAIN);
                        } else {
                            packSlivers(bPack, b, bAt, bColStride, bRowStride, NR, nc, kc, firstPacked + (t - aTasks) * PACK_GRAIN);
                        }
                    });
                    long cAt = cOff + ic * ldc + jc, biasAt = biasOff + jc;
                    Panel panel = new Panel(bPack, b, bAt, bRowStride, firstPacked * NR);
                    // Tiles of at most TM×TN, of equal size up to a multiple of MR×NR (balances the threads).
                    int tilesM = ceilDiv(mc, TM), tilesN = ceilDiv(nc, TN);
                    int tm = roundUp(ceilDiv(mc, tilesM), MR), tn = roundUp(ceilDiv(nc, tilesN), NR);
                    forEach(parallel, tilesM * tilesN, t -> {
                        int i0 = (t % tilesM) * tm, j0 = (t / tilesM) * tn;
                        multiplyTile(c, cAt, ldc, aBlock, panel, kc, i0, Math.min(mc, i0 + tm), j0, Math.min(nc, j0 + tn), add,
                                blockBias, biasAt, blockRelu);
                    });
                }
            }
        }
    }

    /**
     * The current B panel: its slivers from column {@code packedFrom} on are packed; those before it
     * are read where they lie, rows {@code rowStride} apart from {@code at} (a row-major B, see DIRECT_B_ROWS).
     */
    private record Panel(MemorySegment packed, MemorySegment b, long at, long rowStride, int packedFrom) {}

    /**
     * The current A block; what row ir of C needs starts at {@code at + ir·rowStride}: in packed
     * slivers (at 0, rowStride kc, MR values per step of p), or in A's rows where they lie (p along
     * each row).
     */
    private record ABlock(MemorySegment segment, long at, long rowStride, boolean packed) {}

    /**
     * Whether the packed path reads a row-major A where it lies ({@link GemmDirect#rowsKernel}
     * broadcasts from MR rows, each read along p) rather than packing it. Packing a row-major A is a
     * transpose, and the MLP's batch-1024 inference spent 16% of its time in it; reading in place made
     * it 11% faster. But the MR rows are read side by side, and an L1 has 64 sets of 64-byte lines
     * (32 or 48 KiB on x86 cores of the last decade): rows 4 KiB apart all land in one set of 8 or 12
     * ways and evict each other (N = 1024 and 2048 ran 8% and 21% slower). So only when the rows
     * start in at least 4 different sets; and with 512-bit vectors only, where the kernel's 24 sums
     * fit the registers.
     */
    static boolean readsARowsInPlace(long aRowStride, long aColStride) {
        if (aColStride != 1 || MR != GemmDirect.ROWS_KERNEL) {
            return false;
        }
        long lineBytes = 64, sets = 64, setsHit = 0;      // bit s: some row starts in set s
        for (int r = 0; r < MR; r++) {
            setsHit |= 1L << (r * aRowStride * BYTES / lineBytes % sets);
        }
        return Long.bitCount(setsHit) >= 4;
    }

    /** Rows i0..i1-1, columns j0..j1-1 of the current block of C, from the A block and the B panel. */
    private static void multiplyTile(MemorySegment c, long cAt, long ldc, ABlock aBlock, Panel panel,
                                     int kc, int i0, int i1, int j0, int j1, boolean add, MemorySegment bias, long biasAt,
                                     boolean relu) {
        float[] tile = TILE.get();
        for (int jr = j0; jr < j1; jr += NR) {
            boolean packed = jr >= panel.packedFrom();
            MemorySegment b = packed ? panel.packed() : panel.b();
            long bAt = packed ? (long) jr * kc : panel.at() + jr;
            long bStride = packed ? NR : panel.rowStride();
            for (int ir = i0; ir < i1; ir += MR) {
                int rows = Math.min(MR, i1 - ir);
                long aAt = aBlock.at() + ir * aBlock.rowStride();
                if (aBlock.packed()) {
                    microKernel(tile, aBlock.segment(), aAt, MR, b, bAt, bStride, kc);
                } else {
                    GemmDirect.rowsKernel(tile, aBlock.segment(), aAt, aBlock.rowStride(), rows, b, bAt, bStride, kc);
                }
                writeTile(c, cAt + ir * ldc + jr, ldc, tile, rows, Math.min(NR, j1 - jr), add, bias, biasAt + jr, relu);
            }
        }
    }

    /**
     * Columns j0..j1-1 of a C with at most {@link #SKINNY_ROWS} rows (a matrix-vector product, or a
     * small batch) and a row-major B, read where it lies rather than packed, which would cost more
     * than the multiply: {@code C[i,:] += A[i,p]·B[p,:]} for p = 0..K-1, a vector of columns at a time.
     */
    private static void skinnyRows(MemorySegment c, long cOff, long ldc, MemorySegment a, long aOff, long aRowStride,
                                   long aColStride, MemorySegment b, long bOff, long bRowStride,
                                   int m, int j0, int j1, int k, boolean accumulate, MemorySegment bias, long biasOff, boolean relu) {
        float[] zeros = TILE.get();
        Arrays.fill(zeros, 0f);
        for (int i = 0; i < m; i++) {
            long cRow = cOff + i * ldc, aRow = aOff + i * aRowStride;
            for (int j = j0; j < j1; j += NR) {        // C's row starts as the bias, or 0 (plus C when accumulating)
                writeTile(c, cRow + j, ldc, zeros, 1, Math.min(NR, j1 - j), accumulate, bias, biasOff + j, false);
            }
            for (int p = 0; p < k; p++) {
                float x = a.getAtIndex(FLOAT, aRow + p * aColStride);
                long bRow = bOff + p * bRowStride;
                int j = j0;
                for (; j <= j1 - L; j += L) {
                    long at = (cRow + j) * BYTES;
                    FloatVector sum = FloatVector.fromMemorySegment(SPECIES, c, at, ORDER);
                    FloatVector.broadcast(SPECIES, x).fma(FloatVector.fromMemorySegment(SPECIES, b, (bRow + j) * BYTES, ORDER), sum)
                            .intoMemorySegment(c, at, ORDER);
                }
                for (; j < j1; j++) {
                    c.setAtIndex(FLOAT, cRow + j, Math.fma(x, b.getAtIndex(FLOAT, bRow + j), c.getAtIndex(FLOAT, cRow + j)));
                }
            }
            for (int j = j0; relu && j < j1; j += NR) {    // the ReLU once the row is complete: C = max(C + 0, 0)
                writeTile(c, cRow + j, ldc, zeros, 1, Math.min(NR, j1 - j), true, null, 0, true);
            }
        }
    }

    /**
     * Packs slivers {@code first .. first+PACK_GRAIN-1} of a block of {@code extent} lines (rows of A,
     * or columns of B), each {@code kc} long, into {@code dst}. Sliver s holds, for p = 0..kc-1 in turn,
     * the {@code w} values {@code src[at + (s·w + r)·across + p·along]}, r = 0..w-1, and zeros for the
     * lines past {@code extent}. For A: w = MR, across = aRowStride, along = aColStride. For B: w = NR,
     * across = bColStride, along = bRowStride.
     */
    static void packSlivers(MemorySegment dst, MemorySegment src, long at, long across, long along,
                                    int w, int extent, int kc, int first) {
        int last = Math.min(ceilDiv(extent, w), first + PACK_GRAIN);
        if (across == 1) {
            // The w values of one p lie side by side in src (a row-major B, a transposed A): copy them,
            // for all slivers of the group at each p, so that src is read in memory order.
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
        // Otherwise each line runs along p: a transpose (a row-major A, or a linear layer's weights used
        // as B). Lines that lie side by side along p go through BlockTranspose, L lines by L values of
        // p at a time. Any other stride (rare) takes the scalar loop, CHUNK values of p at a time
        // through a small heap array, whose scattered stores the JIT compiles far better than
        // scattered stores into a segment.
        if (along == 1) {
            for (int s = first; s < last; s++) {
                int valid = Math.min(w, extent - s * w);  // lines of this sliver inside the matrix
                for (int p0 = 0; p0 < kc; p0 += L) {
                    for (int r0 = 0; r0 < w; r0 += L) {
                        BlockTranspose.transpose(src, at + (long) (s * w + r0) * across + p0, across, Math.clamp(valid - r0, 0, L),
                                Math.min(L, kc - p0), dst, ((long) s * kc + p0) * w + r0, w, Math.min(L, w - r0));
                    }
                }
            }
            return;
        }
        float[] stage = STAGE.get();
        for (int s = first; s < last; s++) {
            int valid = Math.min(w, extent - s * w);
            for (int p0 = 0; p0 < kc; p0 += CHUNK) {
                int len = Math.min(CHUNK, kc - p0);
                for (int r = 0; r < w; r++) {
                    long from = at + (long) (s * w + r) * across + p0 * along;
                    for (int p = 0; p < len; p++) {
                        stage[p * w + r] = r < valid ? src.getAtIndex(FLOAT, from + p * along) : 0f;
                    }
                }
                MemorySegment.copy(stage, 0, dst, FLOAT, ((long) s * kc + p0) * w * BYTES, len * w);
            }
        }
    }

    /**
     * The MR×NR micro-kernel: {@code tile[r][j] = Σ_p aSliver[p][r] · bSliver[p][j]} for p < kc. The 24
     * sums live in registers as named locals (an array of vectors would live in memory). Two JIT limits
     * shaped this code. Vector API calls wrapped in small helpers made C2 hit its cap on inlined nodes,
     * leave the last calls out of line and box every vector (about 10× slower): they are written out.
     * And with the 24 result stores going to a segment, C1 ran out of registers compiling the method,
     * which then sometimes stayed in slow code for seconds: the result goes to a small heap array.
     */
    static void microKernel(float[] tile, MemorySegment pa, long aAt, long aStep, MemorySegment pb, long bAt, long bStride, int kc) {
        if (MR == 6) {
            microKernel6(tile, pa, aAt, aStep, pb, bAt, bStride, kc);
            return;
        }
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
                c70 = c00, c71 = c00, c80 = c00, c81 = c00, c90 = c00, c91 = c00, ca0 = c00, ca1 = c00,
                cb0 = c00, cb1 = c00;
        long ap = aAt, bp = bAt * BYTES, bStep = bStride * BYTES;  // where step p starts: a float index in A, a byte offset in B
        for (int p = 0; p < kc; p++, ap += aStep, bp += bStep) {
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

    /** The MR = 6 micro-kernel for 256-bit vectors: {@link #microKernel}'s loop with 6 rows. */
    private static void microKernel6(float[] tile, MemorySegment pa, long aAt, long aStep, MemorySegment pb, long bAt, long bStride, int kc) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        long ap = aAt, bp = bAt * BYTES, bStep = bStride * BYTES;
        for (int p = 0; p < kc; p++, ap += aStep, bp += bStep) {
            FloatVector b0 = FloatVector.fromMemorySegment(SPECIES, pb, bp, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(SPECIES, pb, bp + VEC, ORDER);
            FloatVector x;
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap));      c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 1));  c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 2));  c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 3));  c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 4));  c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, pa.getAtIndex(FLOAT, ap + 5));  c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0 * NR);  c01.intoArray(tile, 0 * NR + L);
        c10.intoArray(tile, 1 * NR);  c11.intoArray(tile, 1 * NR + L);
        c20.intoArray(tile, 2 * NR);  c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);  c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);  c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);  c51.intoArray(tile, 5 * NR + L);
    }

    /**
     * The epilogue: {@code C[i, j] = f((add ? C[i, j] : 0) + tile[i][j] + bias[biasAt + j])} for i < mr,
     * j < nr (of an edge tile, only the part inside C); no bias when {@code bias} is null; f is
     * {@code max(v, 0)} when {@code relu} (NaN stays NaN), else the identity.
     */
    static void writeTile(MemorySegment c, long cAt, long ldc, float[] tile, int mr, int nr, boolean add,
                          MemorySegment bias, long biasAt, boolean relu) {
        for (int i = 0; i < mr; i++) {
            long row = cAt + i * ldc;
            int j = 0;
            for (; j <= nr - L; j += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, tile, i * NR + j);
                if (add) {
                    v = FloatVector.fromMemorySegment(SPECIES, c, (row + j) * BYTES, ORDER).add(v);
                }
                if (bias != null) {
                    v = v.add(FloatVector.fromMemorySegment(SPECIES, bias, (biasAt + j) * BYTES, ORDER));
                }
                if (relu) {
                    v = v.max(0f);
                }
                v.intoMemorySegment(c, (row + j) * BYTES, ORDER);
            }
            for (; j < nr; j++) {
                float v = tile[i * NR + j];
                v = add ? c.getAtIndex(FLOAT, row + j) + v : v;
                v = bias != null ? v + bias.getAtIndex(FLOAT, biasAt + j) : v;
                c.setAtIndex(FLOAT, row + j, relu ? Math.max(v, 0f) : v);
            }
        }
    }

    /**
     * The scalar reference, a plain triple loop: {@code C[i,j] = Σ_p A[i,p]·B[p,j]}, summed in float
     * for p = 0..K-1, then added to the old {@code C[i,j]} when {@code accumulate}, then
     * {@code bias[biasOff + j]} added when {@code bias} is not null. C is M×N, A is M×K, B is K×N; the
     * arguments are those of {@link #sgemm}.
     */
    public static void sgemmReference(MemorySegment c, long cOff, long ldc,
                                      MemorySegment a, long aOff, long aRowStride, long aColStride,
                                      MemorySegment b, long bOff, long bRowStride, long bColStride,
                                      int m, int n, int k, boolean accumulate) {
        sgemmReference(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k, accumulate, null, 0, false);
    }

    /** The scalar reference of the {@link #sgemm} with an epilogue: the bias, then the ReLU. */
    public static void sgemmReference(MemorySegment c, long cOff, long ldc,
                                      MemorySegment a, long aOff, long aRowStride, long aColStride,
                                      MemorySegment b, long bOff, long bRowStride, long bColStride,
                                      int m, int n, int k, boolean accumulate, MemorySegment bias, long biasOff, boolean relu) {
        checkArguments(c, cOff, ldc, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, m, n, k);
        checkBias(bias, biasOff, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a.getAtIndex(FLOAT, aOff + i * aRowStride + p * aColStride)
                            * b.getAtIndex(FLOAT, bOff + p * bRowStride + j * bColStride);
                }
                long at = cOff + i * ldc + j;
                float value = accumulate ? c.getAtIndex(FLOAT, at) + sum : sum;
                value = bias != null ? value + bias.getAtIndex(FLOAT, biasOff + j) : value;
                c.setAtIndex(FLOAT, at, relu ? Math.max(value, 0f) : value);
            }
        }
    }

    private static void checkBias(MemorySegment bias, long biasOff, int n) {
        if (bias != null && (biasOff < 0 || biasOff + n > bias.byteSize() / BYTES)) {
            throw new IndexOutOfBoundsException("sgemm: a bias of " + n + " values from offset " + biasOff
                    + " does not fit in its segment of " + bias.byteSize() / BYTES + " floats");
        }
    }

    private static void checkArguments(MemorySegment c, long cOff, long ldc,
                                       MemorySegment a, long aOff, long aRowStride, long aColStride,
                                       MemorySegment b, long bOff, long bRowStride, long bColStride,
                                       int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: sizes must be >= 0, got M=" + m + ", N=" + n + ", K=" + k);
        }
        if (m > 1 && ldc < n) {
            throw new IllegalArgumentException("sgemm: rows of C would overlap: ldc=" + ldc + " < N=" + n);
        }
        checkOperand("C", c, cOff, ldc, 1, m, n);
        checkOperand("A", a, aOff, aRowStride, aColStride, m, k);
        checkOperand("B", b, bOff, bRowStride, bColStride, k, n);
    }

    private static void checkOperand(String name, MemorySegment s, long off, long rowStride, long colStride, int rows, int cols) {
        if (off < 0 || rowStride < 0 || colStride < 0) {
            throw new IllegalArgumentException("sgemm: " + name + " offset and strides must be >= 0, got offset " + off
                    + ", strides " + rowStride + " and " + colStride);
        }
        long floats = s.byteSize() / BYTES;
        if (rows > 0 && cols > 0 && off + (rows - 1) * rowStride + (cols - 1) * colStride >= floats) {
            throw new IndexOutOfBoundsException("sgemm: " + name + " (" + rows + "×" + cols + ", offset " + off + ", strides "
                    + rowStride + " and " + colStride + ") does not fit in its segment of " + floats + " floats");
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

    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
    /** Each thread's staging array for packs that gather with a stride: CHUNK values of p for up to NR lines. */
    private static final ThreadLocal<float[]> STAGE = ThreadLocal.withInitial(() -> new float[CHUNK * Math.max(MR, NR)]);
    /** Each thread's MR×NR scratch tile, where the micro-kernel leaves its result. */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[12 * NR]);

    /**
     * s when it holds at least {@code floats} floats, else a new 64-byte aligned buffer that does (on
     * huge pages from 2 MiB, {@link HugePages}: the packed panels of a large product are 4 and 8 MiB).
     */
    static MemorySegment atLeast(MemorySegment s, long floats) {
        // An automatic arena: the garbage collector frees a buffer once a larger one replaces it.
        return s.byteSize() >= floats * BYTES ? s : HugePages.allocate(Arena.ofAuto(), Math.max(1, floats) * BYTES);
    }

    /** Runs tasks 0..tasks-1 on the pool, or all on this thread: the same tasks, so the same result. */
    static void forEach(boolean parallel, int tasks, IntConsumer body) {
        if (parallel) {
            Parallel.forEach(tasks, body);
        } else {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
        }
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}

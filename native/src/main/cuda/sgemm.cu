// SGEMM, C = A·B for row-major A [M, K], B [K, N], C [M, N]: the ladder of SGEMM_CUDA's write-ups,
// one kernel per step, then kiln_sgemm_batched (the engine's, on step 5's tiles, with transposes and
// batch strides). Each is checked against products in double (kernels' SgemmKernelChecks) and timed
// against cuBLAS by `kiln bench gemm --device cuda`.

// Step 1, naive: one thread per C[i, j], reading a row of A and a column of B from global memory.
// Threads of a warp take consecutive j, so their reads of B and writes of C are coalesced.
extern "C" __global__ void kiln_sgemm_naive(float* c, const float* a, const float* b, int m, int n, int k) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int i = blockIdx.y * blockDim.y + threadIdx.y;
    if (i < m && j < n) {
        float sum = 0.0f;
        for (int p = 0; p < k; p++) {
            sum += a[(long long) i * k + p] * b[(long long) p * n + j];
        }
        c[(long long) i * n + j] = sum;
    }
}

// Step 2, shared-memory tiles: a block of TILE×TILE threads computes a TILE×TILE tile of C, staging
// TILE×TILE tiles of A and B in shared memory, so each value read from global memory serves TILE
// multiply-adds instead of one.
#define KILN_SGEMM_TILE 32
extern "C" __global__ void kiln_sgemm_tiled(float* c, const float* a, const float* b, int m, int n, int k) {
    __shared__ float as[KILN_SGEMM_TILE][KILN_SGEMM_TILE];
    __shared__ float bs[KILN_SGEMM_TILE][KILN_SGEMM_TILE];
    int tx = threadIdx.x, ty = threadIdx.y;
    int i = blockIdx.y * KILN_SGEMM_TILE + ty, j = blockIdx.x * KILN_SGEMM_TILE + tx;
    float sum = 0.0f;
    for (int p0 = 0; p0 < k; p0 += KILN_SGEMM_TILE) {
        as[ty][tx] = (i < m && p0 + tx < k) ? a[(long long) i * k + p0 + tx] : 0.0f;
        bs[ty][tx] = (p0 + ty < k && j < n) ? b[(long long) (p0 + ty) * n + j] : 0.0f;
        __syncthreads();
        for (int p = 0; p < KILN_SGEMM_TILE; p++) {
            sum += as[ty][p] * bs[p][tx];
        }
        __syncthreads();
    }
    if (i < m && j < n) {
        c[(long long) i * n + j] = sum;
    }
}

// Step 3, 2-D register tiles: a block of 256 threads computes a 64×64 tile of C, each thread a 4×4
// patch of it held in registers. Per step of p, a thread reads 4 values of A and 4 of B from shared
// memory and makes 16 multiply-adds with them (step 2 made one per two reads). The A tile is stored
// transposed, as[p][i], so that a thread's 4 values of A lie side by side. Any M, N, K: values past
// the edges are loaded as zeros and their sums not written.
#define KILN_RT_BM 64
#define KILN_RT_BN 64
#define KILN_RT_BK 8
#define KILN_RT_TM 4
#define KILN_RT_TN 4
extern "C" __global__ void __launch_bounds__(256) kiln_sgemm_regtile(float* c, const float* a, const float* b, int m, int n, int k) {
    __shared__ float as[KILN_RT_BK][KILN_RT_BM];
    __shared__ float bs[KILN_RT_BK][KILN_RT_BN];
    int row0 = blockIdx.y * KILN_RT_BM, col0 = blockIdx.x * KILN_RT_BN;
    int tid = threadIdx.x;
    int ty = tid / (KILN_RT_BN / KILN_RT_TN), tx = tid % (KILN_RT_BN / KILN_RT_TN);
    float acc[KILN_RT_TM][KILN_RT_TN] = {};
    for (int p0 = 0; p0 < k; p0 += KILN_RT_BK) {
        for (int e = tid; e < KILN_RT_BM * KILN_RT_BK; e += blockDim.x) {      // A: 64 rows × 8 values of p
            int r = e / KILN_RT_BK, q = e % KILN_RT_BK;
            int i = row0 + r, p = p0 + q;
            as[q][r] = (i < m && p < k) ? a[(long long) i * k + p] : 0.0f;
        }
        for (int e = tid; e < KILN_RT_BK * KILN_RT_BN; e += blockDim.x) {      // B: 8 rows × 64 columns
            int q = e / KILN_RT_BN, col = e % KILN_RT_BN;
            int p = p0 + q, j = col0 + col;
            bs[q][col] = (p < k && j < n) ? b[(long long) p * n + j] : 0.0f;
        }
        __syncthreads();
        for (int q = 0; q < KILN_RT_BK; q++) {
            float ar[KILN_RT_TM], br[KILN_RT_TN];
            for (int i = 0; i < KILN_RT_TM; i++) ar[i] = as[q][ty * KILN_RT_TM + i];
            for (int j = 0; j < KILN_RT_TN; j++) br[j] = bs[q][tx * KILN_RT_TN + j];
            for (int i = 0; i < KILN_RT_TM; i++) {
                for (int j = 0; j < KILN_RT_TN; j++) {
                    acc[i][j] += ar[i] * br[j];
                }
            }
        }
        __syncthreads();
    }
    for (int i = 0; i < KILN_RT_TM; i++) {
        int row = row0 + ty * KILN_RT_TM + i;
        for (int j = 0; j < KILN_RT_TN; j++) {
            int col = col0 + tx * KILN_RT_TN + j;
            if (row < m && col < n) {
                c[(long long) row * n + col] = acc[i][j];
            }
        }
    }
}

// Unrolled loops keep the register arrays below in registers (an array indexed at run time goes to
// local memory); g++, which builds these kernels for the CPU emulator, does without.
#ifdef __CUDACC__
#define KILN_UNROLL _Pragma("unroll")
#else
#define KILN_UNROLL
#endif

// Four consecutive floats at p, of which `available` lie inside the matrix (the rest read as zeros).
// With `vector` (the row length a multiple of 4 and the matrix 16-byte aligned) a group is either wholly
// inside or wholly outside, and an inside group is one 16-byte load; else each float is guarded.
__device__ __forceinline__ float4 kiln_load4(const float* p, int available, bool vector) {
    if (vector) {
        return available >= 4 ? *reinterpret_cast<const float4*>(p) : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    }
    return make_float4(available > 0 ? p[0] : 0.0f, available > 1 ? p[1] : 0.0f, available > 2 ? p[2] : 0.0f,
                       available > 3 ? p[3] : 0.0f);
}

// Writes the four values of v to C[row, col .. col+3], those inside the matrix: one 16-byte store when
// `vector` (N a multiple of 4, C aligned) and the group is inside.
__device__ __forceinline__ void kiln_store4(float* c, int m, int n, int row, int col, float4 v, bool vector) {
    if (row >= m || col >= n) {
        return;
    }
    float* p = c + (long long) row * n + col;
    if (vector) {
        *reinterpret_cast<float4*>(p) = v;
    } else {
        p[0] = v.x;
        if (col + 1 < n) p[1] = v.y;
        if (col + 2 < n) p[2] = v.z;
        if (col + 3 < n) p[3] = v.w;
    }
}

__device__ __forceinline__ bool kiln_aligned16(const float* p) {
    return ((unsigned long long) p & 15) == 0;
}

// One step of p for a thread's 8×8 register patch (steps 4 and 5): its 8 values of A are two float4 of
// a shared row, `aGap` floats apart, its 8 values of B two float4 `bGap` apart; then the 64
// multiply-adds of their outer product.
__device__ __forceinline__ void kiln_outer_product_8x8(float (&acc)[8][8], const float* a, const float* b, int aGap, int bGap) {
    float ra[8], rb[8];
    KILN_UNROLL
    for (int h = 0; h < 2; h++) {
        float4 x = *reinterpret_cast<const float4*>(a + h * aGap);
        float4 y = *reinterpret_cast<const float4*>(b + h * bGap);
        ra[h * 4] = x.x; ra[h * 4 + 1] = x.y; ra[h * 4 + 2] = x.z; ra[h * 4 + 3] = x.w;
        rb[h * 4] = y.x; rb[h * 4 + 1] = y.y; rb[h * 4 + 2] = y.z; rb[h * 4 + 3] = y.w;
    }
    KILN_UNROLL
    for (int i = 0; i < 8; i++) {
        KILN_UNROLL
        for (int j = 0; j < 8; j++) {
            acc[i][j] += ra[i] * rb[j];
        }
    }
}

// Step 4, vectorized loads and larger tiles: a block of 256 threads computes a 128×128 tile of C, each
// thread an 8×8 patch (64 sums in registers, four times step 3's 16), so each value read from shared
// memory serves 8 multiply-adds instead of 4, and each value read from global memory 128 instead of 64.
// The tiles come in as float4: one 16-byte load per thread for A's 128×8 tile and one for B's 8×128
// tile (step 3 made four scalar loads for tiles half the size), A's tile stored transposed as in step 3
// (its rows padded by 4 floats, so that a warp's transposed stores fall in 32 different banks). A
// thread's 8×8 patch is four 4×4 patches 64 rows and 64 columns apart: the float4 reads of a
// quarter-warp then cover 32 consecutive floats of a shared row, without bank conflicts. Edges, or K or
// N not a multiple of 4 (rows not 16-byte aligned): guarded scalar loads and stores, zeros past the edges.
// Grid (ceil(n/128), ceil(m/128)), block 256.
#define KILN_V_BM 128
#define KILN_V_BN 128
#define KILN_V_BK 8
#define KILN_V_PAD 4
extern "C" __global__ void __launch_bounds__(256) kiln_sgemm_vectorized(float* c, const float* a, const float* b, int m, int n, int k) {
    __shared__ __align__(16) float as[KILN_V_BK][KILN_V_BM + KILN_V_PAD];
    __shared__ __align__(16) float bs[KILN_V_BK][KILN_V_BN];
    int row0 = blockIdx.y * KILN_V_BM, col0 = blockIdx.x * KILN_V_BN;
    int tid = threadIdx.x, ty = tid / 16, tx = tid % 16;
    bool vectorA = k % 4 == 0 && kiln_aligned16(a), vectorB = n % 4 == 0 && kiln_aligned16(b);
    bool vectorC = n % 4 == 0 && kiln_aligned16(c);
    int ar = tid / 2, aq = (tid % 2) * 4;                   // this thread's float4 of A's tile: row ar, columns aq..aq+3
    int bq = tid / 32, bc = (tid % 32) * 4;                 // and of B's tile: row bq, columns bc..bc+3
    float acc[8][8] = {};
    for (int p0 = 0; p0 < k; p0 += KILN_V_BK) {
        float4 va = kiln_load4(a + (long long) (row0 + ar) * k + p0 + aq, row0 + ar < m ? k - p0 - aq : 0, vectorA);
        float4 vb = kiln_load4(b + (long long) (p0 + bq) * n + col0 + bc, p0 + bq < k ? n - col0 - bc : 0, vectorB);
        as[aq][ar] = va.x;
        as[aq + 1][ar] = va.y;
        as[aq + 2][ar] = va.z;
        as[aq + 3][ar] = va.w;
        *reinterpret_cast<float4*>(&bs[bq][bc]) = vb;
        __syncthreads();
        KILN_UNROLL
        for (int q = 0; q < KILN_V_BK; q++) {
            kiln_outer_product_8x8(acc, &as[q][ty * 4], &bs[q][tx * 4], 64, 64);
        }
        __syncthreads();
    }
    KILN_UNROLL
    for (int i = 0; i < 8; i++) {
        int row = row0 + (i / 4) * 64 + ty * 4 + i % 4;
        KILN_UNROLL
        for (int h = 0; h < 2; h++) {
            kiln_store4(c, m, n, row, col0 + h * 64 + tx * 4,
                        make_float4(acc[i][h * 4], acc[i][h * 4 + 1], acc[i][h * 4 + 2], acc[i][h * 4 + 3]), vectorC);
        }
    }
}

// Step 5, warp tiles: the same 128×128 tile of C per block of 256 threads, but arranged by warp: each
// of the 8 warps owns a 64×32 sub-tile (2 warps down, 4 across), and within it each lane an 8×8 patch
// made of 2×2 patches of 4×4, 32 rows and 16 columns apart. Per step of p a warp then reads 32
// consecutive floats of A's shared row (8 lanes' float4s) and 16 of B's (each broadcast to 8 lanes): no
// bank conflicts, and the fewest distinct shared addresses per multiply-add of the ladder.
// Steps 3 and 4 leave the multiply-adds idle while a k-tile comes in (load, barrier, multiply, barrier);
// step 5 copies the tiles with cp.async (Ampere and later), which writes shared memory without passing
// through registers and without waiting: three k-tiles in flight in a ring of three shared buffers,
// the block multiplying the oldest while the next two arrive, one barrier per k-tile. The registers a
// prefetch through registers would hold (and the spills they caused here) stay free for the 64 sums,
// so that two blocks fit on a multiprocessor (128 registers per thread) and hide each other's barriers.
// Edges and unaligned rows as in step 4: zero-filled copies past the edges, 4-byte copies where a
// 16-byte one would be unaligned.
//
// The tile loop is a template over how A and B are stored, shared with kiln_sgemm_batched:
// TRANS_A = false: A row-major [m, k]; true: A stored row-major [k, m] and used transposed (likewise B:
// [k, n], or stored [n, k]). Either way the shared tiles hold as[p][i] and bs[p][j]; only the copies
// differ: 16 bytes along i or j where that index is contiguous in memory, else four 4-byte copies
// down p (a transposed store, as steps 3 and 4 store A).
#define KILN_WT_BM 128
#define KILN_WT_BN 128
#define KILN_WT_BK 8
#define KILN_WT_PAD 4
#define KILN_WT_STAGES 3
#define KILN_WT_THREADS 256
typedef float KilnWtTile[KILN_WT_BK][KILN_WT_BM + KILN_WT_PAD];   // BM = BN, so A's and B's tiles share a shape

// cp.async: copies `bytes` (of 4 or 16) from global memory to shared memory and fills the rest of the 4
// or 16 with zeros, in the background; commit closes a group of copies, wait<N> returns once at most N
// groups are still in flight. The CPU emulator copies at once.
#ifdef __CUDACC__
__device__ __forceinline__ void kiln_copy16(float* shared, const float* global, int bytes) {
    unsigned int to = (unsigned int) __cvta_generic_to_shared(shared);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(to), "l"(global), "r"(bytes));
}
__device__ __forceinline__ void kiln_copy4(float* shared, const float* global, int bytes) {
    unsigned int to = (unsigned int) __cvta_generic_to_shared(shared);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(to), "l"(global), "r"(bytes));
}
__device__ __forceinline__ void kiln_copy_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void kiln_copy_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }
#else
inline void kiln_copy16(float* shared, const float* global, int bytes) {
    for (int i = 0; i < 4; i++) shared[i] = i * 4 < bytes ? global[i] : 0.0f;
}
inline void kiln_copy4(float* shared, const float* global, int bytes) { *shared = bytes > 0 ? *global : 0.0f; }
inline void kiln_copy_commit() {}
template <int N>
inline void kiln_copy_wait() {}
#endif

// This thread's share of the BK×128 tiles T[q][r] = M(p0 + q, r0 + r), one k-tile after another, of a
// matrix M with k values of p and `limit` of r, stored with r contiguous (R_CONTIGUOUS: M(p, r) at
// src[p·ld + r]) or with p contiguous (at src[r·ld + p]): one group of 4 floats per thread (8×128
// floats over 256 threads), along the contiguous index. What stays the same from one k-tile to the
// next (the pointer, the guard along r) is worked out once.
template <bool R_CONTIGUOUS>
struct KilnWtCopier {
    const float* src;            // the matrix: where a zero-filled copy points (it reads nothing)
    const float* first;          // this thread's group in the k-tile at p0 = 0
    int q, r;                    // the group's place in the tile: T[q][r .. r+3], or T[q .. q+3][r]
    int along;                   // R_CONTIGUOUS: floats of M's row left from r0 + r; else whether r0 + r < limit
    bool vector;                 // 16-byte copies: rows a multiple of 4 floats, the matrix 16-byte aligned

    __device__ __forceinline__ KilnWtCopier(const float* src, int ld, int r0, int limit, int tid)
        : src(src), vector(R_CONTIGUOUS && ld % 4 == 0 && kiln_aligned16(src)) {
        if constexpr (R_CONTIGUOUS) {
            q = tid / (KILN_WT_BM / 4);
            r = (tid % (KILN_WT_BM / 4)) * 4;
            first = src + (long long) q * ld + r0 + r;
            along = limit - r0 - r;
        } else {
            q = (tid % (KILN_WT_BK / 4)) * 4;
            r = tid / (KILN_WT_BK / 4);
            first = src + (long long) (r0 + r) * ld + q;
            along = r0 + r < limit;
        }
    }

    // Starts the copy of the k-tile at p0 (`offset`: p0·ld or p0, its distance from the k-tile at 0).
    __device__ __forceinline__ void copy(KilnWtTile& t, int p0, long long offset, int k) const {
        const float* p = first + offset;
        if constexpr (R_CONTIGUOUS) {
            int available = p0 + q < k ? along : 0;
            if (vector) {
                kiln_copy16(&t[q][r], available >= 4 ? p : src, available >= 4 ? 16 : 0);
            } else {
                KILN_UNROLL
                for (int j = 0; j < 4; j++) kiln_copy4(&t[q][r + j], available > j ? p + j : src, available > j ? 4 : 0);
            }
        } else {
            int available = along ? k - p0 - q : 0;
            KILN_UNROLL
            for (int j = 0; j < 4; j++) kiln_copy4(&t[q + j][r], available > j ? p + j : src, available > j ? 4 : 0);
        }
    }
};

// One block's 128×128 tile of C = op(A)·op(B), C row-major [m, n]; as and bs are the kernel's ring of
// shared tiles.
template <bool TRANS_A, bool TRANS_B>
__device__ __forceinline__ void kiln_sgemm_wt(float* c, const float* a, const float* b, int m, int n, int k,
                                              KilnWtTile (&as)[KILN_WT_STAGES], KilnWtTile (&bs)[KILN_WT_STAGES]) {
    int row0 = blockIdx.y * KILN_WT_BM, col0 = blockIdx.x * KILN_WT_BN;
    int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    int wr = (warp / 4) * 64, wc = (warp % 4) * 32;          // the warp's 64×32 sub-tile of the block's tile
    int tr = (lane / 4) * 4, tc = (lane % 4) * 4;            // the lane's first 4×4 patch in it
    // A's rows run along p unless A is transposed (then along i); B's along j unless B is transposed.
    int lda = TRANS_A ? m : k, ldb = TRANS_B ? k : n;
    KilnWtCopier<TRANS_A> copyA(a, lda, row0, m, tid);
    KilnWtCopier<!TRANS_B> copyB(b, ldb, col0, n, tid);
    float acc[8][8] = {};
    int tiles = (k + KILN_WT_BK - 1) / KILN_WT_BK;
    // The first STAGES - 1 k-tiles start coming in; then each step waits for the oldest, starts the one
    // STAGES - 1 ahead (into the buffer the last step read: the barrier says every warp is done with it)
    // and multiplies. Every step commits a group, empty or not, so that wait<STAGES - 2> always means
    // "the oldest k-tile is in".
    KILN_UNROLL
    for (int s = 0; s < KILN_WT_STAGES - 1; s++) {
        if (s < tiles) {
            int p0 = s * KILN_WT_BK;
            copyA.copy(as[s], p0, TRANS_A ? (long long) p0 * lda : p0, k);
            copyB.copy(bs[s], p0, TRANS_B ? p0 : (long long) p0 * ldb, k);
        }
        kiln_copy_commit();
    }
    int current = 0, next = KILN_WT_STAGES - 1;
    for (int t = 0; t < tiles; t++) {
        kiln_copy_wait<KILN_WT_STAGES - 2>();
        __syncthreads();
        if (t + KILN_WT_STAGES - 1 < tiles) {
            int p0 = (t + KILN_WT_STAGES - 1) * KILN_WT_BK;
            copyA.copy(as[next], p0, TRANS_A ? (long long) p0 * lda : p0, k);
            copyB.copy(bs[next], p0, TRANS_B ? p0 : (long long) p0 * ldb, k);
        }
        kiln_copy_commit();
        KILN_UNROLL
        for (int q = 0; q < KILN_WT_BK; q++) {
            kiln_outer_product_8x8(acc, &as[current][q][wr + tr], &bs[current][q][wc + tc], 32, 16);
        }
        current = current + 1 == KILN_WT_STAGES ? 0 : current + 1;
        next = next + 1 == KILN_WT_STAGES ? 0 : next + 1;
    }
    bool vectorC = n % 4 == 0 && kiln_aligned16(c);
    KILN_UNROLL
    for (int i = 0; i < 8; i++) {
        int row = row0 + wr + (i / 4) * 32 + tr + i % 4;
        KILN_UNROLL
        for (int h = 0; h < 2; h++) {
            kiln_store4(c, m, n, row, col0 + wc + h * 16 + tc,
                        make_float4(acc[i][h * 4], acc[i][h * 4 + 1], acc[i][h * 4 + 2], acc[i][h * 4 + 3]), vectorC);
        }
    }
}

// Step 5's kernel: C = A·B, row-major; grid (ceil(n/128), ceil(m/128)), block 256.
extern "C" __global__ void __launch_bounds__(256, 2) kiln_sgemm_warptile(float* c, const float* a, const float* b, int m, int n, int k) {
    __shared__ __align__(16) KilnWtTile as[KILN_WT_STAGES];
    __shared__ __align__(16) KilnWtTile bs[KILN_WT_STAGES];
    kiln_sgemm_wt<false, false>(c, a, b, m, n, k, as, bs);
}

// The engine's matrix product, on step 5's tiles: for each batch entry z, C_z = op(A_z)·op(B_z), where
// C_z = c + z·strideC is row-major [m, n]; A_z = a + z·strideA is row-major [m, k] (transA = 0) or
// [k, m] used transposed (transA = 1); B_z = b + z·strideB is [k, n] (transB = 0) or [n, k] used
// transposed (transB = 1). A stride of 0 broadcasts one matrix to every entry (not for C, whose entries
// must not overlap). So x·wᵀ and the gradients' products need no transposed copies. Strides in floats.
// Grid (ceil(n/128), ceil(m/128), batch), block 256, no dynamic shared memory; any m, n, k ≥ 0 (k = 0
// writes zeros).
extern "C" __global__ void __launch_bounds__(256, 2) kiln_sgemm_batched(float* c, const float* a, const float* b, int m, int n, int k, int transA,
                                                                        int transB, long long strideA, long long strideB, long long strideC) {
    __shared__ __align__(16) KilnWtTile as[KILN_WT_STAGES];
    __shared__ __align__(16) KilnWtTile bs[KILN_WT_STAGES];
    long long z = blockIdx.z;
    a += z * strideA;
    b += z * strideB;
    c += z * strideC;
    switch ((transA != 0) * 2 + (transB != 0)) {                // each case returns: ptxas then allocates
        case 0: kiln_sgemm_wt<false, false>(c, a, b, m, n, k, as, bs); return;   // registers per case, without spills
        case 1: kiln_sgemm_wt<false, true>(c, a, b, m, n, k, as, bs); return;
        case 2: kiln_sgemm_wt<true, false>(c, a, b, m, n, k, as, bs); return;
        default: kiln_sgemm_wt<true, true>(c, a, b, m, n, k, as, bs); return;
    }
}

// SGEMM, C = A·B for row-major A [M, K], B [K, N], C [M, N]: the ladder of SGEMM_CUDA's write-ups,
// one kernel per step, each checked against the CPU reference (kiln.kernels.cpu.Sgemm.sgemmReference).

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

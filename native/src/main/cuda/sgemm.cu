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

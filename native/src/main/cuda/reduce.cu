// Sums in float32 with float64 accumulators, in a fixed order (same result run after run, whatever
// the grid): CPU twin kiln.kernels.cpu.ReduceKernels (which also adds in double).

#define KILN_REDUCE_THREADS 256

// One block's threads combine their values pairwise in shared memory: a tree in a fixed order, so
// the same inputs give the same result. Every kernel that uses it runs blocks of
// KILN_REDUCE_THREADS threads (a power of two).
template <typename T, typename Combine>
__device__ T kiln_block_reduce(T value, Combine combine) {
    __shared__ T partial[KILN_REDUCE_THREADS];
    partial[threadIdx.x] = value;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            partial[threadIdx.x] = combine(partial[threadIdx.x], partial[threadIdx.x + half]);
        }
        __syncthreads();
    }
    T result = partial[0];
    __syncthreads();       // partial is reused by the next reduction of the same kernel
    return result;
}

__device__ double kiln_block_sum(double value) {
    return kiln_block_reduce(value, [](double a, double b) { return a + b; });
}

__device__ float kiln_block_max(float value) {
    return kiln_block_reduce(value, [](float a, float b) { return fmaxf(a, b); });
}

// Pass 1 of a sum of n floats: block b adds the elements b, b + gridDim.x·blockDim.x, ... of each
// thread's stride and writes one partial sum; pass 2 (the same kernel over the partials, one block,
// or kiln_sum_f64 below) adds those. Launch with blockDim.x = KILN_REDUCE_THREADS.
extern "C" __global__ void kiln_sum_f32(double* partials, const float* x, long long n) {
    double sum = 0.0;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        sum += x[i];
    }
    double total = kiln_block_sum(sum);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = total;
    }
}

// Pass 2: the partial sums of pass 1 (n of them) into out[0], by one block.
extern "C" __global__ void kiln_sum_f64(double* out, const double* partials, int n) {
    double sum = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        sum += partials[i];
    }
    double total = kiln_block_sum(sum);
    if (threadIdx.x == 0) {
        out[0] = total;
    }
}

// The sum of each row of a row-major [rows, cols] matrix: one block per row.
extern "C" __global__ void kiln_sum_rows_f32(float* out, const float* x, int rows, int cols) {
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* line = x + (long long) row * cols;
    double sum = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        sum += line[j];
    }
    double total = kiln_block_sum(sum);
    if (threadIdx.x == 0) {
        out[row] = (float) total;
    }
}

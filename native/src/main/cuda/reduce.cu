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
    KILN_GRID_STRIDE_LOOP(i, n) {
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

// ---------------------------------------------------------------------------------- rows and columns

// A NaN-propagating max and min (NaN wins, as kiln.kernels.cpu.ReduceKernels and torch.max).
__device__ float kiln_max_nan(float a, float b) { return a != a || b != b ? a + b : fmaxf(a, b); }
__device__ float kiln_min_nan(float a, float b) { return a != a || b != b ? a + b : fminf(a, b); }

// The reductions of a row, numbered as kiln.kernels.cpu.ReduceOp declares them.
enum KilnReduce { KILN_SUM_OP, KILN_MEAN_OP, KILN_MAX_OP, KILN_MIN_OP, KILN_VAR_OP, KILN_STD_OP, KILN_LOG_SUM_EXP_OP };

// Each row of a row-major [rows, cols] matrix reduced to one value: one block of KILN_REDUCE_THREADS
// threads per row. Sums in double over a fixed tree (same bits run after run); variance in two
// passes (the mean, then Σ (x − mean)² / max(0, cols − correction)); log-sum-exp shifted by the max.
// The caller launches MAX and MIN only for cols > 0, as the CPU refuses them.
extern "C" __global__ void kiln_reduce_rows_f32(float* out, const float* x, int rows, int cols, int op, int correction) {
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* line = x + (long long) row * cols;
    if (op == KILN_MAX_OP || op == KILN_MIN_OP) {
        bool max = op == KILN_MAX_OP;
        float best = max ? -INFINITY : INFINITY;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) best = max ? kiln_max_nan(best, line[j]) : kiln_min_nan(best, line[j]);
        float result = kiln_block_reduce(best, [max](float a, float b) { return max ? kiln_max_nan(a, b) : kiln_min_nan(a, b); });
        if (threadIdx.x == 0) out[row] = result;
        return;
    }
    float shift = 0.0f;                                   // log-sum-exp: the row's max keeps exp finite
    if (op == KILN_LOG_SUM_EXP_OP) {
        float best = -INFINITY;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) best = kiln_max_nan(best, line[j]);
        shift = kiln_block_reduce(best, [](float a, float b) { return kiln_max_nan(a, b); });
        if (isinf(shift) || shift != shift) {              // all −∞, a +∞, or a NaN: the max is the answer
            if (threadIdx.x == 0) out[row] = shift;
            return;
        }
    }
    double sum = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) sum += op == KILN_LOG_SUM_EXP_OP ? exp((double) line[j] - shift) : line[j];
    double total = kiln_block_sum(sum);
    double result = total;
    if (op == KILN_MEAN_OP) result = total / cols;
    if (op == KILN_LOG_SUM_EXP_OP) result = shift + log(total);
    if (op == KILN_VAR_OP || op == KILN_STD_OP) {
        double mean = total / cols, squares = 0.0;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) squares += (line[j] - mean) * (line[j] - mean);
        double variance = kiln_block_sum(squares) / (cols - correction > 0 ? cols - correction : 0);
        result = op == KILN_STD_OP ? sqrt(variance) : variance;
    }
    if (threadIdx.x == 0) out[row] = (float) result;
}

// The sum over the rows of a row-major [rows, cols] matrix, one thread per column adding its column
// top to bottom in double (the bias gradient of a linear layer: rows is the batch). Neighbouring
// threads read neighbouring columns, so each row's read is coalesced.
extern "C" __global__ void kiln_sum_columns_f32(float* out, const float* x, int rows, int cols) {
    KILN_GRID_STRIDE_LOOP(j, cols) {
        double sum = 0.0;
        for (int r = 0; r < rows; r++) sum += x[(long long) r * cols + j];
        out[j] = (float) sum;
    }
}

// The index of the first largest (max != 0) or smallest element of each row of a row-major
// [rows, cols] matrix, cols > 0; a NaN counts as both and the first NaN wins (as torch.argmax). One
// thread per row, reading the row in order: rows are short here (class scores), and many.
extern "C" __global__ void kiln_arg_reduce_rows_f32(long long* out, const float* x, int rows, int cols, int max) {
    KILN_GRID_STRIDE_LOOP(row, rows) {
        const float* line = x + row * cols;
        int best = 0;
        for (int j = 1; j < cols && line[best] == line[best]; j++) {
            float value = line[j];
            if (value != value || (max ? value > line[best] : value < line[best])) best = j;
        }
        out[row] = best;
    }
}

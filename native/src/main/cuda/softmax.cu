// Softmax over the rows of a row-major [rows, cols] matrix, and softmax + cross-entropy fused,
// forward and backward side by side: one block of KILN_REDUCE_THREADS threads per row.
// CPU twins: kiln.kernels.cpu.SoftmaxKernels and CrossEntropyKernels.

// What softmax needs of a row of cols values, over the block: its largest value (the shift that
// keeps exp finite) and Σ_j exp(in[j] − shift), added in double.
__device__ void kiln_row_shift_and_total(const float* in, int cols, float* shift, float* total) {
    float local = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) local = fmaxf(local, in[j]);
    *shift = kiln_block_max(local);
    double sum = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) sum += expf(in[j] - *shift);
    *total = (float) kiln_block_sum(sum);
}

// y[r, j] = exp(x[r, j] − max_r) / Σ_j exp(x[r, j] − max_r): shifting by the row's max keeps exp finite.
extern "C" __global__ void kiln_softmax_rows_f32(float* y, const float* x, int rows, int cols) {
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* in = x + (long long) row * cols;
    float* out = y + (long long) row * cols;
    float shift, total;
    kiln_row_shift_and_total(in, cols, &shift, &total);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) out[j] = expf(in[j] - shift) / total;
}

// y[r, j] = x[r, j] − max_r − log Σ_j exp(x[r, j] − max_r): log-softmax without ever taking the log of
// a rounded-to-zero probability.
extern "C" __global__ void kiln_log_softmax_rows_f32(float* y, const float* x, int rows, int cols) {
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* in = x + (long long) row * cols;
    float* out = y + (long long) row * cols;
    float shift, total;
    kiln_row_shift_and_total(in, cols, &shift, &total);
    float logTotal = logf(total);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) out[j] = in[j] - shift - logTotal;
}

// Fused softmax + cross-entropy for logits [rows, cols] and integer labels [rows]:
//   forward   loss[r]   = log Σ_j exp(x[r, j]) − x[r, label_r]            (per row; the caller averages)
//   backward  grad[r, j] = (softmax(x)[r, j] − [j == label_r]) · scale    (scale = 1/rows for the mean loss)
// A label outside [0, cols) writes NaN into its loss, so that the caller's NaN check reports it.
extern "C" __global__ void kiln_cross_entropy_f32(float* loss, float* grad, const float* x, const int* labels,
                                                  int rows, int cols, float scale) {
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* in = x + (long long) row * cols;
    float shift, total;
    kiln_row_shift_and_total(in, cols, &shift, &total);
    int label = labels[row];
    bool valid = label >= 0 && label < cols;
    if (threadIdx.x == 0) {
        loss[row] = valid ? logf(total) + shift - in[label] : NAN;
    }
    if (grad != nullptr) {
        float* g = grad + (long long) row * cols;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) {
            g[j] = (expf(in[j] - shift) / total - (j == label ? 1.0f : 0.0f)) * scale;
        }
    }
}

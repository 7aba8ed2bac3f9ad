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

// Softmax of each row, or log-softmax when log != 0:
//   softmax     y[r, j] = exp(x[r, j] − max_r) / Σ_j exp(x[r, j] − max_r)   (the shift keeps exp finite)
//   log-softmax y[r, j] = x[r, j] − max_r − log Σ_j exp(x[r, j] − max_r)     (never the log of a probability rounded to 0)
extern "C" __global__ void kiln_softmax_rows_f32(float* y, const float* x, int rows, int cols, int log) {
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* in = x + (long long) row * cols;
    float* out = y + (long long) row * cols;
    float shift, total;
    kiln_row_shift_and_total(in, cols, &shift, &total);
    float logTotal = logf(total);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) out[j] = log ? in[j] - shift - logTotal : expf(in[j] - shift) / total;
}

// Softmax cross-entropy of rows of logits x [rows, cols] against one int64 class index y per row,
// forward and backward side by side (CPU twin: kiln.kernels.cpu.CrossEntropyKernels):
//   lse[r]   = log Σ_c exp(x[r, c])                       (shifted by the row's max)
//   loss[r]  = lse[r] − x[r, y_r]                          (0 where y_r is the ignore index)
//   dx[r, c] = g[r] · (exp(x[r, c] − lse[r]) − [c = y_r])  (0 on ignored rows)
// The forward keeps lse per row, so the backward recomputes the softmax from the logits instead of
// reading a saved [rows, cols] softmax. The host checks the labels first; a label out of range that
// is not the ignore index still gives a NaN loss here rather than a read out of bounds.
extern "C" __global__ void kiln_cross_entropy_forward_f32(float* loss, float* logSumExp, const float* x, const long long* labels,
                                                          long long ignoreIndex, int rows, int cols) {
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* in = x + (long long) row * cols;
    float shift, total;
    kiln_row_shift_and_total(in, cols, &shift, &total);
    if (threadIdx.x == 0) {
        float lse = isinf(shift) || shift != shift ? shift : shift + logf(total);
        long long label = labels[row];
        logSumExp[row] = lse;
        loss[row] = label == ignoreIndex ? 0.0f : label >= 0 && label < cols ? lse - in[label] : NAN;
    }
}

extern "C" __global__ void kiln_cross_entropy_backward_f32(float* dx, const float* g, const float* x, const long long* labels,
                                                           long long ignoreIndex, const float* logSumExp, int rows, int cols) {
    int row = blockIdx.x;
    if (row >= rows) return;
    const float* in = x + (long long) row * cols;
    float* out = dx + (long long) row * cols;
    long long label = labels[row];
    float scale = label == ignoreIndex ? 0.0f : g[row], lse = logSumExp[row];
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        out[j] = label == ignoreIndex ? 0.0f : scale * (expf(in[j] - lse) - (j == label ? 1.0f : 0.0f));
    }
}

// Batch normalisation of float32 x [N, C, S] over every axis but the channels (S = H·W for NCHW
// images, 1 for features [N, C]): n = N·S values per channel, forward and backward side by side.
// CPU twin: kiln.kernels.cpu.BatchNormKernels, as kiln.engine.BatchNormalization composes it:
//   training:    μ, σ² = mean and biased variance of each channel's n values (two passes, in double)
//                running_mean ← (1 − momentum)·running_mean + momentum·μ
//                running_var  ← (1 − momentum)·running_var  + momentum·σ²·n/(n − 1)
//   evaluation:  μ, σ² = running_mean, running_var
//   both:        y = (x − μ)·scale + β,   scale = γ·invStd,   invStd = 1/√(σ² + ε)
//   backward:    dβ = Σ g,   dγ = Σ g·(x − μ)·invStd
//                dx = (g − Σg/n − (x − μ)·Σ g·(x − μ)·invStd²/n)·scale
// The per-channel kernels run one block of KILN_REDUCE_THREADS threads per channel (grid = C): the
// block's sums are reduce.cu's kiln_block_sum, in double and in a fixed order (the same result run
// after run).

// Where the k-th of channel c's n values lies in x [N, C, S]: sample k / S, position k % S.
__device__ long long kiln_channel_at(int c, long long k, int channels, int spatial) {
    return (k / spatial * channels + c) * spatial + k % spatial;
}

// Training forward: μ and σ² of channel c = blockIdx.x (the mean first, then Σ(x − μ)², both added in
// double), saved as mean[c] = μ and invStd[c] = 1/√(σ² + ε) (float) for the backward pass; the running
// statistics updated in place when runningMean is not null (then runningVar must not be either); and
// y = (x − μ)·scale + shift, one fused multiply-add, with x − μ taken with μ in float and shift = β
// corrected for what that leaves out (as BatchNormalization.forward). Grid C, block KILN_REDUCE_THREADS.
extern "C" __global__ void kiln_batch_norm_f32(float* y, float* mean, float* invStd, float* runningMean, float* runningVar,
                                               const float* x, const float* gamma, const float* beta,
                                               int batch, int channels, int spatial, float momentum, float eps) {
    int c = blockIdx.x;
    if (c >= channels) return;
    long long n = (long long) batch * spatial;
    double sum = 0.0;
    for (long long k = threadIdx.x; k < n; k += blockDim.x) sum += x[kiln_channel_at(c, k, channels, spatial)];
    double mu = kiln_block_sum(sum) / n;
    double squares = 0.0;
    for (long long k = threadIdx.x; k < n; k += blockDim.x) {
        double deviation = x[kiln_channel_at(c, k, channels, spatial)] - mu;
        squares += deviation * deviation;
    }
    double variance = kiln_block_sum(squares) / n;
    float muF = (float) mu;
    float inverse = (float) (1.0 / sqrt(variance + eps));
    if (threadIdx.x == 0) {
        mean[c] = muF;
        invStd[c] = inverse;
        if (runningMean != nullptr) {
            runningMean[c] = (float) ((1.0 - momentum) * runningMean[c] + momentum * mu);
            runningVar[c] = (float) ((1.0 - momentum) * runningVar[c] + momentum * variance * n / (n - 1.0));
        }
    }
    float scale = gamma[c] * inverse;
    float shift = (float) (beta[c] - (mu - muF) * scale);
    for (long long k = threadIdx.x; k < n; k += blockDim.x) {
        long long at = kiln_channel_at(c, k, channels, spatial);
        y[at] = fmaf(x[at] - muF, scale, shift);
    }
}

// Evaluation forward: y = (x − running_mean[c])·scale + β[c], scale = γ[c]/√(running_var[c] + ε) (the
// square root in double, as the CPU). Elementwise: one thread per element of x, in a grid-stride loop.
extern "C" __global__ void kiln_batch_norm_eval_f32(float* y, const float* x, const float* gamma, const float* beta,
                                                    const float* runningMean, const float* runningVar,
                                                    int batch, int channels, int spatial, float eps) {
    long long total = (long long) batch * channels * spatial;
    KILN_GRID_STRIDE_LOOP(e, total) {
        int c = (int) (e / spatial % channels);
        float scale = gamma[c] * (float) (1.0 / sqrt((double) runningVar[c] + eps));
        y[e] = fmaf(x[e] - runningMean[c], scale, beta[c]);
    }
}

// Training backward, for the upstream gradient g = dy and the mean and invStd the forward pass saved:
// Σg and Σg·(x − μ) of channel c = blockIdx.x, added in double (x − μ in float, as the CPU's sums), give
//   dbeta[c] = Σg,   dgamma[c] = Σg·(x − μ)·invStd                        (both overwritten)
//   dx = ((g − gMean) − (x − μ)·k)·scale,   gMean = Σg/n,  k = Σg·(x − μ)·invStd²/n,  scale = γ·invStd
// (BatchNormKernels.inputGradient's fused multiply-add). Grid C, block KILN_REDUCE_THREADS.
extern "C" __global__ void kiln_batch_norm_backward_f32(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                                                        const float* gamma, const float* mean, const float* invStd,
                                                        int batch, int channels, int spatial) {
    int c = blockIdx.x;
    if (c >= channels) return;
    long long n = (long long) batch * spatial;
    float mu = mean[c], inverse = invStd[c];
    double gradSum = 0.0, gradDot = 0.0;
    for (long long k = threadIdx.x; k < n; k += blockDim.x) {
        long long at = kiln_channel_at(c, k, channels, spatial);
        float centred = x[at] - mu;
        gradSum += dy[at];
        gradDot += (double) dy[at] * centred;
    }
    gradSum = kiln_block_sum(gradSum);
    gradDot = kiln_block_sum(gradDot);
    if (threadIdx.x == 0) {
        dbeta[c] = (float) gradSum;
        dgamma[c] = (float) (gradDot * inverse);
    }
    float gMean = (float) (gradSum / n);
    float slope = (float) (gradDot * inverse * inverse / n);
    float scale = gamma[c] * inverse;
    for (long long k = threadIdx.x; k < n; k += blockDim.x) {
        long long at = kiln_channel_at(c, k, channels, spatial);
        float centred = x[at] - mu;
        dx[at] = fmaf(-centred, slope, dy[at] - gMean) * scale;
    }
}

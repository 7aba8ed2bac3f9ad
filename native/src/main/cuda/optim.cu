// Fused optimizer updates: one pass over parameters, gradients and state, one thread per element.
// CPU twin: kiln.kernels.cpu.OptimizerKernels (the same formulas, in the same order).

// Adam, with AdamW's decoupled weight decay when decoupled != 0 (else L2 added to the gradient):
//   g' = g (+ weightDecay·p)                    m = β1·m + (1 − β1)·g'      v = β2·v + (1 − β2)·g'²
//   p  = p (− lr·weightDecay·p) − lr · (m / c1) / (√(v / c2) + ε)      c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ
extern "C" __global__ void kiln_adam_f32(float* p, const float* g, float* m, float* v, long long n,
                                         float lr, float beta1, float beta2, float eps, float weightDecay,
                                         int decoupled, float c1, float c2) {
    KILN_GRID_STRIDE_LOOP(i, n) {
        float param = p[i];
        float grad = g[i];
        if (!decoupled) grad += weightDecay * param;
        float mi = beta1 * m[i] + (1.0f - beta1) * grad;
        float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
        m[i] = mi;
        v[i] = vi;
        if (decoupled) param -= lr * weightDecay * param;
        p[i] = param - lr * (mi / c1) / (sqrtf(vi / c2) + eps);
    }
}

// SGD with momentum (PyTorch's form): b = μ·b + g (b = g on the first step), p = p − lr·b.
extern "C" __global__ void kiln_sgd_momentum_f32(float* p, const float* g, float* b, long long n,
                                                 float lr, float momentum, int firstStep) {
    KILN_GRID_STRIDE_LOOP(i, n) {
        float buffer = firstStep ? g[i] : momentum * b[i] + g[i];
        b[i] = buffer;
        p[i] -= lr * buffer;
    }
}

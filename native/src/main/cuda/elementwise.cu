// Elementwise kernels over contiguous float32 buffers of n elements: one thread per element, in a
// grid-stride loop, so that any grid covers any n (the launcher picks the grid from the device).
// CPU twins: kiln.kernels.cpu.BinaryKernels and UnaryKernels.

extern "C" __global__ void kiln_fill_f32(float* out, float value, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        out[i] = value;
    }
}

extern "C" __global__ void kiln_add_f32(float* out, const float* a, const float* b, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        out[i] = a[i] + b[i];
    }
}

extern "C" __global__ void kiln_mul_f32(float* out, const float* a, const float* b, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        out[i] = a[i] * b[i];
    }
}

// ReLU forward, and its backward beside it: the gradient passes where the input was positive.
extern "C" __global__ void kiln_relu_f32(float* out, const float* x, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        out[i] = x[i] > 0.0f ? x[i] : 0.0f;
    }
}

extern "C" __global__ void kiln_relu_grad_f32(float* dx, const float* x, const float* dy, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
    }
}

// Elementwise kernels: one thread per element, in a grid-stride loop, so that any grid covers any n
// (the launcher picks the grid from the device). Fill writes a contiguous tensor; the others take any
// views: broadcast operands (stride 0), transposes, slices. CPU twins: kiln.kernels.cpu.UnaryKernels,
// BinaryKernels and CompareKernels.

extern "C" __global__ void kiln_fill_f32(float* out, float value, long long n) {
    KILN_GRID_STRIDE_LOOP(i, n) out[i] = value;
}

// ---------------------------------------------------------------------------------- strided views

// Up to four operands of one shape, each with its own strides (in elements), passed by value: the
// Java side (CudaBackend.layout) fills it, merging dimensions that are contiguous in every operand,
// so that a contiguous op arrives with rank 1. Operand 0 is the output.
#define KILN_MAX_RANK 8
struct KilnLayout {
    long long rank;
    long long shape[KILN_MAX_RANK];
    long long stride[4][KILN_MAX_RANK];
};

// Where element i (in row-major order of the shape) of each operand lies: the digits of i in the
// mixed radix of the shape, weighted by each operand's strides.
__device__ void kiln_offsets(const KilnLayout& layout, long long i, int operands, long long* offset) {
    for (int o = 0; o < operands; o++) offset[o] = 0;
    for (int d = (int) layout.rank - 1; d >= 0; d--) {
        long long digit = i % layout.shape[d];
        i /= layout.shape[d];
        for (int o = 0; o < operands; o++) offset[o] += digit * layout.stride[o][d];
    }
}

// The functions of one input, numbered as kiln.kernels.cpu.UnaryOp declares them (its ordinal), then
// three with parameters: a copy, x^p, and clamp to [p, q].
enum KilnMap {
    KILN_NEG, KILN_ABS, KILN_EXP, KILN_LOG, KILN_SQRT, KILN_RSQRT, KILN_TANH, KILN_SIGMOID, KILN_RELU,
    KILN_GELU, KILN_SIN, KILN_COS,
    KILN_COPY = 100, KILN_POW_SCALAR, KILN_CLAMP
};

__device__ float kiln_map(int op, float x, float p, float q) {
    switch (op) {
        case KILN_NEG: return -x;
        case KILN_ABS: return fabsf(x);
        case KILN_EXP: return expf(x);
        case KILN_LOG: return logf(x);
        case KILN_SQRT: return sqrtf(x);
        case KILN_RSQRT: return 1.0f / sqrtf(x);
        case KILN_TANH: return tanhf(x);
        case KILN_SIGMOID: return 1.0f / (1.0f + expf(-x));
        case KILN_RELU: return x > 0.0f || x != x ? x : 0.0f;             // NaN stays NaN
        case KILN_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
        case KILN_SIN: return sinf(x);
        case KILN_COS: return cosf(x);
        case KILN_COPY: return x;
        case KILN_POW_SCALAR: return powf(x, p);
        case KILN_CLAMP: return fminf(fmaxf(x, p), q);
        default: return __int_as_float(0x7fc00000);                          // an unknown op: NaN, never silence
    }
}

// out = f(in) over a strided layout (operands: out, in); p and q are the parameters of POW_SCALAR and CLAMP.
extern "C" __global__ void kiln_map_f32(float* out, const float* in, KilnLayout layout, long long n, int op, float p, float q) {
    KILN_GRID_STRIDE_LOOP(i, n) {
        long long at[2];
        kiln_offsets(layout, i, 2, at);
        out[at[0]] = kiln_map(op, in[at[1]], p, q);
    }
}

// The functions of two inputs, numbered as kiln.kernels.cpu.BinaryOp declares them.
enum KilnZip { KILN_ADD, KILN_SUB, KILN_MUL, KILN_DIV, KILN_POW, KILN_MAX, KILN_MIN, KILN_RELU_GRAD };

__device__ float kiln_zip(int op, float a, float b) {
    switch (op) {
        case KILN_ADD: return a + b;
        case KILN_SUB: return a - b;
        case KILN_MUL: return a * b;
        case KILN_DIV: return a / b;
        case KILN_POW: return powf(a, b);
        case KILN_MAX: return a != a || b != b ? a + b : (a > b || (a == b && !signbit(a)) ? a : b);   // NaN wins; +0 > −0
        case KILN_MIN: return a != a || b != b ? a + b : (a < b || (a == b && signbit(a)) ? a : b);    // NaN wins; −0 < +0
        case KILN_RELU_GRAD: return b > 0.0f ? a : 0.0f;
        default: return __int_as_float(0x7fc00000);
    }
}

// out = op(a, b) over a strided layout (operands: out, a, b). out may be a itself (accumulation).
extern "C" __global__ void kiln_zip_f32(float* out, const float* a, const float* b, KilnLayout layout, long long n, int op) {
    KILN_GRID_STRIDE_LOOP(i, n) {
        long long at[3];
        kiln_offsets(layout, i, 3, at);
        out[at[0]] = kiln_zip(op, a[at[1]], b[at[2]]);
    }
}

// The dtypes, numbered as kiln.engine.DType declares them. Element i of an array of any dtype is read
// as a double (floating types) or a 64-bit integer (integers and bool), so that one kernel serves all.
enum KilnDType { KILN_FLOAT32, KILN_FLOAT64, KILN_INT32, KILN_INT64, KILN_BOOL };

__device__ bool kiln_is_integer(int type) { return type == KILN_INT32 || type == KILN_INT64 || type == KILN_BOOL; }

__device__ double kiln_load_real(const void* data, int type, long long i) {
    return type == KILN_FLOAT32 ? ((const float*) data)[i] : ((const double*) data)[i];
}

__device__ long long kiln_load_whole(const void* data, int type, long long i) {
    switch (type) {
        case KILN_INT32: return ((const int*) data)[i];
        case KILN_INT64: return ((const long long*) data)[i];
        default: return ((const unsigned char*) data)[i];
    }
}

// out (bool, one byte) = a op b for a and b of one dtype, the comparisons numbered as
// kiln.kernels.cpu.CompareOp declares them (NaN compares false, except ≠). Operands: out, a, b.
enum KilnCompare { KILN_EQ, KILN_NE, KILN_LT, KILN_LE, KILN_GT, KILN_GE };

template <typename T>
__device__ bool kiln_compare_values(int op, T x, T y) {
    return op == KILN_EQ ? x == y : op == KILN_NE ? x != y : op == KILN_LT ? x < y
         : op == KILN_LE ? x <= y : op == KILN_GT ? x > y : x >= y;
}

extern "C" __global__ void kiln_compare(unsigned char* out, const void* a, const void* b, int type, KilnLayout layout, long long n, int op) {
    KILN_GRID_STRIDE_LOOP(i, n) {
        long long at[3];
        kiln_offsets(layout, i, 3, at);
        bool result = kiln_is_integer(type) ? kiln_compare_values(op, kiln_load_whole(a, type, at[1]), kiln_load_whole(b, type, at[2]))
                                            : kiln_compare_values(op, kiln_load_real(a, type, at[1]), kiln_load_real(b, type, at[2]));
        out[at[0]] = result ? 1 : 0;
    }
}

// out = cond ? a : b (cond bool; a, b and out of one dtype, elements of `bytes` bytes: 1, 4 or 8,
// moved as they are). Operands: out, cond, a, b.
extern "C" __global__ void kiln_where(void* out, const unsigned char* cond, const void* a, const void* b, int bytes, KilnLayout layout, long long n) {
    KILN_GRID_STRIDE_LOOP(i, n) {
        long long at[4];
        kiln_offsets(layout, i, 4, at);
        const void* from = cond[at[1]] ? a : b;
        long long j = cond[at[1]] ? at[2] : at[3];
        switch (bytes) {
            case 1: ((unsigned char*) out)[at[0]] = ((const unsigned char*) from)[j]; break;
            case 4: ((int*) out)[at[0]] = ((const int*) from)[j]; break;
            default: ((long long*) out)[at[0]] = ((const long long*) from)[j]; break;
        }
    }
}

// out = in, converting the element type. Integers travel as 64-bit integers, the rest as double; to
// bool is "not zero"; floating to integer truncates toward zero. Operands: out, in.
extern "C" __global__ void kiln_convert(void* out, int outType, const void* in, int inType, KilnLayout layout, long long n) {
    KILN_GRID_STRIDE_LOOP(i, n) {
        long long at[2];
        kiln_offsets(layout, i, 2, at);
        bool integer = kiln_is_integer(inType);
        long long whole = integer ? kiln_load_whole(in, inType, at[1]) : 0;
        double real = integer ? (double) whole : kiln_load_real(in, inType, at[1]);
        if (!integer) whole = (long long) real;
        switch (outType) {
            case KILN_FLOAT32: ((float*) out)[at[0]] = (float) real; break;
            case KILN_FLOAT64: ((double*) out)[at[0]] = real; break;
            case KILN_INT32: ((int*) out)[at[0]] = (int) whole; break;
            case KILN_INT64: ((long long*) out)[at[0]] = whole; break;
            default: ((unsigned char*) out)[at[0]] = integer ? whole != 0 : real != 0.0; break;
        }
    }
}

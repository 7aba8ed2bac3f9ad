// Kiln's CUDA kernels as one translation unit, so that nvcc makes one fatbin and Java loads one module.
// Each op family lives in its own file; every kernel is extern "C", so that its name in the module is
// the name written here (Java looks kernels up by name with cuModuleGetFunction).
#include "common.cuh"
#include "elementwise.cu"
#include "reduce.cu"
#include "softmax.cu"
#include "optim.cu"
#include "sgemm.cu"
#include "conv.cu"
#include "pool.cu"
#include "norm.cu"
#include "embedding.cu"

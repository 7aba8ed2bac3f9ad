// What CUDA C's device code needs, on a CPU, so that g++ compiles Kiln's kernels (native/src/main/cuda)
// unchanged for the fake driver: every thread of a block is a fiber with its own stack; one
// OS thread runs a block's fibers in turn, switching at __syncthreads and at warp shuffles, so that
// each fiber sees the others' writes to shared memory exactly as the barrier promises. Blocks run one
// after another, so __shared__ variables can be plain statics (one block's copy at a time).
//
// This is for checking the kernels' logic (indexing, edges, barriers, reductions), not their speed:
// a launch costs microseconds per thread. The scheduler is in cuda_emulator.cpp.
#pragma once
#include <cmath>
#include <cstring>
#include <cstdint>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))

struct uint3 { unsigned int x, y, z; };
struct dim3 { unsigned int x, y, z; };
struct float4 { float x, y, z, w; };
struct int4 { int x, y, z, w; };

namespace kiln_emulator {
// The fiber now running: its thread index, and its lane and warp for shuffles.
struct Thread {
    uint3 index;
    int linear;                      // x + y·blockDim.x + z·blockDim.x·blockDim.y
};
extern Thread* current;
extern uint3 block_index;
extern dim3 block_dim, grid_dim;
void sync_block();
void sync_warp();
// Per warp, one 8-byte slot per lane: how shuffles pass values between the fibers of a warp.
uint64_t* warp_slots();
}

#define threadIdx (kiln_emulator::current->index)
#define blockIdx (kiln_emulator::block_index)
#define blockDim (kiln_emulator::block_dim)
#define gridDim (kiln_emulator::grid_dim)
#define warpSize 32

inline void __syncthreads() { kiln_emulator::sync_block(); }
inline void __syncwarp(unsigned int = 0xffffffffu) { kiln_emulator::sync_warp(); }

// Shuffles: every lane of the warp posts its value, waits for the others, reads its source lane's value,
// and waits again so that no lane overwrites a slot another still has to read. Only full warps (mask
// 0xffffffff), as Kiln's kernels use them.
template <typename T>
inline T kiln_shuffle(T value, int source_lane, bool keep_own) {
    static_assert(sizeof(T) <= 8, "shuffles move at most 8 bytes");
    uint64_t* slots = kiln_emulator::warp_slots();
    int lane = kiln_emulator::current->linear % 32;
    std::memcpy(&slots[lane], &value, sizeof(T));
    kiln_emulator::sync_warp();
    T result = value;
    if (!keep_own) std::memcpy(&result, &slots[source_lane], sizeof(T));
    kiln_emulator::sync_warp();
    return result;
}

template <typename T>
inline T __shfl_down_sync(unsigned int, T value, unsigned int delta, int width = 32) {
    int lane = kiln_emulator::current->linear % 32;
    int in_segment = lane % width;
    return kiln_shuffle(value, lane + (int) delta, in_segment + (int) delta >= width);
}

template <typename T>
inline T __shfl_xor_sync(unsigned int, T value, int mask, int width = 32) {
    int lane = kiln_emulator::current->linear % 32;
    int source = lane ^ mask;
    return kiln_shuffle(value, source, source / width != lane / width);
}

template <typename T>
inline T __shfl_sync(unsigned int, T value, int source_lane, int width = 32) {
    int lane = kiln_emulator::current->linear % 32;
    return kiln_shuffle(value, (lane / width) * width + source_lane % width, false);
}

// One OS thread runs every fiber, so read-modify-write is atomic already.
inline float atomicAdd(float* address, float value) { float old = *address; *address = old + value; return old; }
inline double atomicAdd(double* address, double value) { double old = *address; *address = old + value; return old; }
inline int atomicAdd(int* address, int value) { int old = *address; *address = old + value; return old; }

template <typename T>
inline T __ldg(const T* address) { return *address; }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __int_as_float(int bits) { float f; std::memcpy(&f, &bits, 4); return f; }
inline int __float_as_int(float f) { int bits; std::memcpy(&bits, &f, 4); return bits; }
using std::signbit;
using std::isinf;
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

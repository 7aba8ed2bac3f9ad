// Runs Kiln's CUDA kernels on the CPU for the fake driver (fake_cuda.c): the kernels' own source
// (native/src/main/cuda/kiln.cu), compiled by g++ over cuda_emulator.h, launched block by block with
// one fiber per thread, on the calling thread. A launch whose threads wait at barriers that can never all be reached (some
// at __syncthreads, the rest finished or at a shuffle) fails, as it would hang a GPU.
#include "cuda_emulator.h"

#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <type_traits>
#include <utility>
#include <mutex>
#include <vector>

#include "kiln.cu"

extern "C" int kiln_fake_is_device_pointer(const void* pointer);   // fake_cuda.c: inside an allocation?

namespace kiln_emulator {
Thread* current;
uint3 block_index;
dim3 block_dim, grid_dim;

namespace {
// Switching fibers: save the callee-saved registers and the floating-point control words on the
// current stack, store the stack pointer in *save, load `load` and restore what was saved there.
// (ucontext's swapcontext would also do, but it makes a system call per switch: 30 times slower.)
#if !defined(__x86_64__)
#error "the CUDA emulator switches fibers with x86-64 instructions"
#endif
extern "C" void kiln_switch(void** save, void* load);
asm(R"(
    .text
    .globl kiln_switch
    .type kiln_switch, @function
kiln_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size kiln_switch, .-kiln_switch
)");

enum class State { READY, AT_BLOCK_BARRIER, AT_WARP_BARRIER, DONE };

struct Fiber {
    Thread thread;
    State state;
    void* sp;                              // its saved stack pointer while it is not running
    char* stack;
};

constexpr size_t STACK_BYTES = 64 * 1024;
std::vector<Fiber> fibers;                 // reused from launch to launch: stacks are allocated once
std::vector<uint64_t> slots;               // 32 per warp
void* scheduler;
Fiber* running;
void (*body)(void**);                      // the kernel being launched, with its parameters
void** parameters;
std::mutex one_launch_at_a_time;           // the scheduler's state is global

void pause(State state) {
    running->state = state;
    kiln_switch(&running->sp, scheduler);
}

[[noreturn]] void fiber_main() {
    body(parameters);
    running->state = State::DONE;
    kiln_switch(&running->sp, scheduler);
    __builtin_unreachable();              // a finished fiber is never switched back to
}

// A fresh stack laid out as kiln_switch leaves one: control words, six registers, then the address
// it "returns" to (fiber_main) and an empty slot, so that fiber_main starts with the stack aligned as
// after a call.
void* fresh_stack(char* stack) {
    uint64_t* top = reinterpret_cast<uint64_t*>(stack + STACK_BYTES);
    *--top = 0;                                           // fiber_main's return address: never used
    *--top = reinterpret_cast<uint64_t>(&fiber_main);
    for (int r = 0; r < 6; r++) *--top = 0;               // rbp, rbx, r12–r15
    *--top = 0x1f80ull | (0x037full << 32);               // MXCSR and x87 control word: the defaults
    return top;
}

// Lets the waiting fibers of each warp go on when every unfinished lane of that warp waits at a warp
// barrier; else, when every unfinished fiber waits at __syncthreads, lets them all go on.
bool release(int threads) {
    bool released = false;
    for (int warp0 = 0; warp0 < threads; warp0 += 32) {
        int end = warp0 + 32 < threads ? warp0 + 32 : threads, waiting = 0, live = 0;
        for (int t = warp0; t < end; t++) {
            if (fibers[t].state != State::DONE) live++;
            if (fibers[t].state == State::AT_WARP_BARRIER) waiting++;
        }
        if (waiting > 0 && waiting == live) {
            for (int t = warp0; t < end; t++) if (fibers[t].state == State::AT_WARP_BARRIER) fibers[t].state = State::READY;
            released = true;
        }
    }
    if (released) return true;
    int live = 0, waiting = 0;
    for (int t = 0; t < threads; t++) {
        if (fibers[t].state != State::DONE) live++;
        if (fibers[t].state == State::AT_BLOCK_BARRIER) waiting++;
    }
    if (waiting > 0 && waiting == live) {
        for (int t = 0; t < threads; t++) if (fibers[t].state == State::AT_BLOCK_BARRIER) fibers[t].state = State::READY;
        return true;
    }
    return false;
}

// Runs one block to its end; false if its threads deadlock at barriers.
bool run_block(int threads) {
    for (int t = 0; t < threads; t++) {
        Fiber& f = fibers[t];
        f.thread.linear = t;
        f.thread.index = {t % block_dim.x, (t / block_dim.x) % block_dim.y, t / (block_dim.x * block_dim.y)};
        f.state = State::READY;
        f.sp = fresh_stack(f.stack);
    }
    for (;;) {
        bool ran = false, finished = true;
        for (int t = 0; t < threads; t++) {
            Fiber& f = fibers[t];
            if (f.state == State::READY) {
                running = &f;
                current = &f.thread;
                ran = true;
                kiln_switch(&scheduler, f.sp);
            }
            if (f.state != State::DONE) finished = false;
        }
        if (finished) return true;
        if (!ran && !release(threads)) return false;
    }
}

// A kernel's parameters as the driver passes them (params[i] points at argument i), unpacked into a
// call with the types the kernel declares. Every pointer argument must point into device memory.
template <typename... Args, size_t... I>
void call(void (*kernel)(Args...), void** params, std::index_sequence<I...>) {
    kernel(*static_cast<std::remove_reference_t<Args>*>(params[I])...);
}

template <typename... Args, size_t... I>
bool pointers_valid(void** params, std::index_sequence<I...>) {
    bool valid = true;
    ((valid = valid && (!std::is_pointer_v<Args> || kiln_fake_is_device_pointer(*static_cast<void**>(params[I])))), ...);
    return valid;
}

struct Kernel {
    const char* name;
    void (*run)(void**);
    bool (*valid)(void**);
};

template <auto kernel>
struct Entry;

template <typename... Args, void (*kernel)(Args...)>
struct Entry<kernel> {
    static void run(void** params) { call(kernel, params, std::index_sequence_for<Args...>{}); }
    static bool valid(void** params) { return pointers_valid<Args...>(params, std::index_sequence_for<Args...>{}); }
};

#define KILN_KERNEL(name) {#name, &Entry<name>::run, &Entry<name>::valid},
const Kernel KERNELS[] = {
#include "kernels.inc"
};
}  // namespace

void sync_block() { pause(State::AT_BLOCK_BARRIER); }
void sync_warp() { pause(State::AT_WARP_BARRIER); }
uint64_t* warp_slots() { return &slots[(size_t) (current->linear / 32) * 32]; }
}  // namespace kiln_emulator

using namespace kiln_emulator;

// Whether the emulator has a kernel of this name.
extern "C" int kiln_emulator_has(const char* name) {
    for (const Kernel& k : KERNELS) if (std::strcmp(k.name, name) == 0) return 1;
    return 0;
}

// Runs kernel `name` over the grid. Returns 0 when done, 1 (invalid value) when a pointer argument is
// not device memory, 2 when the kernel is unknown, 719 (CUDA_ERROR_LAUNCH_FAILED) on a deadlock.
extern "C" int kiln_emulator_launch(const char* name, const unsigned int grid[3], const unsigned int block[3], void** params) {
    const Kernel* kernel = nullptr;
    for (const Kernel& k : KERNELS) if (std::strcmp(k.name, name) == 0) kernel = &k;
    if (!kernel) return 2;
    if (!kernel->valid(params)) return 1;
    std::lock_guard<std::mutex> lock(one_launch_at_a_time);
    int threads = (int) (block[0] * block[1] * block[2]);
    while ((int) fibers.size() < threads) {
        fibers.emplace_back();
        fibers.back().stack = static_cast<char*>(std::aligned_alloc(64, STACK_BYTES));
    }
    slots.assign((size_t) (threads + 31) / 32 * 32, 0);
    block_dim = {block[0], block[1], block[2]};
    grid_dim = {grid[0], grid[1], grid[2]};
    body = kernel->run;
    parameters = params;
    for (unsigned int z = 0; z < grid[2]; z++) {
        for (unsigned int y = 0; y < grid[1]; y++) {
            for (unsigned int x = 0; x < grid[0]; x++) {
                block_index = {x, y, z};
                if (!run_block(threads)) return 719;
            }
        }
    }
    return 0;
}

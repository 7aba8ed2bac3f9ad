// A fake CUDA driver for tests without a GPU: the driver calls Kiln binds, carried out on the CPU,
// so that CI can check the binding's marshalling (argument order and widths, out-parameters, error
// codes and names), module loading and its errors, and device-memory bookkeeping.
//
// Device memory is host memory from malloc; a CUdeviceptr is its address. A module image is text:
// "KILNFAKE" then kernel names, one per line, or "*" for every kernel of Kiln's; a fatbin (Kiln's,
// from kiln-native) also stands for every kernel, so that whole programs run on the fake; anything
// else is CUDA_ERROR_INVALID_IMAGE. Kiln's kernels run when launched: their CUDA C source, compiled for the
// CPU (cuda_emulator.cpp), reads the parameters as the kernels declare them, so that the tests check
// both what Java passes and what the kernels compute; a name the tests made up is only recorded.
// Functions named kilnFake* are for the tests: they read the fake's bookkeeping.
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum {
    CUDA_SUCCESS = 0, CUDA_ERROR_INVALID_VALUE = 1, CUDA_ERROR_OUT_OF_MEMORY = 2, CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101, CUDA_ERROR_INVALID_IMAGE = 200, CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400, CUDA_ERROR_NOT_FOUND = 500, CUDA_ERROR_LAUNCH_FAILED = 719
};

static int initialised;
static int context_retained;
static void *current_context;
static int primary_context_token;

// ------------------------------------------------------------------------------ errors

CUresult cuGetErrorName(CUresult error, const char **name) {
    switch (error) {
        case CUDA_SUCCESS: *name = "CUDA_SUCCESS"; return CUDA_SUCCESS;
        case CUDA_ERROR_INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; return CUDA_SUCCESS;
        case CUDA_ERROR_OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return CUDA_SUCCESS;
        case CUDA_ERROR_NOT_INITIALIZED: *name = "CUDA_ERROR_NOT_INITIALIZED"; return CUDA_SUCCESS;
        case CUDA_ERROR_INVALID_DEVICE: *name = "CUDA_ERROR_INVALID_DEVICE"; return CUDA_SUCCESS;
        case CUDA_ERROR_INVALID_IMAGE: *name = "CUDA_ERROR_INVALID_IMAGE"; return CUDA_SUCCESS;
        case CUDA_ERROR_INVALID_CONTEXT: *name = "CUDA_ERROR_INVALID_CONTEXT"; return CUDA_SUCCESS;
        case CUDA_ERROR_INVALID_HANDLE: *name = "CUDA_ERROR_INVALID_HANDLE"; return CUDA_SUCCESS;
        case CUDA_ERROR_NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; return CUDA_SUCCESS;
        case CUDA_ERROR_LAUNCH_FAILED: *name = "CUDA_ERROR_LAUNCH_FAILED"; return CUDA_SUCCESS;
        default: *name = 0; return CUDA_ERROR_INVALID_VALUE;
    }
}

// ------------------------------------------------------------------------------ device and context

CUresult cuInit(unsigned int flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    initialised = 1;
    return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    *version = 13000;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    *count = 1;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice device) {
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    strncpy(name, "Kiln fake GPU", (size_t) len - 1);
    name[len - 1] = 0;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice device) {
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    switch (attribute) {
        case 16: *value = 132; return CUDA_SUCCESS;   // multiprocessors, as an H100 SXM
        case 75: *value = 9; return CUDA_SUCCESS;     // compute capability 9.0
        case 76: *value = 0; return CUDA_SUCCESS;
        default: return CUDA_ERROR_INVALID_VALUE;
    }
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice device) {
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    *bytes = (size_t) 80 << 30;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(void **context, CUdevice device) {
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    context_retained++;
    *context = &primary_context_token;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (context_retained == 0) return CUDA_ERROR_INVALID_CONTEXT;
    context_retained--;
    return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(void *context) {
    if (context != 0 && context != &primary_context_token) return CUDA_ERROR_INVALID_CONTEXT;
    current_context = context;
    return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize(void) {
    return current_context ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

// ------------------------------------------------------------------------------ memory

typedef struct Allocation { char *start; size_t bytes; struct Allocation *next; } Allocation;
static Allocation *allocations;
static long long live_allocations, live_bytes, allocation_calls;
static long long memory_limit = 80LL << 30;   // the device's memory, as an H100's; tests lower it

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
    if (!current_context) return CUDA_ERROR_INVALID_CONTEXT;
    if (bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    allocation_calls++;
    if ((long long) bytes > memory_limit - live_bytes) return CUDA_ERROR_OUT_OF_MEMORY;
    Allocation *a = malloc(sizeof(Allocation));
    a->start = malloc(bytes);
    if (!a->start) { free(a); return CUDA_ERROR_OUT_OF_MEMORY; }
    a->bytes = bytes;
    a->next = allocations;
    allocations = a;
    live_allocations++;
    live_bytes += (long long) bytes;
    *pointer = (CUdeviceptr) (uintptr_t) a->start;
    return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
    for (Allocation **at = &allocations; *at; at = &(*at)->next) {
        if ((CUdeviceptr) (uintptr_t) (*at)->start == pointer) {
            Allocation *a = *at;
            *at = a->next;
            live_allocations--;
            live_bytes -= (long long) a->bytes;
            free(a->start);
            free(a);
            return CUDA_SUCCESS;
        }
    }
    return CUDA_ERROR_INVALID_VALUE;
}

// Whether [pointer, pointer + bytes) lies inside one allocation: a copy past the end is refused.
static int inside(CUdeviceptr pointer, size_t bytes) {
    for (Allocation *a = allocations; a; a = a->next) {
        CUdeviceptr start = (CUdeviceptr) (uintptr_t) a->start;
        if (pointer >= start && pointer + bytes <= start + a->bytes) return 1;
    }
    return 0;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr device, const void *host, size_t bytes) {
    if (!inside(device, bytes) || !host) return CUDA_ERROR_INVALID_VALUE;
    memcpy((void *) (uintptr_t) device, host, bytes);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *host, CUdeviceptr device, size_t bytes) {
    if (!inside(device, bytes) || !host) return CUDA_ERROR_INVALID_VALUE;
    memcpy(host, (const void *) (uintptr_t) device, bytes);
    return CUDA_SUCCESS;
}

// Streams run everything at once here: an asynchronous copy is done when it returns.
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr device, const void *host, size_t bytes, void *stream) {
    (void) stream;
    return cuMemcpyHtoD_v2(device, host, bytes);
}

CUresult cuMemcpyDtoHAsync_v2(void *host, CUdeviceptr device, size_t bytes, void *stream) {
    (void) stream;
    return cuMemcpyDtoH_v2(host, device, bytes);
}

// ------------------------------------------------------------------------------ streams and events

static long long live_streams, live_events;

CUresult cuStreamCreate(void **stream, unsigned int flags) {
    if (!current_context) return CUDA_ERROR_INVALID_CONTEXT;
    if (flags > 1) return CUDA_ERROR_INVALID_VALUE;
    *stream = malloc(16);
    live_streams++;
    return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(void *stream) { (void) stream; return CUDA_SUCCESS; }

CUresult cuStreamDestroy_v2(void *stream) {
    if (!stream) return CUDA_ERROR_INVALID_HANDLE;
    free(stream);
    live_streams--;
    return CUDA_SUCCESS;
}

typedef struct Event { double seconds; int recorded; } Event;

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + t.tv_nsec * 1e-9;
}

CUresult cuEventCreate(void **event, unsigned int flags) {
    if (!current_context) return CUDA_ERROR_INVALID_CONTEXT;
    (void) flags;
    Event *e = calloc(1, sizeof(Event));
    *event = e;
    live_events++;
    return CUDA_SUCCESS;
}

CUresult cuEventRecord(void *event, void *stream) {
    (void) stream;
    if (!event) return CUDA_ERROR_INVALID_HANDLE;
    ((Event *) event)->seconds = now_seconds();
    ((Event *) event)->recorded = 1;
    return CUDA_SUCCESS;
}

CUresult cuEventSynchronize(void *event) { return event ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE; }

CUresult cuEventElapsedTime(float *millis, void *start, void *end) {
    Event *s = start, *e = end;
    if (!s || !e) return CUDA_ERROR_INVALID_HANDLE;
    if (!s->recorded || !e->recorded) return CUDA_ERROR_INVALID_VALUE;
    *millis = (float) ((e->seconds - s->seconds) * 1e3);
    return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(void *event) {
    if (!event) return CUDA_ERROR_INVALID_HANDLE;
    free(event);
    live_events--;
    return CUDA_SUCCESS;
}

// ------------------------------------------------------------------------------ modules and launches

// Kernels run in the emulator (cuda_emulator.cpp): Kiln's CUDA C compiled for the CPU.
int kiln_emulator_has(const char *name);
int kiln_emulator_launch(const char *name, const unsigned int grid[3], const unsigned int block[3], void **params);


#define MAX_FUNCTIONS 256
typedef struct Function { char name[64]; } Function;
typedef struct Module { Function functions[MAX_FUNCTIONS]; int count; int every_kernel; } Module;
static long long live_modules;

CUresult cuModuleLoadData(void **module, const void *image) {
    if (!current_context) return CUDA_ERROR_INVALID_CONTEXT;
    const char *text = image;
    static const unsigned char fatbin_magic[4] = {0x50, 0xed, 0x55, 0xba};      // 0xBA55ED50, little-endian
    if (text && memcmp(text, fatbin_magic, 4) == 0) {      // Kiln's own fatbin: the emulator holds its kernels
        Module *m = calloc(1, sizeof(Module));
        m->every_kernel = 1;
        *module = m;
        live_modules++;
        return CUDA_SUCCESS;
    }
    if (!text || strncmp(text, "KILNFAKE\n", 9) != 0) return CUDA_ERROR_INVALID_IMAGE;
    Module *m = calloc(1, sizeof(Module));
    for (const char *line = text + 9; *line && m->count < MAX_FUNCTIONS;) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t) (end - line) : strlen(line);
        if (length == 1 && *line == '*') {
            m->every_kernel = 1;
        } else if (length > 0 && length < sizeof(m->functions[0].name)) {
            memcpy(m->functions[m->count].name, line, length);
            m->count++;
        }
        if (!end) break;
        line = end + 1;
    }
    *module = m;
    live_modules++;
    return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
    Module *m = module;
    if (!m) return CUDA_ERROR_INVALID_HANDLE;
    for (int i = 0; i < m->count; i++) {
        if (strcmp(m->functions[i].name, name) == 0) {
            *function = &m->functions[i];
            return CUDA_SUCCESS;
        }
    }
    if (m->every_kernel && kiln_emulator_has(name) && m->count < MAX_FUNCTIONS && strlen(name) < sizeof(m->functions[0].name)) {
        strcpy(m->functions[m->count].name, name);
        *function = &m->functions[m->count++];
        return CUDA_SUCCESS;
    }
    return CUDA_ERROR_NOT_FOUND;
}

CUresult cuModuleUnload(void *module) {
    if (!module) return CUDA_ERROR_INVALID_HANDLE;
    free(module);
    live_modules--;
    return CUDA_SUCCESS;
}

// For the emulator: whether a kernel's pointer argument is null or points into device memory.
int kiln_fake_is_device_pointer(const void *pointer) {
    return pointer == 0 || inside((CUdeviceptr) (uintptr_t) pointer, 0);
}

static unsigned int last_launch[7];   // grid x, y, z, block x, y, z, shared bytes
static long long launches;

CUresult cuLaunchKernel(void *function, unsigned int gx, unsigned int gy, unsigned int gz,
                        unsigned int bx, unsigned int by, unsigned int bz, unsigned int shared,
                        void *stream, void **params, void **extra) {
    (void) stream;
    Function *f = function;
    if (!f || !current_context) return CUDA_ERROR_INVALID_HANDLE;
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || bx * by * bz > 1024 || extra) return CUDA_ERROR_INVALID_VALUE;
    unsigned int dims[7] = {gx, gy, gz, bx, by, bz, shared};
    memcpy(last_launch, dims, sizeof(dims));
    launches++;
    if (!kiln_emulator_has(f->name)) return CUDA_SUCCESS;     // a name the tests made up: only recorded
    unsigned int grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
    switch (kiln_emulator_launch(f->name, grid, block, params)) {
        case 0: return CUDA_SUCCESS;
        case 719: return CUDA_ERROR_LAUNCH_FAILED;
        default: return CUDA_ERROR_INVALID_VALUE;
    }
}

// ------------------------------------------------------------------------------ for the tests

long long kilnFakeLiveAllocations(void) { return live_allocations; }
long long kilnFakeAllocationCalls(void) { return allocation_calls; }
void kilnFakeSetMemoryLimit(long long bytes) { memory_limit = bytes; }
long long kilnFakeLiveBytes(void) { return live_bytes; }
long long kilnFakeLiveModules(void) { return live_modules; }
long long kilnFakeLiveStreams(void) { return live_streams; }
long long kilnFakeLiveEvents(void) { return live_events; }
long long kilnFakeLaunches(void) { return launches; }
int kilnFakeRetainedContexts(void) { return context_retained; }
void kilnFakeLastLaunch(unsigned int *dims) { memcpy(dims, last_launch, sizeof(last_launch)); }

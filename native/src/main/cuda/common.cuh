// What every kernel file shares.

// A grid-stride loop: thread t of the grid takes elements t, t + (threads in the grid), ..., so that
// any grid covers any n, and neighbouring threads take neighbouring elements (coalesced accesses).
#define KILN_GRID_STRIDE_LOOP(i, n) \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); i += (long long) gridDim.x * blockDim.x)

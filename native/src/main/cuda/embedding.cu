// Embedding lookup: rows of a float32 table [vocab, dim] gathered by int64 indices [count], forward and
// backward side by side. CPU twin: kiln.engine Tensor.indexSelect(0, indices) on the table, and its
// gradient (Indexing.indexAddGrad). The host checks the indices before launching (indexSelect throws
// IndexOutOfBoundsException); the kernels still never touch memory outside the table for an index
// outside [0, vocab).

// Forward: out[r, d] = table[indices[r], d], out [count, dim]. A row whose index is out of range is
// written NaN (no read), so that a caller's NaN check reports it (as kiln_cross_entropy_f32 does for a
// bad label). One thread per output element, in a grid-stride loop: a warp reads consecutive d of a row.
extern "C" __global__ void kiln_embedding_f32(float* out, const float* table, const long long* indices,
                                              int count, int dim, int vocab) {
    long long total = (long long) count * dim;
    KILN_GRID_STRIDE_LOOP(e, total) {
        long long row = indices[e / dim];
        out[e] = row >= 0 && row < vocab ? table[row * dim + e % dim] : NAN;
    }
}

// Backward: dtable[indices[r], d] += dy[r, d] for every r, dy [count, dim], dtable [vocab, dim] (added
// into: the caller zeroes it first, or accumulates into an existing gradient); a repeated index
// receives the sum of its rows' gradients. Deterministic, without atomics: the thread of column
// d = blockIdx.x·blockDim.x + threadIdx.x and slice blockIdx.y owns the elements of column d in the
// table rows [vocab·y/gridDim.y, vocab·(y + 1)/gridDim.y), and walks all the indices in order, adding
// the rows that fall in its slice; so each element's sum is added in index order r = 0, 1, ..., the
// order of a sequential loop. An index outside [0, vocab) falls in no slice: it is skipped. Grid
// (⌈dim / blockDim.x⌉, slices), any block size; more slices, more parallelism, each still reads
// every index (count·slices reads per column).
extern "C" __global__ void kiln_embedding_backward_f32(float* dtable, const float* dy, const long long* indices,
                                                       int count, int dim, int vocab) {
    int d = blockIdx.x * blockDim.x + threadIdx.x;
    if (d >= dim) return;
    long long first = (long long) vocab * blockIdx.y / gridDim.y;
    long long end = (long long) vocab * (blockIdx.y + 1) / gridDim.y;
    for (int r = 0; r < count; r++) {
        long long row = indices[r];
        if (row >= first && row < end) {
            dtable[row * dim + d] += dy[(long long) r * dim + d];
        }
    }
}

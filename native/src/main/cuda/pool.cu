// Max and average pooling of float32 image planes [H, W] (NCHW: the planes are the N·C images'
// channels, one after another), forward and backward side by side. CPU twins:
// kiln.kernels.cpu.MaxPoolKernels and AvgPoolKernels. Window geometry as in conv.cu (and
// kiln.kernels.cpu.WindowGeometry); kiln_window_outputs is conv.cu's. Both backward passes are
// gathers, one thread per input element adding the gradients of the windows that hold it in a fixed
// order: deterministic, without atomics, and in the order the CPU adds them (the same bits).

// Max-pool forward: y[p, oh, ow] = max over the window's taps of x[p, ih, iw], and
// argmax[p, oh, ow] = the winner's index ih·W + iw in its plane (int32), so that backward needs no
// recompute. The winner is the first maximum in row-major tap order (i, j); a padding tap counts as
// −∞ (index −1, possible only in a window of −∞); a NaN beats everything and the first NaN stays
// (PyTorch's rule, MaxPoolKernels.winnerReference). One thread per output, in a grid-stride loop.
extern "C" __global__ void kiln_max_pool_f32(float* y, int* argmax, const float* x, int planes, int height, int width,
                                             int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                                             int dilationH, int dilationW) {
    int outH = kiln_window_outputs(height, kernelH, strideH, padH, dilationH);
    int outW = kiln_window_outputs(width, kernelW, strideW, padW, dilationW);
    long long total = (long long) planes * outH * outW;
    KILN_GRID_STRIDE_LOOP(o, total) {
        int ow = (int) (o % outW);
        int oh = (int) (o / outW % outH);
        const float* plane = x + o / ((long long) outH * outW) * height * width;
        float best = -INFINITY;
        int winner = -1;
        bool first = true;
        for (int i = 0; i < kernelH; i++) {
            int ih = oh * strideH + i * dilationH - padH;
            for (int j = 0; j < kernelW; j++) {
                int iw = ow * strideW + j * dilationW - padW;
                bool inside = ih >= 0 && ih < height && iw >= 0 && iw < width;
                float v = inside ? plane[ih * width + iw] : -INFINITY;
                // larger, or the first NaN (v != v: NaN) while best is still a number
                if (first || v > best || (v != v && best == best)) {
                    first = false;
                    best = v;
                    winner = inside ? ih * width + iw : -1;
                }
            }
        }
        y[o] = best;
        argmax[o] = winner;
    }
}

// Max-pool backward: dx[p, ih, iw] = Σ of dy[p, oh, ow] over the windows (oh, ow) whose winner was
// (ih, iw), a sum from +0 in row-major output order (MaxPoolKernels.backwardScalar's order). One
// thread per input element, in a grid-stride loop; it visits only the windows that can hold it: tap
// (i, j) of window (oh, ow) reads (ih, iw) when oh·strideH = ih + padH − i·dilationH (and likewise
// ow), so i from kH − 1 down to 0 gives the rows oh in increasing order, j down the columns.
// Overwrites dx.
extern "C" __global__ void kiln_max_pool_backward_f32(float* dx, const float* dy, const int* argmax, int planes, int height,
                                                      int width, int kernelH, int kernelW, int strideH, int strideW,
                                                      int padH, int padW, int dilationH, int dilationW) {
    int outH = kiln_window_outputs(height, kernelH, strideH, padH, dilationH);
    int outW = kiln_window_outputs(width, kernelW, strideW, padW, dilationW);
    long long total = (long long) planes * height * width;
    KILN_GRID_STRIDE_LOOP(e, total) {
        int iw = (int) (e % width);
        int ih = (int) (e / width % height);
        int self = ih * width + iw;
        long long outputs = e / ((long long) height * width) * outH * outW;    // the plane's first output
        float sum = 0.0f;
        for (int i = kernelH - 1; i >= 0; i--) {
            int rowOffset = ih + padH - i * dilationH;          // = oh·strideH
            if (rowOffset < 0 || rowOffset % strideH != 0 || rowOffset / strideH >= outH) continue;
            int oh = rowOffset / strideH;
            for (int j = kernelW - 1; j >= 0; j--) {
                int columnOffset = iw + padW - j * dilationW;   // = ow·strideW
                if (columnOffset < 0 || columnOffset % strideW != 0 || columnOffset / strideW >= outW) continue;
                long long o = outputs + (long long) oh * outW + columnOffset / strideW;
                if (argmax[o] == self) sum += dy[o];
            }
        }
        dx[e] = sum;
    }
}

// The windows of average pooling along one axis (AvgPoolKernels.Axis.sliding): output k averages
// the inputs [start, end) = [k·stride − pad, k·stride − pad + kernel) clipped to [0, size), and
// divides by the whole kernel, its padding included (PyTorch's count_include_pad=True); there are
// ⌊(size + 2·pad − kernel) / stride⌋ + 1 of them (kiln_window_outputs with dilation 1).
__device__ void kiln_avg_window(int k, int size, int kernel, int stride, int pad, int* start, int* end) {
    int from = k * stride - pad;
    *start = from < 0 ? 0 : (from > size ? size : from);
    int to = from + kernel;
    *end = to < *start ? *start : (to > size ? size : to);
}

// Average-pool forward: y[p, oh, ow] = Σ_{ih ∈ rows(oh)} Σ_{iw ∈ columns(ow)} x[p, ih, iw] / (kH·kW),
// the windows as kiln_avg_window says. Added as AvgPoolKernels.forward adds: each column's rows
// first, then the column sums in order, all in float (the same bits). One thread per output, in a
// grid-stride loop.
extern "C" __global__ void kiln_avg_pool_f32(float* y, const float* x, int planes, int height, int width,
                                             int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    int outH = kiln_window_outputs(height, kernelH, strideH, padH, 1);
    int outW = kiln_window_outputs(width, kernelW, strideW, padW, 1);
    float divisor = (float) kernelH * kernelW;
    long long total = (long long) planes * outH * outW;
    KILN_GRID_STRIDE_LOOP(o, total) {
        int ow = (int) (o % outW);
        int oh = (int) (o / outW % outH);
        const float* plane = x + o / ((long long) outH * outW) * height * width;
        int rowStart, rowEnd, columnStart, columnEnd;
        kiln_avg_window(oh, height, kernelH, strideH, padH, &rowStart, &rowEnd);
        kiln_avg_window(ow, width, kernelW, strideW, padW, &columnStart, &columnEnd);
        float sum = 0.0f;
        for (int iw = columnStart; iw < columnEnd; iw++) {
            float column = 0.0f;
            for (int ih = rowStart; ih < rowEnd; ih++) column += plane[ih * width + iw];
            sum += column;
        }
        y[o] = sum / divisor;
    }
}

// Average-pool backward: dx[p, ih, iw] = Σ_{windows (oh, ow) holding (ih, iw)} dy[p, oh, ow] / (kH·kW).
// One thread per input element, in a grid-stride loop, over the windows that hold it: rows oh in
// increasing order, and within each the columns ow in increasing order added first (the order of
// AvgPoolKernels.backward, which spreads a row of windows' shares into one row, then adds the rows:
// the same bits). Window oh holds ih when oh·stride − pad ≤ ih < oh·stride − pad + kernel. Overwrites dx.
extern "C" __global__ void kiln_avg_pool_backward_f32(float* dx, const float* dy, int planes, int height, int width,
                                                      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    int outH = kiln_window_outputs(height, kernelH, strideH, padH, 1);
    int outW = kiln_window_outputs(width, kernelW, strideW, padW, 1);
    float divisor = (float) kernelH * kernelW;
    long long total = (long long) planes * height * width;
    KILN_GRID_STRIDE_LOOP(e, total) {
        int iw = (int) (e % width);
        int ih = (int) (e / width % height);
        const float* grads = dy + e / ((long long) height * width) * outH * outW;
        // The windows that hold ih: ih + pad − kernel < oh·stride ≤ ih + pad; likewise iw.
        int rowLow = ih + padH - kernelH + 1, columnLow = iw + padW - kernelW + 1;
        int ohFirst = rowLow <= 0 ? 0 : (rowLow + strideH - 1) / strideH;
        int ohEnd = (ih + padH) / strideH + 1 < outH ? (ih + padH) / strideH + 1 : outH;
        int owFirst = columnLow <= 0 ? 0 : (columnLow + strideW - 1) / strideW;
        int owEnd = (iw + padW) / strideW + 1 < outW ? (iw + padW) / strideW + 1 : outW;
        float sum = 0.0f;
        for (int oh = ohFirst; oh < ohEnd; oh++) {
            float row = 0.0f;
            for (int ow = owFirst; ow < owEnd; ow++) row += grads[oh * outW + ow] / divisor;
            sum += row;
        }
        dx[e] = sum;
    }
}

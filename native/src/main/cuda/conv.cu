// im2col and col2im for a batch of float32 images in NCHW, the data movement of a convolution (and
// unfold2d with its gradient). CPU twin: kiln.kernels.cpu.Im2col (one image [C, H, W] at a time;
// here the batch in one launch). Geometry as kiln.kernels.cpu.WindowGeometry: tap (i, j) of the
// window at output (oh, ow) reads the image element
//   (ih, iw) = (oh·strideH + i·dilationH − padH,  ow·strideW + j·dilationW − padW)
// which is padding when it falls outside the image. Images are [N, C, H, W] and columns
// [N, C, kH, kW, OH, OW] (per image the matrix [C·kH·kW, OH·OW]), both contiguous.

// Windows along an axis of `size` elements: ⌊(size + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1,
// or 0 when not one fits (WindowGeometry.outH/outW). Also used by pool.cu.
__device__ int kiln_window_outputs(int size, int kernel, int stride, int pad, int dilation) {
    int span = size + 2 * pad - dilation * (kernel - 1) - 1;
    return span < 0 ? 0 : span / stride + 1;
}

// im2col: cols[n, c, i, j, oh, ow] = image[n, c, ih, iw] as above, padValue where (ih, iw) is padding.
// One thread per column entry, in a grid-stride loop: any grid covers any size (blocks of 256, say).
// Threads of a warp take consecutive ow, so their writes are coalesced.
extern "C" __global__ void kiln_im2col_f32(float* cols, const float* image, int batch, int channels, int height, int width,
                                           int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                                           int dilationH, int dilationW, float padValue) {
    int outH = kiln_window_outputs(height, kernelH, strideH, padH, dilationH);
    int outW = kiln_window_outputs(width, kernelW, strideW, padW, dilationW);
    long long total = (long long) batch * channels * kernelH * kernelW * outH * outW;
    KILN_GRID_STRIDE_LOOP(e, total) {
        // e = ((((n·C + c)·kH + i)·kW + j)·OH + oh)·OW + ow
        int ow = (int) (e % outW);
        long long rest = e / outW;
        int oh = (int) (rest % outH);
        rest /= outH;
        int j = (int) (rest % kernelW);
        rest /= kernelW;
        int i = (int) (rest % kernelH);
        long long plane = rest / kernelH;                      // n·C + c
        int ih = oh * strideH + i * dilationH - padH;
        int iw = ow * strideW + j * dilationW - padW;
        bool inside = ih >= 0 && ih < height && iw >= 0 && iw < width;
        cols[e] = inside ? image[(plane * height + ih) * width + iw] : padValue;
    }
}

// col2im, the adjoint of im2col: image[n, c, ih, iw] = Σ of the column entries read from (ih, iw)
// (padding entries are dropped). Deterministic, without atomics: one thread per image element, which
// gathers the entries that map to it, taps (i, j) in row-major order; tap (i, j) reads (ih, iw) from
// at most one window, oh = (ih + padH − i·dilationH) / strideH when that divides exactly and lies in
// [0, OH), likewise ow. The sum starts from 0 and adds in the order Im2col.col2imReference adds into
// its zeroed image, so the results are the same bits. Overwrites the image (no zeroing first).
// One thread per image element, in a grid-stride loop (blocks of 256, say).
extern "C" __global__ void kiln_col2im_f32(float* image, const float* cols, int batch, int channels, int height, int width,
                                           int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                                           int dilationH, int dilationW) {
    int outH = kiln_window_outputs(height, kernelH, strideH, padH, dilationH);
    int outW = kiln_window_outputs(width, kernelW, strideW, padW, dilationW);
    long long total = (long long) batch * channels * height * width;
    KILN_GRID_STRIDE_LOOP(e, total) {
        // e = ((n·C + c)·H + ih)·W + iw
        int iw = (int) (e % width);
        int ih = (int) (e / width % height);
        long long plane = e / ((long long) height * width);   // n·C + c
        const float* planeCols = cols + plane * kernelH * kernelW * outH * outW;
        float sum = 0.0f;
        for (int i = 0; i < kernelH; i++) {
            int rowOffset = ih + padH - i * dilationH;          // = oh·strideH
            if (rowOffset < 0 || rowOffset % strideH != 0 || rowOffset / strideH >= outH) continue;
            int oh = rowOffset / strideH;
            for (int j = 0; j < kernelW; j++) {
                int columnOffset = iw + padW - j * dilationW;   // = ow·strideW
                if (columnOffset < 0 || columnOffset % strideW != 0 || columnOffset / strideW >= outW) continue;
                int ow = columnOffset / strideW;
                sum += planeCols[(((long long) i * kernelW + j) * outH + oh) * outW + ow];
            }
        }
        image[e] = sum;
    }
}

package kiln.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stride-1 convolution as a matrix product over a padded image, without im2col.
 *
 * <p>The idea. Lay a zero-padded image {@code xp [C, Hp, Wp]} out flat and number the output
 * positions in <em>wide rows</em>, as if the output were Wp wide: {@code q = oh·Wp + ow}. Then the
 * input value that filter tap {@code p = (c, i, j)} multiplies at output q is always
 * {@code xp[q + offset(p)]} with {@code offset(p) = c·Hp·Wp + i·Wp + j}: for a fixed tap, the
 * inputs of consecutive outputs are consecutive. So "row p of the im2col matrix" is just xp read
 * from {@code offset(p)}, and the convolution is the product
 *
 * <pre>  y[o, q] = Σ_p w[o, p] · xp[q + offset(p)]       for q < OH·Wp</pre>
 *
 * of the filters {@code w [O, C·kH·kW]} with a matrix that is never written down. The price: the
 * {@code Wp − OW} positions at the end of each wide row are not outputs (they straddle two image
 * rows); they are computed and dropped, {@code (Wp − OW)/Wp} of the work (3/30 for a 3×3 filter on
 * 28×28 with padding 1). What it saves: writing and reading the im2col matrix, kH·kW times the
 * input's size, which for a convolution with few channels costs more than the arithmetic.
 *
 * <p>The three passes of a convolution layer all take this form (see kiln.engine.Convolution):
 * the forward pass ({@link #forward}), the input gradient (a forward pass over the zero-padded
 * output gradient with the filters flipped and transposed) and the weight gradient ({@link #weightGrad},
 * {@code dw[o, p] = Σ_n Σ_q g[n, o, q] · xp[n, q + offset(p)]}, dot products along q with the
 * gradient spread into wide rows, zero at the dropped positions).
 *
 * <p>Buffers read in wide rows are read up to {@link #SLACK} floats past the last image (by the
 * dropped positions and by whole vectors); the caller allocates that much more.
 */
public final class ImplicitGemmConv {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long BYTES = Float.BYTES, VEC = L * BYTES;

    /** The forward micro-kernel's block: 6 output channels by 4 vectors of wide positions (24 sums). */
    static final int ROWS = 6, COLS = 4 * L;
    /** Floats a caller allocates past the end of a buffer read in wide rows: a block of positions, plus the widest filter row. */
    public static final int SLACK = COLS + 256;
    /** Images per partial sum of the weight gradient; the partials are then added in order. */
    public static final int IMAGES_PER_CHUNK = 8;

    private ImplicitGemmConv() {}

    /**
     * {@code offset(p)} for every tap p = (c, i, j) of a kH×kW filter over C channels of a padded
     * image Hp×Wp, in the order of a filter's row-major layout.
     */
    public static int[] offsets(int channels, int kernelH, int kernelW, int paddedH, int paddedW) {
        int[] offsets = new int[channels * kernelH * kernelW];
        int p = 0;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < kernelH; i++) {
                for (int j = 0; j < kernelW; j++) {
                    offsets[p++] = (c * paddedH + i) * paddedW + j;
                }
            }
        }
        return offsets;
    }

    /**
     * Copies images {@code x [N, C, H, W]} (contiguous from {@code xOff}) into the middle of
     * {@code xp [N, C, H + top + bottom, W + left + right]} (from 0), zero around them. xp must hold
     * {@link #SLACK} more floats, which are zeroed too.
     */
    public static void pad(MemorySegment xp, MemorySegment x, long xOff, int planes, int height, int width,
                           int top, int bottom, int left, int right) {
        int paddedH = height + top + bottom, paddedW = width + left + right;
        long plane = (long) paddedH * paddedW;
        Parallel.forEach(Parallel.tasks(planes, 16), t -> {
            int first = t * 16, end = Math.min(planes, first + 16);
            for (int n = first; n < end; n++) {
                long to = n * plane;
                xp.asSlice(to * BYTES, (long) top * paddedW * BYTES).fill((byte) 0);
                for (int h = 0; h < height; h++) {
                    long row = to + (long) (top + h) * paddedW;
                    xp.asSlice(row * BYTES, left * BYTES).fill((byte) 0);
                    MemorySegment.copy(x, (xOff + ((long) n * height + h) * width) * BYTES, xp, (row + left) * BYTES, width * BYTES);
                    xp.asSlice((row + left + width) * BYTES, right * BYTES).fill((byte) 0);
                }
                xp.asSlice((to + (long) (top + height) * paddedW) * BYTES, (long) bottom * paddedW * BYTES).fill((byte) 0);
            }
        });
        xp.asSlice(planes * plane * BYTES, SLACK * BYTES).fill((byte) 0);
    }

    /**
     * The forward pass for images {@code xp [N, C, Hp, Wp]} (padded, with SLACK) and filters
     * {@code w [O, C·kH·kW]} (from {@code wOff}): {@code y[n, o, oh, ow] = bias[o] + Σ_p w[o, p] ·
     * xp[n, oh·Wp + ow + offset(p)]}, y {@code [N, O, OH, OW]} contiguous from 0, OH = Hp − kH + 1,
     * OW = Wp − kW + 1. {@code bias} may be null (no bias). One task per image.
     */
    public static void forward(MemorySegment y, MemorySegment xp, int channels, int paddedH, int paddedW,
                               MemorySegment w, long wOff, MemorySegment bias, long biasOff,
                               int batch, int out, int kernelH, int kernelW) {
        int[] offsets = offsets(channels, kernelH, kernelW, paddedH, paddedW);
        int outH = paddedH - kernelH + 1, outW = paddedW - kernelW + 1;
        int wide = outH * paddedW, taps = offsets.length;
        long imageIn = (long) channels * paddedH * paddedW, imageOut = (long) out * outH * outW;
        Parallel.forEach(batch, n -> {
            float[] tile = TILE.get();
            for (int q0 = 0; q0 < wide; q0 += COLS) {
                int count = Math.min(COLS, wide - q0), vectors = (count + L - 1) / L;
                for (int o0 = 0; o0 < out; o0 += ROWS) {
                    int rows = Math.min(ROWS, out - o0);
                    if (vectors == COLS / L) {
                        forwardKernel(tile, w, wOff + (long) o0 * taps, taps, rows, xp, n * imageIn + q0, offsets);
                    } else {
                        forwardKernelNarrow(tile, w, wOff + (long) o0 * taps, taps, rows, xp, n * imageIn + q0, offsets, vectors);
                    }
                    writeWide(y, n * imageOut + (long) o0 * outH * outW, tile, rows, q0, count,
                            outH, outW, paddedW, bias, biasOff + o0);
                }
            }
        });
    }

    /**
     * The micro-kernel: {@code tile[r][t] = Σ_p w[r, p] · xp[at + t + offsets[p]]} for r < 6 (rows of w
     * from {@code wAt}, {@code ldw} apart; rows past {@code rows} repeat the last one) and t < COLS.
     */
    static void forwardKernel(float[] tile, MemorySegment w, long wAt, long ldw, int rows,
                              MemorySegment xp, long at, int[] offsets) {
        long w0 = wAt * BYTES, step = ldw * BYTES;
        long w1 = w0 + Math.min(1, rows - 1) * step, w2 = w0 + Math.min(2, rows - 1) * step,
                w3 = w0 + Math.min(3, rows - 1) * step, w4 = w0 + Math.min(4, rows - 1) * step,
                w5 = w0 + Math.min(5, rows - 1) * step;
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00,
                c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00,
                c40 = c00, c41 = c00, c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (int p = 0; p < offsets.length; p++) {
            long x = (at + offsets[p]) * BYTES, tap = (long) p * BYTES;
            FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, xp, x, ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, xp, x + VEC, ORDER);
            FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, xp, x + 2 * VEC, ORDER);
            FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, xp, x + 3 * VEC, ORDER);
            FloatVector f;
            f = FloatVector.broadcast(SPECIES, w.get(FLOAT, w0 + tap));
            c00 = f.fma(x0, c00); c01 = f.fma(x1, c01); c02 = f.fma(x2, c02); c03 = f.fma(x3, c03);
            f = FloatVector.broadcast(SPECIES, w.get(FLOAT, w1 + tap));
            c10 = f.fma(x0, c10); c11 = f.fma(x1, c11); c12 = f.fma(x2, c12); c13 = f.fma(x3, c13);
            f = FloatVector.broadcast(SPECIES, w.get(FLOAT, w2 + tap));
            c20 = f.fma(x0, c20); c21 = f.fma(x1, c21); c22 = f.fma(x2, c22); c23 = f.fma(x3, c23);
            f = FloatVector.broadcast(SPECIES, w.get(FLOAT, w3 + tap));
            c30 = f.fma(x0, c30); c31 = f.fma(x1, c31); c32 = f.fma(x2, c32); c33 = f.fma(x3, c33);
            f = FloatVector.broadcast(SPECIES, w.get(FLOAT, w4 + tap));
            c40 = f.fma(x0, c40); c41 = f.fma(x1, c41); c42 = f.fma(x2, c42); c43 = f.fma(x3, c43);
            f = FloatVector.broadcast(SPECIES, w.get(FLOAT, w5 + tap));
            c50 = f.fma(x0, c50); c51 = f.fma(x1, c51); c52 = f.fma(x2, c52); c53 = f.fma(x3, c53);
        }
        c00.intoArray(tile, 0);                c01.intoArray(tile, L);                c02.intoArray(tile, 2 * L);                c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, COLS);             c11.intoArray(tile, COLS + L);         c12.intoArray(tile, COLS + 2 * L);         c13.intoArray(tile, COLS + 3 * L);
        c20.intoArray(tile, 2 * COLS);         c21.intoArray(tile, 2 * COLS + L);     c22.intoArray(tile, 2 * COLS + 2 * L);     c23.intoArray(tile, 2 * COLS + 3 * L);
        c30.intoArray(tile, 3 * COLS);         c31.intoArray(tile, 3 * COLS + L);     c32.intoArray(tile, 3 * COLS + 2 * L);     c33.intoArray(tile, 3 * COLS + 3 * L);
        c40.intoArray(tile, 4 * COLS);         c41.intoArray(tile, 4 * COLS + L);     c42.intoArray(tile, 4 * COLS + 2 * L);     c43.intoArray(tile, 4 * COLS + 3 * L);
        c50.intoArray(tile, 5 * COLS);         c51.intoArray(tile, 5 * COLS + L);     c52.intoArray(tile, 5 * COLS + 2 * L);     c53.intoArray(tile, 5 * COLS + 3 * L);
    }

    /**
     * {@link #forwardKernel} for the last positions of the wide rows, fewer than COLS: one vector of
     * positions at a time ({@code vectors} of them, 6 rows by 1 vector each), so that a few positions
     * left over (12 of the 140 of a 10×10 output on 14-wide rows) do not cost a whole 4-vector block.
     * The same sums in the same order, so the same bits as the wide kernel.
     */
    static void forwardKernelNarrow(float[] tile, MemorySegment w, long wAt, long ldw, int rows,
                                    MemorySegment xp, long at, int[] offsets, int vectors) {
        long w0 = wAt * BYTES, step = ldw * BYTES;
        long w1 = w0 + Math.min(1, rows - 1) * step, w2 = w0 + Math.min(2, rows - 1) * step,
                w3 = w0 + Math.min(3, rows - 1) * step, w4 = w0 + Math.min(4, rows - 1) * step,
                w5 = w0 + Math.min(5, rows - 1) * step;
        for (int v = 0; v < vectors; v++) {
            FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
            for (int p = 0; p < offsets.length; p++) {
                FloatVector x = FloatVector.fromMemorySegment(SPECIES, xp, (at + v * L + offsets[p]) * BYTES, ORDER);
                long tap = (long) p * BYTES;
                c0 = FloatVector.broadcast(SPECIES, w.get(FLOAT, w0 + tap)).fma(x, c0);
                c1 = FloatVector.broadcast(SPECIES, w.get(FLOAT, w1 + tap)).fma(x, c1);
                c2 = FloatVector.broadcast(SPECIES, w.get(FLOAT, w2 + tap)).fma(x, c2);
                c3 = FloatVector.broadcast(SPECIES, w.get(FLOAT, w3 + tap)).fma(x, c3);
                c4 = FloatVector.broadcast(SPECIES, w.get(FLOAT, w4 + tap)).fma(x, c4);
                c5 = FloatVector.broadcast(SPECIES, w.get(FLOAT, w5 + tap)).fma(x, c5);
            }
            c0.intoArray(tile, v * L);            c1.intoArray(tile, COLS + v * L);     c2.intoArray(tile, 2 * COLS + v * L);
            c3.intoArray(tile, 3 * COLS + v * L); c4.intoArray(tile, 4 * COLS + v * L); c5.intoArray(tile, 5 * COLS + v * L);
        }
    }

    /**
     * Writes the {@code count} wide positions from {@code q0} of the tile's first {@code rows} rows
     * into planes of y ({@code outH·outW} apart from {@code yAt}): position q is output
     * {@code (q / paddedW, q % paddedW)} when its column is below outW, and is dropped otherwise;
     * {@code bias[biasAt + r]} is added when bias is not null.
     */
    private static void writeWide(MemorySegment y, long yAt, float[] tile, int rows, int q0, int count,
                                  int outH, int outW, int paddedW, MemorySegment bias, long biasAt) {
        long plane = (long) outH * outW;
        for (int r = 0; r < rows; r++) {
            FloatVector shift = FloatVector.broadcast(SPECIES, bias == null ? 0f : bias.getAtIndex(FLOAT, biasAt + r));
            for (int t = 0; t < count; ) {
                int q = q0 + t, oh = q / paddedW, ow = q % paddedW;
                if (ow >= outW) {            // a dropped position: skip to the next wide row
                    t += paddedW - ow;
                    continue;
                }
                int run = Math.min(outW - ow, count - t);
                long to = (yAt + r * plane + (long) oh * outW + ow) * BYTES;
                for (int k = 0; k < run; k += L) {
                    VectorMask<Float> valid = SPECIES.indexInRange(k, run);
                    FloatVector.fromArray(SPECIES, tile, r * COLS + t + k, valid).add(shift)
                            .intoMemorySegment(y, to + k * BYTES, ORDER, valid);
                }
                t += run;
            }
        }
    }

    /** The length of a wide gradient row ({@link #widen}): OH·Wp rounded up to whole vectors. */
    public static int wideRow(int outH, int paddedW) {
        return (outH * paddedW + L - 1) / L * L;
    }

    /**
     * Spreads {@code g [N·O, OH, OW]} (contiguous from {@code gOff}) into wide rows
     * {@code gw [N·O, wideRow(OH, Wp)]} (from 0), zero at the dropped positions and at the end of
     * each row.
     */
    public static void widen(MemorySegment gw, MemorySegment g, long gOff, int planes, int outH, int outW, int paddedW) {
        long row = wideRow(outH, paddedW);
        Parallel.forEach(Parallel.tasks(planes, 16), t -> {
            int first = t * 16, end = Math.min(planes, first + 16);
            for (int n = first; n < end; n++) {
                gw.asSlice(n * row * BYTES, row * BYTES).fill((byte) 0);
                for (int h = 0; h < outH; h++) {
                    MemorySegment.copy(g, (gOff + ((long) n * outH + h) * outW) * BYTES, gw, (n * row + (long) h * paddedW) * BYTES, outW * BYTES);
                }
            }
        });
    }

    /**
     * The weight gradient {@code dw[o, p] = Σ_n Σ_q gw[n, o, q] · xp[n, q + offset(p)]} for the wide
     * gradient {@code gw [N, O, wideRow(OH, Wp)]} ({@link #widen}), zero where q is not an output
     * (a non-finite input value there still turns its zero into NaN), and the padded images
     * {@code xp [N, C, Hp, Wp]} ({@link #pad}), as partial sums: images in chunks of
     * {@link #IMAGES_PER_CHUNK}, one task each, into {@code partials [chunks, O·C·kH·kW]}, which the
     * caller adds in order (dw is their sum; the same whatever the number of threads).
     */
    public static void weightGrad(MemorySegment partials, MemorySegment gw, MemorySegment xp,
                                  int batch, int out, int channels, int paddedH, int paddedW, int kernelH, int kernelW) {
        int[] offsets = offsets(channels, kernelH, kernelW, paddedH, paddedW);
        int taps = offsets.length, outH = paddedH - kernelH + 1, wide = wideRow(outH, paddedW);
        long weights = (long) out * taps, imageIn = (long) channels * paddedH * paddedW, imageGrad = (long) out * wide;
        int chunks = Parallel.tasks(batch, IMAGES_PER_CHUNK);
        Parallel.forEach(chunks, chunk -> {
            float[] lanes = TILE.get();
            int first = chunk * IMAGES_PER_CHUNK, images = Math.min(batch, first + IMAGES_PER_CHUNK) - first;
            long to = chunk * weights;
            for (int o0 = 0; o0 < out; o0 += 4) {
                int oRows = Math.min(4, out - o0);
                for (int p0 = 0; p0 < taps; p0 += 4) {
                    int pRows = Math.min(4, taps - p0);
                    weightKernel(lanes, gw, first * imageGrad + (long) o0 * wide, wide, oRows, imageGrad,
                            xp, first * imageIn, offsets, p0, pRows, imageIn, images, wide);
                    LaneSums.reduce(lanes, 16);
                    for (int r = 0; r < oRows; r++) {
                        for (int s = 0; s < pRows; s++) {
                            partials.setAtIndex(FLOAT, to + (long) (o0 + r) * taps + p0 + s, lanes[LaneSums.OF_16[r * 4 + s]]);
                        }
                    }
                }
            }
        });
    }

    /**
     * Sixteen dot products along q, over {@code images} images: for r, s < 4, the L lanes of
     * {@code Σ_n Σ_{q < length} g[n, r, q] · xp[n, q + offsets[p0 + s]]} go to {@code lanes[(4r + s)·L ..]};
     * length is a whole number of vectors. Rows of g from {@code gAt}, {@code ldg} apart, images
     * {@code gImage} apart; images of xp from {@code xAt}, {@code xImage} apart. Rows past
     * {@code gRows} or taps past {@code pRows} repeat the last one.
     */
    static void weightKernel(float[] lanes, MemorySegment g, long gAt, long ldg, int gRows, long gImage,
                             MemorySegment xp, long xAt, int[] offsets, int p0, int pRows, long xImage, int images, int length) {
        long g0 = gAt * BYTES, g1 = g0 + Math.min(1, gRows - 1) * ldg * BYTES,
                g2 = g0 + Math.min(2, gRows - 1) * ldg * BYTES, g3 = g0 + Math.min(3, gRows - 1) * ldg * BYTES;
        long x0 = (xAt + offsets[p0]) * BYTES, x1 = (xAt + offsets[p0 + Math.min(1, pRows - 1)]) * BYTES,
                x2 = (xAt + offsets[p0 + Math.min(2, pRows - 1)]) * BYTES, x3 = (xAt + offsets[p0 + Math.min(3, pRows - 1)]) * BYTES;
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00,
                s13 = s00, s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        for (int n = 0; n < images; n++) {
            long gn = n * gImage * BYTES, xn = n * xImage * BYTES;
            for (long at = 0; at < length * BYTES; at += VEC) {
                FloatVector a0 = FloatVector.fromMemorySegment(SPECIES, g, g0 + gn + at, ORDER);
                FloatVector a1 = FloatVector.fromMemorySegment(SPECIES, g, g1 + gn + at, ORDER);
                FloatVector a2 = FloatVector.fromMemorySegment(SPECIES, g, g2 + gn + at, ORDER);
                FloatVector a3 = FloatVector.fromMemorySegment(SPECIES, g, g3 + gn + at, ORDER);
                FloatVector v = FloatVector.fromMemorySegment(SPECIES, xp, x0 + xn + at, ORDER);
                s00 = a0.fma(v, s00); s10 = a1.fma(v, s10); s20 = a2.fma(v, s20); s30 = a3.fma(v, s30);
                v = FloatVector.fromMemorySegment(SPECIES, xp, x1 + xn + at, ORDER);
                s01 = a0.fma(v, s01); s11 = a1.fma(v, s11); s21 = a2.fma(v, s21); s31 = a3.fma(v, s31);
                v = FloatVector.fromMemorySegment(SPECIES, xp, x2 + xn + at, ORDER);
                s02 = a0.fma(v, s02); s12 = a1.fma(v, s12); s22 = a2.fma(v, s22); s32 = a3.fma(v, s32);
                v = FloatVector.fromMemorySegment(SPECIES, xp, x3 + xn + at, ORDER);
                s03 = a0.fma(v, s03); s13 = a1.fma(v, s13); s23 = a2.fma(v, s23); s33 = a3.fma(v, s33);
            }
        }
        s00.intoArray(lanes, 0);      s01.intoArray(lanes, L);      s02.intoArray(lanes, 2 * L);  s03.intoArray(lanes, 3 * L);
        s10.intoArray(lanes, 4 * L);  s11.intoArray(lanes, 5 * L);  s12.intoArray(lanes, 6 * L);  s13.intoArray(lanes, 7 * L);
        s20.intoArray(lanes, 8 * L);  s21.intoArray(lanes, 9 * L);  s22.intoArray(lanes, 10 * L); s23.intoArray(lanes, 11 * L);
        s30.intoArray(lanes, 12 * L); s31.intoArray(lanes, 13 * L); s32.intoArray(lanes, 14 * L); s33.intoArray(lanes, 15 * L);
    }

    /** Each thread's result tile (ROWS×COLS) or lanes (16×L). */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[Math.max(ROWS * COLS, 16 * L)]);
}

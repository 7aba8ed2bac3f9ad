package kiln.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import kiln.kernels.cpu.AvgPoolKernels;
import kiln.kernels.cpu.BatchNormKernels;
import kiln.kernels.cpu.Im2col;
import kiln.kernels.cpu.MaxPoolKernels;
import kiln.kernels.cpu.WindowGeometry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The layers' kernels (native/src/main/cuda: conv.cu, pool.cu, norm.cu, embedding.cu) against Kiln's
 * CPU kernels (kiln.kernels.cpu) or a reference written here, on small inputs of awkward sizes: one
 * pixel, odd and prime sizes, several images, strides that leave the last pixels out, padding and
 * dilation, 1, 3 and 5 channels. The gathers (im2col, col2im, both poolings, embedding) add in the
 * CPU's order, so they must give the CPU's bits; batch normalisation adds in a different order and is
 * compared within float rounding.
 */
interface LayerKernelChecks extends KernelChecks {

    // ------------------------------------------------------------------------------------- conv.cu

    /** im2col and col2im of a batch against Im2col, image by image: the same bits. */
    @ParameterizedTest(name = "N={0} C={1} {2}x{3}, kernel {4}x{5}, stride {6}x{7}, padding {8}x{9}, dilation {10}x{11}")
    @CsvSource({
        "1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1",
        "2, 3, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1",
        "3, 5, 11, 13, 3, 2, 2, 2, 1, 0, 1, 1",
        "2, 3, 9, 7, 3, 3, 2, 1, 2, 1, 2, 1",
        "1, 1, 5, 4, 2, 2, 3, 3, 0, 0, 1, 1",
        "2, 1, 4, 6, 5, 5, 1, 2, 2, 2, 1, 1",
        "1, 3, 13, 1, 4, 1, 3, 1, 1, 0, 2, 1",
    })
    default void im2colAndCol2imMatchTheCpu(int batch, int channels, int height, int width, int kH, int kW, int sH, int sW,
                                            int pH, int pW, int dH, int dW) {
        WindowGeometry w = new WindowGeometry(kH, kW, sH, sW, pH, pW, dH, dW);
        int imageSize = channels * height * width, columnsSize = (int) Im2col.columnsSize(channels, height, width, w);
        assertTrue(columnsSize > 0, "a case with windows");
        SplittableRandom random = new SplittableRandom(imageSize * 31L + columnsSize);
        float[] image = randomFloats(random, batch * imageSize), columnGrads = randomFloats(random, batch * columnsSize);
        float padValue = 0.5f;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment images = call.allocateFrom(ValueLayout.JAVA_FLOAT, image), grads = call.allocateFrom(ValueLayout.JAVA_FLOAT, columnGrads);
            MemorySegment expectedCols = call.allocate(ValueLayout.JAVA_FLOAT, (long) batch * columnsSize);
            MemorySegment expectedImage = call.allocate(ValueLayout.JAVA_FLOAT, (long) batch * imageSize);   // zeroed
            for (int n = 0; n < batch; n++) {
                Im2col.im2col(images, (long) n * imageSize, channels, height, width, w, padValue, expectedCols, (long) n * columnsSize);
                Im2col.col2im(grads, (long) n * columnsSize, channels, height, width, w, expectedImage, (long) n * imageSize);
            }
            long dImage = upload(call, image), dCols = driver().allocate(4L * batch * columnsSize);
            launch("kiln_im2col_f32", grid(batch * (long) columnsSize), Dim3.of(256), KernelArgs.of(call).pointer(dCols).pointer(dImage)
                    .int32(batch).int32(channels).int32(height).int32(width).int32(kH).int32(kW).int32(sH).int32(sW)
                    .int32(pH).int32(pW).int32(dH).int32(dW).float32(padValue));
            assertArrayEquals(expectedCols.toArray(ValueLayout.JAVA_FLOAT), download(call, dCols, batch * columnsSize), "im2col, " + w);
            long dGrads = upload(call, columnGrads);
            launch("kiln_col2im_f32", grid(batch * (long) imageSize), Dim3.of(256), KernelArgs.of(call).pointer(dImage).pointer(dGrads)
                    .int32(batch).int32(channels).int32(height).int32(width).int32(kH).int32(kW).int32(sH).int32(sW)
                    .int32(pH).int32(pW).int32(dH).int32(dW));
            assertArrayEquals(expectedImage.toArray(ValueLayout.JAVA_FLOAT), download(call, dImage, batch * imageSize), "col2im, " + w);
            freeAll(dImage, dCols, dGrads);
        }
    }

    // ------------------------------------------------------------------------------------- pool.cu

    /**
     * Max pooling forward (values and winners) and backward against MaxPoolKernels: the same bits. The
     * values take few levels, so windows hold ties (the first maximum wins); one case has a NaN, one a
     * window wholly in the padding (−∞, winner −1).
     */
    @ParameterizedTest(name = "planes={0} {1}x{2}, kernel {3}x{4}, stride {5}x{6}, padding {7}x{8}, dilation {9}x{10}, NaN {11}")
    @CsvSource({
        "1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, false",
        "6, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1, false",
        "3, 7, 9, 3, 3, 2, 2, 1, 1, 1, 1, true",
        "5, 11, 13, 3, 2, 2, 3, 1, 0, 1, 1, false",
        "2, 9, 7, 2, 3, 1, 2, 1, 1, 2, 2, false",
        "1, 3, 3, 2, 2, 1, 1, 2, 2, 1, 1, false",
        "15, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1, true",
    })
    default void maxPoolMatchesTheCpu(int planes, int height, int width, int kH, int kW, int sH, int sW, int pH, int pW,
                                      int dH, int dW, boolean nan) {
        WindowGeometry w = new WindowGeometry(kH, kW, sH, sW, pH, pW, dH, dW);
        int inputs = planes * height * width, outputs = planes * w.outH(height) * w.outW(width);
        SplittableRandom random = new SplittableRandom(inputs * 17L + outputs);
        float[] x = new float[inputs];
        for (int i = 0; i < inputs; i++) {
            x[i] = random.nextInt(5) - 2;                         // five levels: ties in most windows
        }
        if (nan) {
            x[inputs / 2] = Float.NaN;
        }
        float[] g = randomFloats(random, outputs);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment xs = call.allocateFrom(ValueLayout.JAVA_FLOAT, x), gs = call.allocateFrom(ValueLayout.JAVA_FLOAT, g);
            MemorySegment ys = call.allocate(ValueLayout.JAVA_FLOAT, outputs), dxs = call.allocate(ValueLayout.JAVA_FLOAT, inputs);
            int[] winners = new int[outputs];
            MaxPoolKernels.forward(xs, 0, planes, height, width, w, ys, 0, winners, 0);
            MaxPoolKernels.backward(gs, 0, winners, 0, planes, height, width, w, dxs, 0);
            long dx = upload(call, x), dy = driver().allocate(4L * outputs), dArgmax = driver().allocate(4L * outputs);
            launch("kiln_max_pool_f32", grid(outputs), Dim3.of(256), KernelArgs.of(call).pointer(dy).pointer(dArgmax).pointer(dx)
                    .int32(planes).int32(height).int32(width).int32(kH).int32(kW).int32(sH).int32(sW).int32(pH).int32(pW).int32(dH).int32(dW));
            assertArrayEquals(ys.toArray(ValueLayout.JAVA_FLOAT), download(call, dy, outputs), "max pool values, " + w);
            assertArrayEquals(winners, download(call, dArgmax, ValueLayout.JAVA_INT, outputs).toArray(ValueLayout.JAVA_INT), "max pool winners, " + w);
            long dg = upload(call, g);
            launch("kiln_max_pool_backward_f32", grid(inputs), Dim3.of(256), KernelArgs.of(call).pointer(dx).pointer(dg).pointer(dArgmax)
                    .int32(planes).int32(height).int32(width).int32(kH).int32(kW).int32(sH).int32(sW).int32(pH).int32(pW).int32(dH).int32(dW));
            assertArrayEquals(dxs.toArray(ValueLayout.JAVA_FLOAT), download(call, dx, inputs), "max pool gradient, " + w);
            freeAll(dx, dy, dArgmax, dg);
        }
    }

    /** Average pooling (padding counted in the divisor) forward and backward against AvgPoolKernels: the same bits. */
    @ParameterizedTest(name = "planes={0} {1}x{2}, kernel {3}x{4}, stride {5}x{6}, padding {7}x{8}")
    @CsvSource({
        "1, 1, 1, 1, 1, 1, 1, 0, 0",
        "6, 8, 8, 2, 2, 2, 2, 0, 0",
        "3, 7, 9, 3, 3, 2, 2, 1, 1",
        "5, 11, 13, 3, 2, 2, 3, 1, 0",
        "2, 9, 7, 3, 3, 1, 1, 1, 1",
        "1, 13, 5, 5, 1, 4, 1, 2, 0",
        "15, 5, 5, 3, 3, 3, 3, 1, 1",
    })
    default void avgPoolMatchesTheCpu(int planes, int height, int width, int kH, int kW, int sH, int sW, int pH, int pW) {
        AvgPoolKernels.Axis rows = AvgPoolKernels.Axis.sliding(height, kH, sH, pH), columns = AvgPoolKernels.Axis.sliding(width, kW, sW, pW);
        int inputs = planes * height * width, outputs = planes * rows.count() * columns.count();
        SplittableRandom random = new SplittableRandom(inputs * 13L + outputs);
        float[] x = randomFloats(random, inputs), g = randomFloats(random, outputs);
        String geometry = "kernel " + kH + "x" + kW + ", stride " + sH + "x" + sW + ", padding " + pH + "x" + pW;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment xs = call.allocateFrom(ValueLayout.JAVA_FLOAT, x), gs = call.allocateFrom(ValueLayout.JAVA_FLOAT, g);
            MemorySegment ys = call.allocate(ValueLayout.JAVA_FLOAT, outputs), dxs = call.allocate(ValueLayout.JAVA_FLOAT, inputs);
            AvgPoolKernels.forward(xs, 0, planes, height, width, rows, columns, ys, 0);
            AvgPoolKernels.backward(gs, 0, planes, height, width, rows, columns, dxs, 0);
            long dx = upload(call, x), dy = driver().allocate(4L * outputs);
            launch("kiln_avg_pool_f32", grid(outputs), Dim3.of(256), KernelArgs.of(call).pointer(dy).pointer(dx)
                    .int32(planes).int32(height).int32(width).int32(kH).int32(kW).int32(sH).int32(sW).int32(pH).int32(pW));
            assertArrayEquals(ys.toArray(ValueLayout.JAVA_FLOAT), download(call, dy, outputs), "average pool, " + geometry);
            long dg = upload(call, g);
            launch("kiln_avg_pool_backward_f32", grid(inputs), Dim3.of(256), KernelArgs.of(call).pointer(dx).pointer(dg)
                    .int32(planes).int32(height).int32(width).int32(kH).int32(kW).int32(sH).int32(sW).int32(pH).int32(pW));
            assertArrayEquals(dxs.toArray(ValueLayout.JAVA_FLOAT), download(call, dx, inputs), "average pool gradient, " + geometry);
            freeAll(dx, dy, dg);
        }
    }

    // ------------------------------------------------------------------------------------- norm.cu

    /**
     * Batch normalisation in training (statistics, running statistics, y), in evaluation, and its
     * backward (dx, dγ, dβ), against BatchNormKernels composed as kiln.engine.BatchNormalization
     * composes them, and the statistics and weight gradients against sums in double. The GPU adds in
     * another order, so the results agree to float rounding, not bit for bit. {@code offset} moves x
     * away from zero, where a one-pass variance would cancel.
     */
    @ParameterizedTest(name = "N={0} C={1} S={2}, offset {3}")
    @CsvSource({
        "2, 1, 1, 0",
        "1, 3, 2, 0",
        "4, 5, 1, 0",
        "2, 3, 35, 0",
        "3, 5, 143, 0",
        "2, 3, 17, 100",
    })
    default void batchNormMatchesTheCpu(int batch, int channels, int spatial, float offset) {
        int size = batch * channels * spatial;
        long n = (long) batch * spatial;
        float eps = 1e-5f, momentum = 0.1f;
        SplittableRandom random = new SplittableRandom(size * 7L + channels);
        float[] x = randomFloats(random, size), g = randomFloats(random, size);
        for (int i = 0; i < size; i++) {
            x[i] = x[i] * 2 + offset;
        }
        float[] gamma = randomFloats(random, channels), beta = randomFloats(random, channels);
        float[] runningMean = randomFloats(random, channels), runningVar = new float[channels];
        for (int c = 0; c < channels; c++) {
            runningVar[c] = 0.5f + random.nextFloat();
        }

        // The CPU: BatchNormalization.statistics and forward, then backward, with BatchNormKernels.
        float[] zero = new float[channels], meanF = new float[channels], invStd = new float[channels];
        float[] scale = new float[channels], shift = new float[channels];
        double[] mean = new double[channels], variance = new double[channels];
        float[] expectedY, expectedDx;
        double[] exactMean = new double[channels], exactVar = new double[channels];
        double[] exactGradSum = new double[channels], exactGradDot = new double[channels];
        try (Arena cpu = Arena.ofConfined()) {
            MemorySegment xs = cpu.allocateFrom(ValueLayout.JAVA_FLOAT, x), gs = cpu.allocateFrom(ValueLayout.JAVA_FLOAT, g);
            MemorySegment out = cpu.allocate(ValueLayout.JAVA_FLOAT, size);
            double[] sum = new double[channels], squares = new double[channels];
            BatchNormKernels.sums(sum, squares, xs, 0, xs, 0, zero, zero, batch, channels, spatial, 0, channels);
            float[] firstShift = new float[channels];
            for (int c = 0; c < channels; c++) {
                firstShift[c] = (float) (sum[c] / n);
            }
            double[] deviation = new double[channels], deviationSquares = new double[channels];
            BatchNormKernels.sums(deviation, deviationSquares, xs, 0, xs, 0, firstShift, firstShift, batch, channels, spatial, 0, channels);
            for (int c = 0; c < channels; c++) {
                double missed = deviation[c] / n;
                mean[c] = firstShift[c] + missed;
                variance[c] = Math.max(0, deviationSquares[c] / n - missed * missed);
                meanF[c] = (float) mean[c];
                invStd[c] = (float) (1 / Math.sqrt(variance[c] + eps));
                scale[c] = gamma[c] * invStd[c];
                shift[c] = (float) (beta[c] - (mean[c] - meanF[c]) * scale[c]);
            }
            BatchNormKernels.normalize(out, 0, xs, 0, meanF, scale, shift, batch, channels, spatial, 0, channels);
            expectedY = out.toArray(ValueLayout.JAVA_FLOAT);

            double[] gradSum = new double[channels], gradDot = new double[channels];
            BatchNormKernels.sums(gradSum, gradDot, gs, 0, xs, 0, zero, meanF, batch, channels, spatial, 0, channels);
            float[] gMean = new float[channels], k = new float[channels];
            for (int c = 0; c < channels; c++) {
                gMean[c] = (float) (gradSum[c] / n);
                k[c] = (float) (gradDot[c] * invStd[c] * invStd[c] / n);
            }
            BatchNormKernels.inputGradient(out, 0, gs, 0, xs, 0, meanF, gMean, k, scale, batch, channels, spatial, 0, channels);
            expectedDx = out.toArray(ValueLayout.JAVA_FLOAT);
        }
        // Sums in double, for the statistics and the weight gradients.
        for (int i = 0; i < size; i++) {
            exactMean[i / spatial % channels] += x[i] / (double) n;
        }
        for (int i = 0; i < size; i++) {
            int c = i / spatial % channels;
            exactVar[c] += (x[i] - exactMean[c]) * (x[i] - exactMean[c]) / n;
            exactGradSum[c] += g[i];
            exactGradDot[c] += (double) g[i] * (x[i] - meanF[c]);
        }

        try (Arena call = Arena.ofConfined()) {
            long dx = upload(call, x), dg = upload(call, g), dGamma = upload(call, gamma), dBeta = upload(call, beta);
            long dRunMean = upload(call, runningMean), dRunVar = upload(call, runningVar);
            long dy = driver().allocate(4L * size), dMean = driver().allocate(4L * channels), dInvStd = driver().allocate(4L * channels);
            launch("kiln_batch_norm_f32", Dim3.of(channels), Dim3.of(256), KernelArgs.of(call).pointer(dy).pointer(dMean).pointer(dInvStd)
                    .pointer(dRunMean).pointer(dRunVar).pointer(dx).pointer(dGamma).pointer(dBeta)
                    .int32(batch).int32(channels).int32(spatial).float32(momentum).float32(eps));
            float[] y = download(call, dy, size), savedMean = download(call, dMean, channels), savedInvStd = download(call, dInvStd, channels);
            float[] newMean = download(call, dRunMean, channels), newVar = download(call, dRunVar, channels);
            for (int c = 0; c < channels; c++) {
                assertEquals(exactMean[c], savedMean[c], 1e-6 * (1 + Math.abs(exactMean[c])), "mean of channel " + c);
                double exactInvStd = 1 / Math.sqrt(exactVar[c] + eps);
                assertEquals(exactInvStd, savedInvStd[c], 1e-6 * exactInvStd, "1/σ of channel " + c);
                assertEquals((1 - momentum) * runningMean[c] + momentum * exactMean[c], newMean[c], 1e-6 * (1 + Math.abs(exactMean[c])),
                        "running mean of channel " + c);
                assertEquals((1 - momentum) * runningVar[c] + momentum * exactVar[c] * n / (n - 1.0), newVar[c], 1e-6 * (1 + newVar[c]),
                        "running variance of channel " + c);
            }
            // Within float rounding of the terms: γ·x̂ (|x̂| = |x − μ|/σ, up to √n) and β.
            for (int i = 0; i < size; i++) {
                int c = i / spatial % channels;
                double normalized = Math.abs(x[i] - meanF[c]) * invStd[c];
                assertEquals(expectedY[i], y[i], 1e-5 * (1 + normalized * Math.abs(gamma[c])), "y at " + i);
            }

            launch("kiln_batch_norm_eval_f32", grid(size), Dim3.of(256), KernelArgs.of(call).pointer(dy).pointer(dx).pointer(dGamma)
                    .pointer(dBeta).pointer(dRunMean).pointer(dRunVar).int32(batch).int32(channels).int32(spatial).float32(eps));
            float[] yEval = download(call, dy, size);
            // dRunMean and dRunVar now hold the updated running statistics: evaluation uses those.
            float[] evalReference = evaluation(x, gamma, beta, newMean, newVar, eps, channels, spatial);
            for (int i = 0; i < size; i++) {
                assertEquals(evalReference[i], yEval[i], 1e-6 * (1 + Math.abs(evalReference[i])), "evaluation y at " + i);
            }

            // Backward from the CPU's saved statistics, so that only the backward pass is compared.
            long dMeanCpu = upload(call, meanF), dInvStdCpu = upload(call, invStd);
            long dGrad = driver().allocate(4L * size), dGammaGrad = driver().allocate(4L * channels), dBetaGrad = driver().allocate(4L * channels);
            launch("kiln_batch_norm_backward_f32", Dim3.of(channels), Dim3.of(256), KernelArgs.of(call).pointer(dGrad).pointer(dGammaGrad)
                    .pointer(dBetaGrad).pointer(dg).pointer(dx).pointer(dGamma).pointer(dMeanCpu).pointer(dInvStdCpu)
                    .int32(batch).int32(channels).int32(spatial));
            float[] grad = download(call, dGrad, size), gammaGrad = download(call, dGammaGrad, channels), betaGrad = download(call, dBetaGrad, channels);
            for (int c = 0; c < channels; c++) {
                assertEquals(exactGradSum[c], betaGrad[c], 1e-6 * (1 + Math.abs(exactGradSum[c])), "dβ of channel " + c);
                double exactGammaGrad = exactGradDot[c] * invStd[c];
                assertEquals(exactGammaGrad, gammaGrad[c], 1e-6 * (1 + Math.abs(exactGammaGrad)), "dγ of channel " + c);
            }
            // dx = (g − Σg/n − x̂·Σg·x̂/n)·γ/σ: its terms are about (1 + |x̂|)·|γ|/σ (|g| ≤ 1), and they can cancel
            // (for n = 2 the exact dx is 0), so its rounding is relative to them, not to dx.
            for (int i = 0; i < size; i++) {
                int c = i / spatial % channels;
                double normalized = Math.abs(x[i] - meanF[c]) * invStd[c];
                assertEquals(expectedDx[i], grad[i], 1e-5 * (1 + normalized) * Math.abs(scale[c]), "dx at " + i);
            }
            freeAll(dx, dg, dGamma, dBeta, dRunMean, dRunVar, dy, dMean, dInvStd, dMeanCpu, dInvStdCpu, dGrad, dGammaGrad, dBetaGrad);
        }
    }

    /** Evaluation-mode batch norm by BatchNormKernels.normalize, for the given running statistics. */
    private static float[] evaluation(float[] x, float[] gamma, float[] beta, float[] mean, float[] var, float eps, int channels, int spatial) {
        float[] scale = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = gamma[c] * (float) (1 / Math.sqrt(var[c] + (double) eps));
        }
        try (Arena cpu = Arena.ofConfined()) {
            MemorySegment xs = cpu.allocateFrom(ValueLayout.JAVA_FLOAT, x), out = cpu.allocate(ValueLayout.JAVA_FLOAT, x.length);
            BatchNormKernels.normalize(out, 0, xs, 0, mean, scale, beta, x.length / (channels * spatial), channels, spatial, 0, channels);
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    // -------------------------------------------------------------------------------- embedding.cu

    /**
     * Embedding lookup and its scatter-add gradient against a loop here (the gradient added in index
     * order, as the kernel adds: the same bits), with repeated indices; one case has indices out of
     * range (−1 and vocab), whose rows come back NaN and whose gradients are dropped. The gradient is
     * added into a table gradient that already holds values, split into 1 and 3 slices of rows.
     */
    @ParameterizedTest(name = "vocab={0} dim={1} count={2}, out of range {3}")
    @CsvSource({
        "1, 1, 1, false",
        "7, 5, 9, false",
        "13, 33, 40, true",
        "3, 2, 17, false",
        "11, 1, 23, true",
    })
    default void embeddingMatchesALoop(int vocab, int dim, int count, boolean outOfRange) {
        SplittableRandom random = new SplittableRandom(vocab * 1000L + dim * 10L + count);
        float[] table = randomFloats(random, vocab * dim), dy = randomFloats(random, count * dim), start = randomFloats(random, vocab * dim);
        long[] indices = new long[count];
        for (int r = 0; r < count; r++) {
            indices[r] = random.nextInt(Math.min(vocab, 4));        // few distinct rows: repeats
        }
        if (outOfRange) {
            indices[0] = -1;
            indices[count / 2] = vocab;
        }
        float[] expectedRows = new float[count * dim], expectedGrad = start.clone();
        for (int r = 0; r < count; r++) {
            boolean valid = indices[r] >= 0 && indices[r] < vocab;
            for (int d = 0; d < dim; d++) {
                expectedRows[r * dim + d] = valid ? table[(int) indices[r] * dim + d] : Float.NaN;
                if (valid) {
                    expectedGrad[(int) indices[r] * dim + d] += dy[r * dim + d];
                }
            }
        }
        try (Arena call = Arena.ofConfined()) {
            long dTable = upload(call, table), dIndices = upload(call.allocateFrom(ValueLayout.JAVA_LONG, indices)), dOut = driver().allocate(4L * count * dim);
            launch("kiln_embedding_f32", grid((long) count * dim), Dim3.of(256),
                    KernelArgs.of(call).pointer(dOut).pointer(dTable).pointer(dIndices).int32(count).int32(dim).int32(vocab));
            assertArrayEquals(expectedRows, download(call, dOut, count * dim), "embedding rows");
            long dDy = upload(call, dy);
            for (int slices : new int[] {1, 3}) {
                long dGrad = upload(call, start);
                launch("kiln_embedding_backward_f32", Dim3.of((dim + 31) / 32, slices), Dim3.of(32),
                        KernelArgs.of(call).pointer(dGrad).pointer(dDy).pointer(dIndices).int32(count).int32(dim).int32(vocab));
                assertArrayEquals(expectedGrad, download(call, dGrad, vocab * dim), "embedding gradient, " + slices + " slices");
                driver().free(dGrad);
            }
            freeAll(dTable, dIndices, dOut, dDy);
        }
    }

    // ------------------------------------------------------------------------------------- helpers

    /** Blocks of 256 threads for a grid-stride kernel over {@code threads} elements (at most 1024 blocks). */
    private static Dim3 grid(long threads) {
        return Dim3.of((int) Math.max(1, Math.min(1024, (threads + 255) / 256)));
    }

}

package kiln.engine;

import java.lang.foreign.MemorySegment;

import kiln.kernels.cpu.CrossEntropyKernels;

/**
 * Cross-entropy of rows of logits against class indices, in one op: for row r with label y,
 *
 * <pre>  loss[r] = −log softmax(x[r])[y] = logsumexp(x[r]) − x[r, y],      0 where y is the ignore index</pre>
 *
 * with the gradient {@code dx[r, c] = g[r] · (softmax(x[r])[c] − [c = y])}, 0 on ignored rows. The
 * same values as log-softmax followed by a gather, which a loss would otherwise record as a dozen
 * small ops (each with its backward) for what is, per row, one pass over C numbers.
 *
 * <p>float32 rows take the fused kernels of {@link CrossEntropyKernels}: one pass per row forward,
 * keeping logsumexp per row, and one backward that recomputes the softmax from the logits. Other
 * dtypes (float64 in gradient checks) compute log-softmax and keep it for the backward pass.
 */
final class CrossEntropy {
    private CrossEntropy() {}

    static Tensor rows(Tensor logits, Tensor labels, long ignoreIndex) {
        Pointwise.checkSameDevice("crossEntropyRows", logits, labels);
        if (logits.rank() != 2 || !logits.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("crossEntropyRows: logits " + logits.describe() + " must be floating rows [M, C]");
        }
        if (labels.rank() != 1 || !labels.dtype().isInteger() || labels.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("crossEntropyRows: labels " + labels.describe() + " must be integer class indices, one per row of "
                    + logits.describe());
        }
        long[] classes = labels.toLongArray();             // from a GPU, through a copy to the host
        int width = logits.dim(1);
        for (long label : classes) {
            if (label != ignoreIndex && (label < 0 || label >= width)) {
                throw new IllegalArgumentException("crossEntropyRows: label " + label + " is out of range for " + width
                        + " classes (valid: 0.." + (width - 1) + ", or the ignore index " + ignoreIndex + ")");
            }
        }
        if (logits.device().kind() != Device.Kind.CPU) {
            return onGpu(logits, labels, ignoreIndex);
        }
        return logits.dtype() == DType.FLOAT32 ? fused(logits, classes, ignoreIndex) : generic(logits, classes, ignoreIndex);
    }

    /** On a GPU: the same two fused kernels, run by the CUDA backend, with the int64 labels read on the device. */
    private static Tensor onGpu(Tensor logits, Tensor labels, long ignoreIndex) {
        CudaBackend gpu = Backends.cuda(logits.device());
        Tensor[] saved = new Tensor[3];          // the contiguous logits, logsumexp per row, the int64 labels
        Tensor loss = Autograd.record("crossEntropyRows", () -> {
            saved[0] = logits.contiguous();
            saved[1] = Tensor.empty(DType.FLOAT32, Shape.of(logits.dim(0)), logits.device());
            saved[2] = labels.to(DType.INT64);                  // a contiguous copy
            Tensor out = Tensor.empty(DType.FLOAT32, Shape.of(logits.dim(0)), logits.device());
            gpu.crossEntropyForward(out, saved[1], saved[0], saved[2], ignoreIndex);
            return out;
        }, logits, (g, y) -> {
            Tensor dx = Tensor.empty(DType.FLOAT32, saved[0].shape(), logits.device());
            try (Tensor upstream = g.contiguous()) {
                gpu.crossEntropyBackward(dx, upstream, saved[0], saved[2], ignoreIndex, saved[1]);
            }
            return dx;
        });
        if (loss.gradFn() == null) {             // nothing recorded: no backward pass will read them
            for (Tensor t : saved) {
                t.close();
            }
        }
        return loss;
    }

    /** float32: {@link CrossEntropyKernels}, saving the contiguous logits and their logsumexp per row. */
    private static Tensor fused(Tensor logits, long[] labels, long ignoreIndex) {
        int rows = logits.dim(0);
        int width = logits.dim(1);
        Tensor[] saved = new Tensor[2];          // the contiguous logits, logsumexp per row
        Tensor loss = Autograd.record("crossEntropyRows", () -> {
            Tensor x = logits.contiguous();
            Tensor logSumExp = Tensor.empty(DType.FLOAT32, Shape.of(rows), logits.device());
            Tensor out = Tensor.empty(DType.FLOAT32, Shape.of(rows), logits.device());
            CrossEntropyKernels.forward(out.segment(), out.offset(), logSumExp.segment(), logSumExp.offset(),
                    x.segment(), x.offset(), labels, ignoreIndex, rows, width);
            saved[0] = x;
            saved[1] = logSumExp;
            return out;
        }, logits, (g, y) -> {
            Tensor x = saved[0];
            Tensor logSumExp = saved[1];
            Tensor dx = Tensor.empty(DType.FLOAT32, x.shape(), x.device());
            try (Tensor upstream = g.dtype() == DType.FLOAT32 ? g.contiguous() : g.to(DType.FLOAT32)) {
                CrossEntropyKernels.backward(dx.segment(), dx.offset(), upstream.segment(), upstream.offset(),
                        x.segment(), x.offset(), labels, ignoreIndex, logSumExp.segment(), logSumExp.offset(), rows, width);
            }
            return dx;
        });
        if (loss.gradFn() == null) {             // nothing recorded: no backward pass will read them
            saved[0].close();
            saved[1].close();
        }
        return loss;
    }

    /** Other dtypes: log-softmax, kept for the backward pass, and a pick. */
    private static Tensor generic(Tensor logits, long[] classes, long ignoreIndex) {
        Tensor[] logProbs = new Tensor[1];
        Tensor loss = Autograd.record("crossEntropyRows", () -> {
            logProbs[0] = LinearAlgebra.softmax(logits, 1, true);
            return pick(logProbs[0], classes, ignoreIndex);
        }, logits, (g, y) -> gradient(g, logProbs[0], classes, ignoreIndex));
        if (loss.gradFn() == null) {
            logProbs[0].close();             // nothing recorded: no backward pass will read them
        }
        return loss;
    }

    /** −logProbs[r, label[r]], 0 on ignored rows. */
    private static Tensor pick(Tensor logProbs, long[] labels, long ignoreIndex) {
        DType type = logProbs.dtype();
        int width = logProbs.dim(1);
        Tensor loss = Tensor.empty(type, Shape.of(labels.length), logProbs.device());
        MemorySegment from = logProbs.segment(), to = loss.segment();
        for (int r = 0; r < labels.length; r++) {
            double value = labels[r] == ignoreIndex ? 0 : -Elements.getDouble(type, from, logProbs.offset() + (long) r * width + labels[r]);
            Elements.setDouble(type, to, r, value);
        }
        return loss;
    }

    /** dx[r, c] = g[r]·(exp(logProbs[r, c]) − [c = label[r]]), 0 on ignored rows. */
    private static Tensor gradient(Tensor g, Tensor logProbs, long[] labels, long ignoreIndex) {
        DType type = logProbs.dtype();
        int width = logProbs.dim(1);
        Tensor dx = Tensor.empty(type, logProbs.shape(), logProbs.device());
        try (Tensor upstream = g.dtype() == type ? g.contiguous() : g.to(type)) {
            MemorySegment grads = upstream.segment(), from = logProbs.segment(), to = dx.segment();
            for (int r = 0; r < labels.length; r++) {
                double scale = labels[r] == ignoreIndex ? 0 : Elements.getDouble(type, grads, upstream.offset() + r);
                long row = (long) r * width;
                for (int c = 0; c < width; c++) {
                    double probability = Math.exp(Elements.getDouble(type, from, logProbs.offset() + row + c));
                    double value = scale * (probability - (c == labels[r] ? 1 : 0));
                    Elements.setDouble(type, to, row + c, value);
                }
            }
        }
        return dx;
    }
}

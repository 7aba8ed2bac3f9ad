package kiln.engine;

import java.util.Arrays;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.Sgemm;

/** Matrix products with batch broadcasting, and softmax along an axis. */
final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * NumPy's matmul: {@code (..., M, K) @ (..., K, N) -> (..., M, N)}. A 1-D left operand is treated
     * as {@code [1, K]} and a 1-D right operand as {@code [K, 1]}, and the added axis is removed from
     * the result. Batch axes broadcast as stride-0 views, so a shared weight matrix is never copied.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        Pointwise.checkSameDevice("matmul", a, b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: operands need at least one axis, got " + a.describe() + " and " + b.describe());
        }
        if (a.dtype() != b.dtype() || !a.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("matmul: needs two float32 or two float64 operands, got "
                    + a.describe() + " and " + b.describe());
        }
        try (Tensor left = a.rank() == 1 ? a.unsqueeze(0) : a.view(a.shape(), a.strides(), a.offset());
             Tensor right = b.rank() == 1 ? b.unsqueeze(1) : b.view(b.shape(), b.strides(), b.offset())) {
            int m = left.dim(-2);
            int k = left.dim(-1);
            int n = right.dim(-1);
            if (right.dim(-2) != k) {
                throw new IllegalArgumentException("matmul: shapes " + a.shape() + " and " + b.shape()
                        + " are not aligned (" + k + " columns vs " + right.dim(-2) + " rows)");
            }
            Shape batch;
            try {
                batch = Shape.broadcast("matmul", batchOf(left), batchOf(right));
            } catch (IllegalArgumentException e) {
                // The batch shapes alone ([2] and [5]) hide which operands they came from: name both.
                throw new IllegalArgumentException("matmul: the batch axes of " + a.shape() + " and " + b.shape()
                        + " cannot be broadcast together (" + e.getMessage() + ")", e);
            }
            int[] batchDims = batch.toArray();
            try (Tensor leftWide = left.expand(concat(batchDims, m, k));
                 Tensor rightWide = right.expand(concat(batchDims, k, n))) {
                Tensor out = Tensor.empty(a.dtype(), Shape.of(concat(batchDims, m, n)), a.device());
                a.backend().matmul(out, leftWide, rightWide);
                if (a.rank() > 1 && b.rank() > 1) {
                    return out;
                }
                int[] resultDims = out.dims();
                if (a.rank() == 1) {
                    resultDims = remove(resultDims, resultDims.length - 2);
                }
                if (b.rank() == 1) {
                    resultDims = remove(resultDims, resultDims.length - 1);
                }
                try (out) {
                    return out.reshape(resultDims);
                }
            }
        }
    }

    /**
     * PyTorch's {@code linear}: {@code x [..., in] · wᵀ + b} with {@code w [out, in]} and {@code b [out]}
     * (or null). The gradients are written for this layout: dx = g·w, dw = gᵀ·x summed over every
     * leading index (one product that comes out as w's own row-major [out, in], where the generic
     * matmul would hand back a transposed view), db = g summed over the leading axes. In float32 the
     * forward pass starts each output row from the bias and lets the matmul add onto it (one pass
     * over y instead of two).
     */
    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        return linear(x, w, b, false);
    }

    /**
     * {@code x·wᵀ + b}, followed by the ReLU when {@code relu}: one op whose float32 kernel applies the
     * bias and the ReLU as it writes each tile of the product. Backward, the gradient through the ReLU
     * (g where y > 0, else 0) is taken once and shared by the three rules.
     */
    static Tensor linear(Tensor x, Tensor w, Tensor b, boolean relu) {
        Pointwise.checkSameDevice("linear", b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
        if (w.rank() != 2 || x.rank() == 0 || x.dim(-1) != w.dim(1)) {
            throw new IllegalArgumentException("linear: input " + x.describe() + " needs the weight's " + (w.rank() == 2 ? w.dim(1) : "?")
                    + " features in its last axis, and the weight " + w.describe() + " must be [out, in]");
        }
        if (b != null && (b.rank() != 1 || b.dim(0) != w.dim(0))) {
            throw new IllegalArgumentException("linear: bias " + b.describe() + " must hold one value per output, [" + w.dim(0) + "]");
        }
        if (!x.dtype().isFloatingPoint() || w.dtype() != x.dtype() || (b != null && b.dtype() != x.dtype())) {
            throw new IllegalArgumentException("linear: input, weight and bias need one floating dtype, got " + x.describe()
                    + ", " + w.describe() + (b == null ? "" : " and " + b.describe()));
        }
        Tensor[] inputs = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        GradNode.Partial through = relu ? new ReluGate() : (g, y) -> g;      // the gradient of the product x·wᵀ + b
        GradNode.Partial[] partials = {
                (g, y) -> through.apply(g, y).matmul(w),                                  // dx = g·w
                (g, y) -> rowsOf(through.apply(g, y)).t().matmul(rowsOf(x)),              // dw = gᵀ·x over all rows
                (g, y) -> rowsOf(through.apply(g, y)).sum(0, false)};                     // db = Σ_rows g
        return Autograd.record(relu ? "linearRelu" : "linear", () -> linearForward(x, w, b, relu), inputs,
                Arrays.copyOf(partials, inputs.length));
    }

    /** g where y > 0, else 0: the gradient through a fused ReLU, computed once per upstream gradient. */
    private static final class ReluGate implements GradNode.Partial {
        private Tensor upstream, gated;

        @Override
        public Tensor apply(Tensor g, Tensor y) {
            if (g != upstream) {
                upstream = g;
                gated = Pointwise.binary(BinaryOp.RELU_GRAD, g, y);
            }
            return gated;
        }
    }

    /** t {@code [..., k]} as a matrix {@code [rows, k]} (a view when t is contiguous). */
    private static Tensor rowsOf(Tensor t) {
        return t.reshape(-1, t.dim(-1));
    }

    private static Tensor linearForward(Tensor x, Tensor w, Tensor b, boolean relu) {
        if (x.dtype() != DType.FLOAT32 || x.device().kind() != Device.Kind.CPU) {     // composed of ops (float64; GPUs)
            Tensor product = x.matmul(w.t());
            Tensor shifted = b == null ? product : product.add(b);
            if (b != null) {
                product.close();
            }
            if (!relu) {
                return shifted;
            }
            try (Tensor beforeRelu = shifted) {
                return beforeRelu.relu();
            }
        }
        int in = w.dim(1), out = w.dim(0);
        int[] dims = x.dims();
        dims[dims.length - 1] = out;
        Tensor y = Tensor.empty(DType.FLOAT32, Shape.of(dims), x.device());
        try (Dense rows = Dense.of(x); Dense weights = Dense.of(w); Dense shift = Dense.of(b)) {
            Tensor xs = rows.tensor(), ws = weights.tensor(), bs = shift.tensor();
            int count = (int) (y.numel() / Math.max(1, out));
            // wᵀ read in place (row stride 1, column stride in); the bias added as each tile of y is written.
            Sgemm.sgemm(y.segment(), 0, out, xs.segment(), xs.offset(), in, 1, ws.segment(), ws.offset(), 1, in,
                    count, out, in, false, bs == null ? null : bs.segment(), bs == null ? 0 : bs.offset(), relu);
        }
        return y;
    }

    private static Shape batchOf(Tensor t) {
        return Shape.of(Arrays.copyOf(t.dims(), t.rank() - 2));
    }

    private static int[] concat(int[] dims, int x, int y) {
        int[] out = Arrays.copyOf(dims, dims.length + 2);
        out[dims.length] = x;
        out[dims.length + 1] = y;
        return out;
    }

    private static int[] remove(int[] dims, int axis) {
        int[] out = new int[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i != axis) {
                out[j++] = dims[i];
            }
        }
        return out;
    }

    static Tensor softmax(Tensor t, int axis, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        t.ensureOpen();
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point tensor, got " + t.describe());
        }
        int rank = Math.max(1, t.rank());
        int a = Shape.normalizeAxis(axis, rank, op);
        if (t.rank() == 0) {
            try (Tensor one = t.reshape(1)) {
                Tensor result = softmax(one, 0, log);
                try (result) {
                    return result.reshape();
                }
            }
        }
        // Move the axis last, make rows contiguous, run the row kernel, move the axis back.
        try (Tensor moved = t.transpose(a, -1); Tensor rows = moved.contiguous()) {
            int cols = rows.dim(-1);
            int count = cols == 0 ? 0 : (int) (rows.numel() / cols);
            try (Tensor matrix = rows.reshape(count, cols);
                 Tensor out = Tensor.empty(t.dtype(), matrix.shape(), t.device())) {
                t.backend().softmaxRows(out, matrix, log);
                try (Tensor shaped = out.reshape(rows.dims()); Tensor back = shaped.transpose(a, -1)) {
                    return back.contiguous();
                }
            }
        }
    }

    /**
     * The axes the gradient of softmax along {@code axis} sums over: that axis; or null (all axes) for
     * a rank-0 input, which {@link #softmax} normalizes as its one element and which has no axis to name.
     */
    static int[] softmaxAxes(Tensor x, int axis) {
        return x.rank() == 0 ? null : new int[] {axis};
    }

    // ---------------------------------------------------------------- gradients of matmul (see Tensor.matmul)
    //
    // With A [..., M, K], B [..., K, N] and C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC. A 1-D operand is first
    // given back the axis matmul added ([K] → [1, K] on the left, [K, 1] on the right), and dC the axis
    // matmul removed; the result drops that axis again. Broadcast batch axes are summed by Autograd.

    static Tensor matmulGradLeft(Tensor g, Tensor a, Tensor b) {
        Tensor right = b.rank() == 1 ? b.unsqueeze(1) : b;
        Tensor grad = asMatrixGrad(g, a, b).matmul(right.transpose(-1, -2));
        return a.rank() == 1 ? grad.squeeze(-2) : grad;
    }

    static Tensor matmulGradRight(Tensor g, Tensor a, Tensor b) {
        Tensor left = a.rank() == 1 ? a.unsqueeze(0) : a;
        Tensor grad = left.transpose(-1, -2).matmul(asMatrixGrad(g, a, b));
        return b.rank() == 1 ? grad.squeeze(-1) : grad;
    }

    private static Tensor asMatrixGrad(Tensor g, Tensor a, Tensor b) {
        Tensor grad = g;
        if (a.rank() == 1) {
            grad = grad.unsqueeze(b.rank() == 1 ? 0 : -2);
        }
        if (b.rank() == 1) {
            grad = grad.unsqueeze(-1);
        }
        return grad;
    }
}

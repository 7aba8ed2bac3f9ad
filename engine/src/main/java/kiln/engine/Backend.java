package kiln.engine;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.CompareOp;
import kiln.kernels.cpu.ReduceOp;
import kiln.kernels.cpu.UnaryOp;

/**
 * Where ops run. {@link Tensor} validates arguments, works out result shapes and dtypes, broadcasts
 * operands (as stride-0 views) and allocates outputs; a backend then only computes. A second backend
 * (CUDA) implements this interface and every call site keeps working.
 *
 * <p>Contract for every method: operands are open, live on this backend's device and have the shapes
 * the method names; {@code out} is freshly allocated and contiguous unless said otherwise; inputs may
 * be any strided views.
 */
public interface Backend {
    Device device();

    /** One line for logs: which backend, which kernels, how many threads. */
    String describe();

    /** out = in, element by element, converting dtype; {@code out} may be a strided view. */
    void copy(Tensor out, Tensor in);

    /** Every element of {@code out} (contiguous) set to {@code value}. */
    void fill(Tensor out, double value);

    /** out = op(in), same shape; dtypes equal. */
    void unary(UnaryOp op, Tensor out, Tensor in);

    /** out = in^exponent, same shape; floating dtype. */
    void powScalar(Tensor out, Tensor in, double exponent);

    /** out = min(max(in, lo), hi), same shape. */
    void clamp(Tensor out, Tensor in, double lo, double hi);

    /**
     * out = op(a, b); a and b already broadcast to out's shape and cast to out's dtype. {@code out}
     * may be a strided view and may be {@code a} itself (in-place accumulation: col2im, gradients).
     */
    void binary(BinaryOp op, Tensor out, Tensor a, Tensor b);

    /** out (bool) = a op b; a and b broadcast to out's shape, both of one dtype. */
    void compare(CompareOp op, Tensor out, Tensor a, Tensor b);

    /** out = cond ? a : b; all broadcast to out's shape; cond bool, a and b of out's dtype. */
    void where(Tensor out, Tensor cond, Tensor a, Tensor b);

    /**
     * Reduces each row of {@code in} ({@code [rows, len]}) into {@code out} ({@code [rows]}).
     * {@code correction} is the variance's degrees-of-freedom correction (VAR and STD only).
     */
    void reduceRows(ReduceOp op, Tensor out, Tensor in, int correction);

    /** out {@code [cols]} = the sum over the rows of a contiguous float32 in {@code [rows, cols]}, each column in row order. */
    void sumColumns(Tensor out, Tensor in);

    /** out (int64, {@code [rows]}) = index of the first maximum (or minimum) of each row of in {@code [rows, len]}. */
    void argReduceRows(boolean max, Tensor out, Tensor in);

    /**
     * out {@code [..., M, N]} = a {@code [..., M, K]} · b {@code [..., K, N]} for every index of the
     * batch axes "...", which all three share (a and b may be stride-0 along them); one float dtype.
     */
    void matmul(Tensor out, Tensor a, Tensor b);

    /** Softmax (or log-softmax) of each row of in {@code [rows, cols]} into out. */
    void softmaxRows(Tensor out, Tensor in, boolean log);

    /** out[..., i, ...] = in[..., index[..., i, ...], ...] along {@code axis}; out has index's shape. Indices checked. */
    void gather(Tensor out, Tensor in, int axis, Tensor index);

    /**
     * out = the slices of a contiguous {@code in} along {@code axis} that the 1-D {@code index}
     * names, in its order (out is contiguous, in's shape with {@code index.dim(0)} along axis): a
     * batch of rows gathered from a dataset. Indices checked.
     */
    void indexSelect(Tensor out, Tensor in, int axis, Tensor index);

    /** out[..., index[..., i, ...], ...] += src[..., i, ...] along {@code axis}, in order. Indices checked. */
    void scatterAdd(Tensor out, int axis, Tensor index, Tensor src);
}

package kiln.nn.optim;

import java.util.Collection;
import java.util.List;

import kiln.engine.Autograd;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Parameter;

/**
 * Gradient clipping between {@code backward()} and {@code step()}, as PyTorch's
 * {@code clip_grad_norm_} and {@code clip_grad_value_}. Only parameters that are not frozen and have
 * a gradient take part (the ones an optimizer would update).
 */
public final class GradClip {
    private GradClip() {}

    /** {@link #byGlobalNorm(Collection, double, double)} with the L2 norm. */
    public static double byGlobalNorm(Collection<Parameter> params, double maxNorm) {
        return byGlobalNorm(params, maxNorm, 2);
    }

    /**
     * Scales all gradients together so that their joint p-norm is at most {@code maxNorm}, and
     * returns that norm as it was before clipping:
     *
     * <pre>
     * N ← ‖(‖g₁‖ₚ, ‖g₂‖ₚ, ...)‖ₚ          (p = ∞: the largest |gᵢⱼ|)
     * gᵢ ← gᵢ · min(1, maxNorm / (N + 10⁻⁶))
     * </pre>
     *
     * The 10⁻⁶ keeps a zero gradient finite. The scaling runs in the gradients' precision, as in
     * PyTorch (a factor of exactly 1 leaves them unchanged). Returns 0 when no parameter has a gradient.
     *
     * @param normType p ≥ 1, or {@code Double.POSITIVE_INFINITY}
     */
    public static double byGlobalNorm(Collection<Parameter> params, double maxNorm, double normType) {
        Check.nonNegative("GradClip.byGlobalNorm", "maxNorm", maxNorm);
        Check.require(normType >= 1, "GradClip.byGlobalNorm", "normType", ">= 1 or infinity", normType);
        List<Tensor> grads = gradients(params);
        if (grads.isEmpty()) {
            return 0;
        }
        try (Autograd.NoGrad _ = Autograd.noGrad(); MemoryScope _ = MemoryScope.open()) {
            Tensor total = norm(Tensor.stack(0, grads.stream().map(g -> norm(g, normType)).toList()), normType);
            // PyTorch evaluates maxNorm / (N + 1e-6) as reciprocal(N + 1e-6) · maxNorm: two roundings, kept.
            Tensor factor = Tensor.scalar(1, total.dtype()).div(total.add(1e-6)).mul(maxNorm).clamp(Double.NEGATIVE_INFINITY, 1);
            for (Tensor g : grads) {
                g.copyFrom(g.mul(factor));
            }
            return total.item();
        }
    }

    /** Clamps every gradient element into [−clip, clip]. */
    public static void byValue(Collection<Parameter> params, double clip) {
        Check.nonNegative("GradClip.byValue", "clip", clip);
        try (Autograd.NoGrad _ = Autograd.noGrad(); MemoryScope _ = MemoryScope.open()) {
            for (Tensor g : gradients(params)) {
                g.copyFrom(g.clamp(-clip, clip));
            }
        }
    }

    private static List<Tensor> gradients(Collection<Parameter> params) {
        return params.stream().filter(p -> !p.isFrozen() && p.grad() != null).map(Parameter::grad).toList();
    }

    /** ‖x‖ₚ over all elements, a scalar. */
    private static Tensor norm(Tensor x, double p) {
        if (p == Double.POSITIVE_INFINITY) {
            return x.abs().max();
        }
        if (p == 2) {
            return x.mul(x).sum().sqrt();
        }
        return x.abs().pow(p).sum().pow(1 / p);
    }
}

package kiln.nn.optim;

import java.util.List;

import kiln.nn.Parameter;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2019), exactly as PyTorch's
 * {@code torch.optim.AdamW}: the decay shrinks θ directly instead of joining the gradient, so it is
 * not rescaled by the moment estimates.
 *
 * <pre>
 * input: lr γ, betas β₁ β₂, eps ε, weight decay λ, amsgrad
 * m ← 0, v ← 0, v̂max ← 0
 * for t = 1, 2, ...
 *     g ← ∇θ
 *     θ ← θ(1 − γλ)
 *     m ← β₁m + (1 − β₁)g
 *     v ← β₂v + (1 − β₂)g²
 *     if amsgrad:  v̂max ← max(v̂max, v);  s ← v̂max
 *     else:        s ← v
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / (√s / √(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * Options and state are Adam's ({@link Adam.Options}); the default weight decay is 0.01.
 */
public final class AdamW extends Adam {
    /** lr 0.001, betas (0.9, 0.999), eps 1e-8, weight decay 0.01, no AMSGrad (PyTorch's defaults). */
    public static Options options() { return Adam.options().weightDecay(0.01); }

    public AdamW(List<Parameter> params, double lr) {
        this(params, options().lr(lr));
    }

    public AdamW(List<Parameter> params, Options options) {
        this(options, new ParamGroup(params));
    }

    /** One optimizer over several groups; what a group does not set comes from {@code options}. */
    public AdamW(Options options, ParamGroup... groups) {
        super("AdamW", options, true, groups);
    }
}

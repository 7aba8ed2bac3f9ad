package kiln.nn.optim;

import java.util.List;

import kiln.engine.Tensor;
import kiln.kernels.cpu.OptimizerKernels;
import kiln.nn.Parameter;

/**
 * Adam (Kingma and Ba, 2015) with L2 weight decay added to the gradient and the optional AMSGrad
 * variant, exactly as PyTorch's {@code torch.optim.Adam}:
 *
 * <pre>
 * input: lr γ, betas β₁ β₂, eps ε, weight decay λ, amsgrad
 * m ← 0, v ← 0, v̂max ← 0
 * for t = 1, 2, ...
 *     g ← ∇θ
 *     if λ ≠ 0:  g ← g + λθ
 *     m ← β₁m + (1 − β₁)g
 *     v ← β₂v + (1 − β₂)g²
 *     if amsgrad:  v̂max ← max(v̂max, v);  s ← v̂max
 *     else:        s ← v
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / (√s / √(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * ε is added after the bias-corrected square root, as PyTorch does. β₁ is the group's
 * {@link ParamGroup#momentum()}, which OneCycleLR cycles. State: {@code exp_avg} (m),
 * {@code exp_avg_sq} (v), and {@code max_exp_avg_sq} with AMSGrad.
 *
 * <p>For weight decay that does not pass through the moment estimates, use {@link AdamW}.
 */
public sealed class Adam extends Optimizer permits AdamW {
    /** The hyperparameters of Adam and AdamW; {@link Adam#options()} gives Adam's defaults, each wither changes one. */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        public Options lr(double v) { return new Options(v, beta1, beta2, eps, weightDecay, amsgrad); }
        public Options beta1(double v) { return new Options(lr, v, beta2, eps, weightDecay, amsgrad); }
        public Options beta2(double v) { return new Options(lr, beta1, v, eps, weightDecay, amsgrad); }
        public Options eps(double v) { return new Options(lr, beta1, beta2, v, weightDecay, amsgrad); }
        public Options weightDecay(double v) { return new Options(lr, beta1, beta2, eps, v, amsgrad); }
        public Options amsgrad(boolean v) { return new Options(lr, beta1, beta2, eps, weightDecay, v); }
    }

    /** lr 0.001, betas (0.9, 0.999), eps 1e-8, no weight decay, no AMSGrad (PyTorch's defaults). */
    public static Options options() { return new Options(1e-3, 0.9, 0.999, 1e-8, 0, false); }

    private final double beta2;
    private final double eps;
    private final boolean amsgrad;
    private final boolean decoupledWeightDecay;

    public Adam(List<Parameter> params, double lr) {
        this(params, options().lr(lr));
    }

    public Adam(List<Parameter> params, Options options) {
        this(options, new ParamGroup(params));
    }

    /** One optimizer over several groups; what a group does not set comes from {@code options}. */
    public Adam(Options options, ParamGroup... groups) {
        this("Adam", options, false, groups);
    }

    /** For AdamW: the same algorithm, with weight decay applied to θ directly when {@code decoupledWeightDecay}. */
    Adam(String name, Options options, boolean decoupledWeightDecay, ParamGroup... groups) {
        Check.nonNegative(name, "lr", options.lr());
        Check.unitInterval(name, "beta1", options.beta1());
        Check.unitInterval(name, "beta2", options.beta2());
        Check.nonNegative(name, "eps", options.eps());
        Check.nonNegative(name, "weightDecay", options.weightDecay());
        super(name, List.of(groups), options.lr(), options.weightDecay(), options.beta1());
        this.beta2 = options.beta2();
        this.eps = options.eps();
        this.amsgrad = options.amsgrad();
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, ParamGroup group) {
        double lr = group.lr();
        double beta1 = group.momentum();
        double weightDecay = group.weightDecay();
        boolean decoupled = decoupledWeightDecay && weightDecay != 0;
        Tensor m = state.getOrCreate("exp_avg", () -> Tensor.zerosLike(param));
        Tensor v = state.getOrCreate("exp_avg_sq", () -> Tensor.zerosLike(param));
        Tensor vMax = amsgrad ? state.getOrCreate("max_exp_avg_sq", () -> Tensor.zerosLike(param)) : null;
        double t = state.step();
        double stepSize = lr / (1 - Math.pow(beta1, t));
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        if (fusable(param, grad, m, v, vMax)) {
            var factors = new OptimizerKernels.AdamStep(beta1, beta2, eps, decoupled ? 0 : weightDecay,
                    decoupled ? 1 - lr * weightDecay : 1, amsgrad, stepSize, biasCorrection2Sqrt);
            OptimizerKernels.adam(param.segment(), param.offset(), m.segment(), m.offset(), v.segment(), v.offset(),
                    segmentOf(vMax), offsetOf(vMax), grad.segment(), grad.offset(), factors, (int) param.numel());
            return;
        }
        Tensor g = grad;
        if (decoupled) {
            param.copyFrom(param.mul(1 - lr * weightDecay));
        } else {
            g = withWeightDecay(grad, param, weightDecay);
        }
        m.copyFrom(m.mul(beta1).add(g.mul(1 - beta1)));
        v.copyFrom(v.mul(beta2).add(g.mul(1 - beta2).mul(g)));
        Tensor s = v;
        if (amsgrad) {
            vMax.copyFrom(vMax.maximum(v));
            s = vMax;
        }
        Tensor denominator = s.sqrt().div(biasCorrection2Sqrt).add(eps);
        param.addInPlace(m.mul(-stepSize).div(denominator));
    }
}

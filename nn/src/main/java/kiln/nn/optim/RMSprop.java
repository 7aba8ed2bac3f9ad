package kiln.nn.optim;

import java.util.List;

import kiln.engine.Tensor;
import kiln.kernels.cpu.OptimizerKernels;
import kiln.nn.Parameter;

/**
 * RMSprop (Hinton's lecture 6e) with optional centering, momentum and L2 weight decay, exactly as
 * PyTorch's {@code torch.optim.RMSprop}:
 *
 * <pre>
 * input: lr γ, alpha α, eps ε, weight decay λ, momentum μ, centered
 * v ← 0, ḡ ← 0, b ← 0
 * for t = 1, 2, ...
 *     g ← ∇θ
 *     if λ ≠ 0:  g ← g + λθ
 *     v ← αv + (1 − α)g²
 *     if centered:  ḡ ← αḡ + (1 − α)g;  a ← √(v − ḡ²) + ε
 *     else:         a ← √v + ε
 *     if μ > 0:  b ← μb + g/a;  θ ← θ − γb
 *     else:      θ ← θ − γg/a
 * </pre>
 *
 * ε is added outside the square root. State: {@code square_avg} (v), {@code grad_avg} (ḡ, when
 * centered), {@code momentum_buffer} (b, with momentum).
 */
public final class RMSprop extends Optimizer {
    /** RMSprop's hyperparameters; {@link RMSprop#options()} gives the defaults, each wither changes one. */
    public record Options(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        public Options lr(double v) { return new Options(v, alpha, eps, weightDecay, momentum, centered); }
        public Options alpha(double v) { return new Options(lr, v, eps, weightDecay, momentum, centered); }
        public Options eps(double v) { return new Options(lr, alpha, v, weightDecay, momentum, centered); }
        public Options weightDecay(double v) { return new Options(lr, alpha, eps, v, momentum, centered); }
        public Options momentum(double v) { return new Options(lr, alpha, eps, weightDecay, v, centered); }
        public Options centered(boolean v) { return new Options(lr, alpha, eps, weightDecay, momentum, v); }
    }

    /** lr 0.01, alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered (PyTorch's defaults). */
    public static Options options() { return new Options(0.01, 0.99, 1e-8, 0, 0, false); }

    private final double alpha;
    private final double eps;
    private final boolean centered;

    public RMSprop(List<Parameter> params, double lr) {
        this(params, options().lr(lr));
    }

    public RMSprop(List<Parameter> params, Options options) {
        this(options, new ParamGroup(params));
    }

    /** One optimizer over several groups; what a group does not set comes from {@code options}. */
    public RMSprop(Options options, ParamGroup... groups) {
        Check.nonNegative("RMSprop", "lr", options.lr());
        Check.require(options.alpha() >= 0 && options.alpha() <= 1, "RMSprop", "alpha", "in [0, 1]", options.alpha());
        Check.nonNegative("RMSprop", "eps", options.eps());
        Check.nonNegative("RMSprop", "weightDecay", options.weightDecay());
        Check.unitInterval("RMSprop", "momentum", options.momentum());
        super("RMSprop", List.of(groups), options.lr(), options.weightDecay(), options.momentum());
        this.alpha = options.alpha();
        this.eps = options.eps();
        this.centered = options.centered();
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, ParamGroup group) {
        double momentum = group.momentum();
        Tensor v = state.getOrCreate("square_avg", () -> Tensor.zerosLike(param));
        Tensor mean = centered ? state.getOrCreate("grad_avg", () -> Tensor.zerosLike(param)) : null;
        Tensor b = momentum > 0 ? state.getOrCreate("momentum_buffer", () -> Tensor.zerosLike(param)) : null;
        if (fusable(param, grad, v, mean, b)) {
            var factors = new OptimizerKernels.RmspropStep(group.lr(), alpha, eps, group.weightDecay(), momentum, centered);
            OptimizerKernels.rmsprop(param.segment(), param.offset(), v.segment(), v.offset(), segmentOf(mean), offsetOf(mean),
                    segmentOf(b), offsetOf(b), grad.segment(), grad.offset(), factors, (int) param.numel());
            return;
        }
        Tensor g = withWeightDecay(grad, param, group.weightDecay());
        v.copyFrom(v.mul(alpha).add(g.mul(1 - alpha).mul(g)));
        Tensor spread = v;
        if (centered) {
            mean.copyFrom(mean.mul(alpha).add(g.mul(1 - alpha)));
            spread = v.sub(mean.mul(mean));
        }
        Tensor a = spread.sqrt().add(eps);
        if (momentum > 0) {
            b.copyFrom(b.mul(momentum).add(g.div(a)));
            param.addInPlace(b.mul(-group.lr()));
        } else {
            param.addInPlace(g.mul(-group.lr()).div(a));
        }
    }
}

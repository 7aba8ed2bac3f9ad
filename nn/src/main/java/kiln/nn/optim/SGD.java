package kiln.nn.optim;

import java.util.List;

import kiln.engine.Tensor;
import kiln.kernels.cpu.OptimizerKernels;
import kiln.nn.Parameter;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, exactly as PyTorch's {@code torch.optim.SGD}:
 *
 * <pre>
 * input: lr γ, momentum μ, dampening τ, weight decay λ, nesterov
 * for t = 1, 2, ...
 *     g ← ∇θ                       (the gradient)
 *     if λ ≠ 0:  g ← g + λθ
 *     if μ ≠ 0:
 *         if t = 1:  b ← g          (no dampening on the first step)
 *         else:      b ← μb + (1 − τ)g
 *         if nesterov:  g ← g + μb
 *         else:         g ← b
 *     θ ← θ − γg
 * </pre>
 *
 * Nesterov momentum needs μ > 0 and τ = 0. State: {@code momentum_buffer} (only with momentum).
 */
public final class SGD extends Optimizer {
    /** SGD's hyperparameters; {@link SGD#options()} gives the defaults, each wither changes one. */
    public record Options(double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        public Options lr(double v) { return new Options(v, momentum, dampening, nesterov, weightDecay); }
        public Options momentum(double v) { return new Options(lr, v, dampening, nesterov, weightDecay); }
        public Options dampening(double v) { return new Options(lr, momentum, v, nesterov, weightDecay); }
        public Options nesterov(boolean v) { return new Options(lr, momentum, dampening, v, weightDecay); }
        public Options weightDecay(double v) { return new Options(lr, momentum, dampening, nesterov, v); }
    }

    /** lr 0.001 (PyTorch 1.13 requires an lr; 2.x defaults to this one), no momentum, dampening or weight decay. */
    public static Options options() { return new Options(1e-3, 0, 0, false, 0); }

    private final double dampening;
    private final boolean nesterov;

    /** Plain SGD with learning rate {@code lr}. */
    public SGD(List<Parameter> params, double lr) {
        this(params, options().lr(lr));
    }

    public SGD(List<Parameter> params, Options options) {
        this(options, new ParamGroup(params));
    }

    /** One optimizer over several groups; what a group does not set comes from {@code options}. */
    public SGD(Options options, ParamGroup... groups) {
        Check.nonNegative("SGD", "lr", options.lr());
        Check.unitInterval("SGD", "momentum", options.momentum());
        Check.require(options.dampening() >= 0 && options.dampening() <= 1, "SGD", "dampening", "in [0, 1]", options.dampening());
        Check.nonNegative("SGD", "weightDecay", options.weightDecay());
        if (options.nesterov()) {
            Check.require(options.momentum() > 0, "SGD", "momentum", "> 0 with nesterov", options.momentum());
            Check.require(options.dampening() == 0, "SGD", "dampening", "0 with nesterov", options.dampening());
        }
        super("SGD", List.of(groups), options.lr(), options.weightDecay(), options.momentum());
        this.dampening = options.dampening();
        this.nesterov = options.nesterov();
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, ParamGroup group) {
        double momentum = group.momentum();
        if (fusable(param, grad)) {
            boolean firstMomentumStep = momentum != 0 && state.get("momentum_buffer") == null;
            Tensor buffer = momentum != 0 ? state.getOrCreate("momentum_buffer", () -> Tensor.zerosLike(param)) : null;
            var factors = new OptimizerKernels.SgdStep(group.lr(), momentum, dampening, nesterov, group.weightDecay(), firstMomentumStep);
            OptimizerKernels.sgd(param.segment(), param.offset(), segmentOf(buffer), offsetOf(buffer),
                    grad.segment(), grad.offset(), factors, (int) param.numel());
            return;
        }
        Tensor g = withWeightDecay(grad, param, group.weightDecay());
        if (momentum != 0) {
            Tensor buffer = state.get("momentum_buffer");
            if (buffer == null) {
                buffer = state.getOrCreate("momentum_buffer", g::copy);
            } else {
                buffer.copyFrom(buffer.mul(momentum).add(g.mul(1 - dampening)));
            }
            g = nesterov ? g.add(buffer.mul(momentum)) : buffer;
        }
        param.addInPlace(g.mul(-group.lr()));
    }
}

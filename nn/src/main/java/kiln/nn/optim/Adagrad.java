package kiln.nn.optim;

import java.util.List;

import kiln.engine.Tensor;
import kiln.kernels.cpu.OptimizerKernels;
import kiln.nn.Parameter;

/**
 * Adagrad (Duchi, Hazan and Singer, 2011) with learning-rate decay and L2 weight decay, exactly as
 * PyTorch's {@code torch.optim.Adagrad}:
 *
 * <pre>
 * input: lr γ, lr decay η, weight decay λ, initial accumulator value s₀, eps ε
 * s ← s₀
 * for t = 1, 2, ...
 *     g ← ∇θ
 *     if λ ≠ 0:  g ← g + λθ
 *     γₜ ← γ / (1 + (t − 1)η)
 *     s ← s + g²
 *     θ ← θ − γₜ g / (√s + ε)
 * </pre>
 *
 * Adagrad has no momentum (a one-cycle schedule cannot cycle one). State: {@code sum} (s), made on a
 * parameter's first update where PyTorch makes it in the constructor; the values are the same.
 */
public final class Adagrad extends Optimizer {
    /** Adagrad's hyperparameters; {@link Adagrad#options()} gives the defaults, each wither changes one. */
    public record Options(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
        public Options lr(double v) { return new Options(v, lrDecay, weightDecay, initialAccumulatorValue, eps); }
        public Options lrDecay(double v) { return new Options(lr, v, weightDecay, initialAccumulatorValue, eps); }
        public Options weightDecay(double v) { return new Options(lr, lrDecay, v, initialAccumulatorValue, eps); }
        public Options initialAccumulatorValue(double v) { return new Options(lr, lrDecay, weightDecay, v, eps); }
        public Options eps(double v) { return new Options(lr, lrDecay, weightDecay, initialAccumulatorValue, v); }
    }

    /** lr 0.01, no lr decay, no weight decay, accumulator starting at 0, eps 1e-10 (PyTorch's defaults). */
    public static Options options() { return new Options(0.01, 0, 0, 0, 1e-10); }

    private final double lrDecay;
    private final double initialAccumulatorValue;
    private final double eps;

    public Adagrad(List<Parameter> params, double lr) {
        this(params, options().lr(lr));
    }

    public Adagrad(List<Parameter> params, Options options) {
        this(options, new ParamGroup(params));
    }

    /** One optimizer over several groups; what a group does not set comes from {@code options}. */
    public Adagrad(Options options, ParamGroup... groups) {
        Check.nonNegative("Adagrad", "lr", options.lr());
        Check.nonNegative("Adagrad", "lrDecay", options.lrDecay());
        Check.nonNegative("Adagrad", "weightDecay", options.weightDecay());
        Check.nonNegative("Adagrad", "initialAccumulatorValue", options.initialAccumulatorValue());
        Check.nonNegative("Adagrad", "eps", options.eps());
        super("Adagrad", List.of(groups), options.lr(), options.weightDecay(), null);
        this.lrDecay = options.lrDecay();
        this.initialAccumulatorValue = options.initialAccumulatorValue();
        this.eps = options.eps();
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState state, ParamGroup group) {
        double lr = group.lr() / (1 + (state.step() - 1) * lrDecay);
        Tensor s = state.getOrCreate("sum", () -> Tensor.full(initialAccumulatorValue, param.dtype(), param.dims()));
        if (fusable(param, grad, s)) {
            var factors = new OptimizerKernels.AdagradStep(lr, eps, group.weightDecay());
            OptimizerKernels.adagrad(param.segment(), param.offset(), s.segment(), s.offset(), grad.segment(), grad.offset(),
                    factors, (int) param.numel());
            return;
        }
        Tensor g = withWeightDecay(grad, param, group.weightDecay());
        s.copyFrom(s.add(g.mul(g)));
        param.addInPlace(g.mul(-lr).div(s.sqrt().add(eps)));
    }
}

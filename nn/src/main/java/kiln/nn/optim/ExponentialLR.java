package kiln.nn.optim;

/** Multiplies the learning rate by γ every step, as PyTorch's {@code ExponentialLR}: lr(t) = lr₀ · γᵗ. */
public final class ExponentialLR extends ClosedFormScheduler {
    public ExponentialLR(Optimizer optimizer, double gamma) {
        Check.positive("ExponentialLR", "gamma", gamma);
        super(optimizer, (lr0, t) -> lr0 * Math.pow(gamma, t));
    }
}

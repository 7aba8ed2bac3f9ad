package kiln.nn.optim;

/**
 * Multiplies the learning rate by γ every {@code stepSize} steps, as PyTorch's {@code StepLR}:
 * lr(t) = lr₀ · γ^⌊t / stepSize⌋.
 */
public final class StepLR extends ClosedFormScheduler {
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        Check.positive("StepLR", "stepSize", stepSize);
        Check.positive("StepLR", "gamma", gamma);
        super(optimizer, (lr0, t) -> lr0 * Math.pow(gamma, t / stepSize));
    }
}

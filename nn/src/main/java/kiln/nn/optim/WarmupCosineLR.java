package kiln.nn.optim;

/**
 * A linear warm-up, then a cosine decay: the usual schedule for transformers. Equal to PyTorch's
 * {@code SequentialLR([LinearLR(startFactor, 1.0, warmupSteps), CosineAnnealingLR(totalSteps −
 * warmupSteps, etaMin)], milestones=[warmupSteps])}:
 *
 * <pre>
 * t &lt; w:   lr(t) = lr₀ · (s + (1 − s) · t / w)
 * t ≥ w:   lr(t) = η_min + (lr₀ − η_min)(1 + cos(π(t − w) / (T − w))) / 2
 * </pre>
 *
 * with warm-up steps w, total steps T and start factor s. The lr reaches lr₀ at t = w and η_min at
 * t = T; past T the cosine goes back up, as PyTorch's does.
 */
public final class WarmupCosineLR extends ClosedFormScheduler {
    /**
     * @param startFactor the fraction of the initial lr used at step 0, in [0, 1]
     * @param warmupSteps steps of linear warm-up, at least 1 and fewer than {@code totalSteps}
     */
    public WarmupCosineLR(Optimizer optimizer, double startFactor, int warmupSteps, int totalSteps, double etaMin) {
        Check.require(startFactor >= 0 && startFactor <= 1, "WarmupCosineLR", "startFactor", "in [0, 1]", startFactor);
        Check.positive("WarmupCosineLR", "warmupSteps", warmupSteps);
        Check.require(totalSteps > warmupSteps, "WarmupCosineLR", "totalSteps", "> warmupSteps (" + warmupSteps + ")", totalSteps);
        Check.nonNegative("WarmupCosineLR", "etaMin", etaMin);
        super(optimizer, (lr0, t) -> t < warmupSteps
                ? lr0 * (startFactor + (1 - startFactor) * t / warmupSteps)
                : CosineAnnealingLR.cosine(lr0, etaMin, t - warmupSteps, totalSteps - warmupSteps));
    }
}

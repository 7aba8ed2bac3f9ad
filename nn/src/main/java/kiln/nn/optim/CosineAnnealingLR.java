package kiln.nn.optim;

/**
 * Half a cosine from the initial learning rate down to η_min over {@code tMax} steps (Loshchilov and
 * Hutter's SGDR without restarts), as PyTorch's {@code CosineAnnealingLR}:
 * lr(t) = η_min + (lr₀ − η_min)(1 + cos(πt / tMax)) / 2.
 * Past tMax the cosine goes on, back up towards lr₀, as PyTorch's does.
 */
public final class CosineAnnealingLR extends ClosedFormScheduler {
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        Check.positive("CosineAnnealingLR", "tMax", tMax);
        Check.nonNegative("CosineAnnealingLR", "etaMin", etaMin);
        super(optimizer, (lr0, t) -> cosine(lr0, etaMin, t, tMax));
    }

    /** η_min + (lr₀ − η_min)(1 + cos(πt / tMax)) / 2, in PyTorch's order of operations. */
    static double cosine(double lr0, double etaMin, int t, int tMax) {
        return etaMin + (lr0 - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }
}

package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * Kullback–Leibler divergence, PyTorch's {@code KLDivLoss}. The prediction x holds log-probabilities
 * (e.g. from logSoftmax), the target t probabilities (or log-probabilities with {@code logTarget}):
 * <pre>
 *   ℓ = t·(log t − x)          with 0·log 0 = 0 (PyTorch's xlogy(t, t) − t·x)
 *   ℓ = eᵗ·(t − x)             logTarget
 * </pre>
 * Summed over a sample, ℓ is KL(t ‖ eˣ). Reductions: NONE, SUM, MEAN (over all elements, PyTorch's
 * default, which is not the KL divergence per sample), and {@link Reduction#BATCH_MEAN} (Σℓ / batch
 * size, the KL divergence averaged over samples: use this one).
 */
public record KLDivLoss(boolean logTarget, Reduction reduction) implements Loss {
    public KLDivLoss {
        Reduction.check("KLDivLoss", reduction, true);
    }

    public KLDivLoss() {
        this(false, Reduction.MEAN);
    }

    public KLDivLoss withLogTarget(boolean newLogTarget) {
        return new KLDivLoss(newLogTarget, reduction);
    }

    public KLDivLoss withReduction(Reduction newReduction) {
        return new KLDivLoss(logTarget, newReduction);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        Tensor t = Inputs.elementwise("KLDivLoss", prediction, target);
        if (logTarget) {
            return reduction.apply(t.exp().mul(t.sub(prediction)));
        }
        // t·log t with the log taken of 1 where t = 0: the value is 0 there, and so is every gradient (no 0·∞)
        Tensor tLogT = t.mul(Tensor.where(t.eq(0), Tensor.scalar(1, t.dtype()), t).log());
        return reduction.apply(tLogT.sub(t.mul(prediction)));
    }
}

package kiln.nn.loss;

import kiln.engine.Autograd;
import kiln.engine.Tensor;

/**
 * Binary cross-entropy on probabilities, PyTorch's {@code BCELoss}. With prediction p in [0, 1],
 * target t (usually 0 or 1, soft targets allowed) and optional weight w,
 * <pre>
 *   ℓ = −w·(t·max(log p, −100) + (1 − t)·max(log(1 − p), −100))
 * </pre>
 * The logs are clamped at −100, as PyTorch does, so that p = 0 or 1 gives a finite loss. MEAN divides
 * by the number of elements (not by Σw). Prefer {@link BCEWithLogitsLoss} on logits: it is stable
 * where the sigmoid saturates.
 *
 * <p>Gradient: w·(p − t)/(p(1 − p)), the derivative of the formula above. It differs from PyTorch's
 * only at the extremes. PyTorch divides by max(p(1 − p), 1e-12), which caps its gradient where p or
 * 1 − p is below 1e-12. And where a log is clamped (p or 1 − p below e⁻¹⁰⁰, in practice p exactly 0
 * or 1), ours treats that term as the constant −100, gradient 0, where PyTorch's is about ±1e12.
 *
 * @param weight    rescales each element's loss; broadcast to the prediction's shape; null for none.
 *                  The loss borrows it: keep it open while the loss is used.
 */
public record BCELoss(Tensor weight, Reduction reduction) implements Loss {
    /** PyTorch's floor for each log. */
    private static final double LOG_FLOOR = -100;

    public BCELoss {
        if (weight != null) {
            Inputs.requireFloat("BCELoss", "weight", weight);
        }
        Reduction.check("BCELoss", reduction, false);
    }

    public BCELoss() {
        this(null, Reduction.MEAN);
    }

    public BCELoss withWeight(Tensor newWeight) {
        return new BCELoss(newWeight, reduction);
    }

    public BCELoss withReduction(Reduction newReduction) {
        return new BCELoss(weight, newReduction);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        Tensor t = Inputs.elementwise("BCELoss", prediction, target);
        requireProbabilities(prediction);
        // (t − 1)·log(1 − p) − t·log p, in PyTorch's order of operations
        Tensor loss = t.sub(1).mul(clampedLog(prediction.neg().add(1))).sub(t.mul(clampedLog(prediction)));
        return reduction.apply(Inputs.weighted("BCELoss", loss, weight, prediction));
    }

    /**
     * max(log p, −100). A p of exactly 0 is first raised to the smallest positive float (whose log,
     * −103.3, is clamped all the same), so that the log's gradient 1/p there is finite and the clamp's
     * zero mask makes the product 0, rather than 0·∞ = NaN.
     */
    private static Tensor clampedLog(Tensor p) {
        return p.clamp(Float.MIN_VALUE, Double.POSITIVE_INFINITY).log().clamp(LOG_FLOOR, Double.POSITIVE_INFINITY);
    }

    private static void requireProbabilities(Tensor prediction) {
        if (prediction.numel() == 0) {
            return;
        }
        try (Autograd.NoGrad off = Autograd.noGrad(); Tensor low = prediction.min(); Tensor high = prediction.max()) {
            if (!(low.item() >= 0 && high.item() <= 1)) {
                throw new IllegalArgumentException("BCELoss: prediction " + prediction.shape() + " must hold probabilities in [0, 1],"
                        + " got values in [" + low.item() + ", " + high.item() + "]; for logits use BCEWithLogitsLoss");
            }
        }
    }
}

package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * Binary cross-entropy on logits, PyTorch's {@code BCEWithLogitsLoss}: the sigmoid and the log in one
 * stable formula. With logit x, target t, positive-class weight p (pos_weight) and weight w,
 * <pre>
 *   ℓ = −w·(p·t·log σ(x) + (1 − t)·log(1 − σ(x)))
 *     =  w·((1 − t)·x + (1 + (p − 1)·t)·softplus(−x))          since log σ(x) = −softplus(−x)
 *   softplus(−x) = log(1 + e⁻ˣ) = m + log(e⁻ᵐ + e⁻ˣ⁻ᵐ),  m = max(−x, 0)
 * </pre>
 * Without pos_weight this is max(x, 0) − x·t + log(1 + e^{−|x|}). Both exponents are ≤ 0, so nothing
 * overflows, and the gradient is σ(x)·(1 + (p − 1)·t) − p·t everywhere (times w), x = 0 included:
 * the choice of m's subgradient cancels out of the derivative. MEAN divides by the number of elements.
 *
 * @param weight    rescales each element's loss; broadcast to the prediction's shape; null for none
 * @param posWeight weighs the positive term, typically one value per class (last axis); broadcast to
 *                  the prediction's shape; null for none. p &gt; 1 raises recall, p &lt; 1 precision.
 *                  The loss borrows both tensors: keep them open while the loss is used.
 */
public record BCEWithLogitsLoss(Tensor weight, Tensor posWeight, Reduction reduction) implements Loss {
    public BCEWithLogitsLoss {
        if (weight != null) {
            Inputs.requireFloat("BCEWithLogitsLoss", "weight", weight);
        }
        if (posWeight != null) {
            Inputs.requireFloat("BCEWithLogitsLoss", "posWeight", posWeight);
        }
        Reduction.check("BCEWithLogitsLoss", reduction, false);
    }

    public BCEWithLogitsLoss() {
        this(null, null, Reduction.MEAN);
    }

    public BCEWithLogitsLoss withWeight(Tensor newWeight) {
        return new BCEWithLogitsLoss(newWeight, posWeight, reduction);
    }

    public BCEWithLogitsLoss withPosWeight(Tensor newPosWeight) {
        return new BCEWithLogitsLoss(weight, newPosWeight, reduction);
    }

    public BCEWithLogitsLoss withReduction(Reduction newReduction) {
        return new BCEWithLogitsLoss(weight, posWeight, newReduction);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        Tensor t = Inputs.elementwise("BCEWithLogitsLoss", prediction, target);
        Tensor m = prediction.neg().relu();
        Tensor softplusOfNegative = m.add(m.neg().exp().add(prediction.neg().sub(m).exp()).log());   // −log σ(x)
        Tensor positiveTerm = softplusOfNegative;
        if (posWeight != null) {
            Inputs.requireBroadcastable("BCEWithLogitsLoss", "posWeight", posWeight, prediction);
            positiveTerm = Inputs.inDtypeOf(prediction, posWeight).sub(1).mul(t).add(1).mul(softplusOfNegative);
        }
        Tensor loss = t.neg().add(1).mul(prediction).add(positiveTerm);
        loss = Inputs.weighted("BCEWithLogitsLoss", loss, weight, prediction);
        return reduction.apply(loss);
    }
}

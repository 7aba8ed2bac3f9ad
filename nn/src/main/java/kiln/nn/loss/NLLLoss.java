package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * Negative log-likelihood of class indices, PyTorch's {@code NLLLoss}: the prediction holds
 * log-probabilities (e.g. from logSoftmax), the target int64 class indices, and the loss of sample i is
 * {@code −w[yᵢ]·lp[i, yᵢ]}, 0 for targets equal to the ignore index. MEAN divides by the total
 * weight of the samples that are not ignored. Shapes, weights and the ignore index as in
 * {@link CrossEntropyLoss}, which is this loss applied to logSoftmax(logits).
 *
 * @param classWeights one weight per class, [C], or null; the loss borrows it (keep it open)
 * @param ignoreIndex  a target value that contributes nothing (PyTorch's default −100 matches no class)
 */
public record NLLLoss(Tensor classWeights, long ignoreIndex, Reduction reduction) implements Loss {
    public NLLLoss {
        if (classWeights != null) {
            Inputs.requireFloat("NLLLoss", "class weights", classWeights);
        }
        Reduction.check("NLLLoss", reduction, false);
    }

    public NLLLoss() {
        this(null, CrossEntropyLoss.DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    public NLLLoss withClassWeights(Tensor newClassWeights) {
        return new NLLLoss(newClassWeights, ignoreIndex, reduction);
    }

    public NLLLoss withIgnoreIndex(long newIgnoreIndex) {
        return new NLLLoss(classWeights, newIgnoreIndex, reduction);
    }

    public NLLLoss withReduction(Reduction newReduction) {
        return new NLLLoss(classWeights, ignoreIndex, newReduction);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        return ClassIndexLoss.apply("NLLLoss", prediction, target, false, classWeights, ignoreIndex, 0, reduction);
    }
}

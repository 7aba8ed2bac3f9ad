package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * Cross-entropy from logits to class indices, PyTorch's {@code CrossEntropyLoss}: log-softmax over the
 * class axis, then the negative log-likelihood of the target class, optionally with class weights w,
 * an ignored target value k and label smoothing ε. For C classes and lp = logSoftmax(x),
 * <pre>
 *   ℓᵢ = (1 − ε)·(−w[yᵢ]·lp[i, yᵢ]) + ε/C·(−Σ_c w[c]·lp[i, c]),      0 where yᵢ = k
 *   MEAN = Σℓᵢ / Σ_{yᵢ ≠ k} w[yᵢ]        (the count of non-ignored samples without weights)
 * </pre>
 * Label smoothing trains towards (1 − ε) on the target class plus ε/C on every class.
 *
 * <p>Shapes: logits [N, C] with target [N] (int64); [N, C, d1, ..., dk] with target [N, d1, ..., dk]
 * (one class per position); or one sample [C] with a scalar target. NONE returns the target's shape.
 * Targets must be class indices in [0, C) or the ignore index; class probabilities are not supported.
 *
 * @param classWeights   one weight per class, [C], or null; the loss borrows it (keep it open)
 * @param ignoreIndex    a target value that contributes nothing, e.g. padding; default −100
 * @param labelSmoothing ε in [0, 1]; default 0
 */
public record CrossEntropyLoss(Tensor classWeights, long ignoreIndex, double labelSmoothing, Reduction reduction)
        implements Loss {
    /** PyTorch's default ignore index, which matches no class. */
    public static final long DEFAULT_IGNORE_INDEX = -100;

    public CrossEntropyLoss {
        if (classWeights != null) {
            Inputs.requireFloat("CrossEntropyLoss", "class weights", classWeights);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        Reduction.check("CrossEntropyLoss", reduction, false);
    }

    public CrossEntropyLoss() {
        this(null, DEFAULT_IGNORE_INDEX, 0, Reduction.MEAN);
    }

    public CrossEntropyLoss withClassWeights(Tensor newClassWeights) {
        return new CrossEntropyLoss(newClassWeights, ignoreIndex, labelSmoothing, reduction);
    }

    public CrossEntropyLoss withIgnoreIndex(long newIgnoreIndex) {
        return new CrossEntropyLoss(classWeights, newIgnoreIndex, labelSmoothing, reduction);
    }

    public CrossEntropyLoss withLabelSmoothing(double newLabelSmoothing) {
        return new CrossEntropyLoss(classWeights, ignoreIndex, newLabelSmoothing, reduction);
    }

    public CrossEntropyLoss withReduction(Reduction newReduction) {
        return new CrossEntropyLoss(classWeights, ignoreIndex, labelSmoothing, newReduction);
    }

    @Override
    public Tensor apply(Tensor logits, Tensor target) {
        return ClassIndexLoss.apply("CrossEntropyLoss", logits, target, true, classWeights, ignoreIndex, labelSmoothing, reduction);
    }
}

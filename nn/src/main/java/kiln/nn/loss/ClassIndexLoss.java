package kiln.nn.loss;

import java.util.Arrays;

import kiln.engine.Autograd;
import kiln.engine.Device;
import kiln.engine.Tensor;

/**
 * The negative log-likelihood of class indices, shared by {@link NLLLoss} and {@link CrossEntropyLoss}
 * (PyTorch 1.13's {@code nll_loss}, and {@code cross_entropy} with label smoothing). For C classes,
 * log-probabilities lp, class weights w (all 1 without), ignore index k and smoothing ε, each sample i
 * with target class yᵢ contributes
 * <pre>
 *   nllᵢ    = −w[yᵢ]·lp[i, yᵢ]
 *   smoothᵢ = −Σ_c w[c]·lp[i, c]
 *   ℓᵢ      = (1 − ε)·nllᵢ + ε/C·smoothᵢ,      0 where yᵢ = k
 * </pre>
 * NONE returns ℓ in the target's shape, SUM Σℓ, and MEAN Σℓ / Σ_{yᵢ ≠ k} w[yᵢ]: the weighted mean,
 * which without weights divides by the number of samples that are not ignored (NaN when every sample
 * is ignored, as in PyTorch).
 *
 * <p>Shapes: prediction [N, C] with target [N]; [N, C, d1, ..., dk] with target [N, d1, ..., dk] (one
 * class per position, e.g. per pixel or per token); or a single sample [C] with a scalar target.
 */
final class ClassIndexLoss {
    private ClassIndexLoss() {}

    /**
     * @param fromLogits whether the prediction holds logits (log-softmax is applied over the class axis)
     *                   rather than log-probabilities
     */
    static Tensor apply(String loss, Tensor prediction, Tensor target, boolean fromLogits, Tensor classWeights,
                        long ignoreIndex, double smoothing, Reduction reduction) {
        int classes = checkShapes(loss, prediction, target, classWeights);
        Tensor rows = classesLast(prediction).reshape(-1, classes);                          // [M, C]
        Tensor labels = target.reshape(-1);                                                 // [M]
        Tensor kept = labels.ne(ignoreIndex);
        Tensor safeLabels = Tensor.where(kept, labels, Tensor.zerosLike(labels));           // ignored rows read class 0
        checkRange(loss, safeLabels, classes, ignoreIndex);

        Tensor keep = kept.to(prediction.dtype());                                          // 1, or 0 where ignored
        if (fromLogits && classWeights == null && smoothing == 0) {
            // The plain cross-entropy of a classifier: one op for log-softmax and the pick (and its gradient).
            return reduce(rows.crossEntropyRows(labels, ignoreIndex), keep, target, reduction);
        }
        Tensor logProbs = fromLogits ? rows.logSoftmax(1) : rows;
        Tensor weights = classWeights == null ? null : Inputs.inDtypeOf(prediction, classWeights);
        Tensor sampleWeights = weights == null ? keep : weights.indexSelect(0, safeLabels).mul(keep);
        Tensor picked = logProbs.gather(1, safeLabels.unsqueeze(1)).squeeze(1);
        Tensor perSample = picked.mul(sampleWeights).neg();                                 // nllᵢ
        if (smoothing > 0) {
            Tensor smooth = (weights == null ? logProbs : logProbs.mul(weights)).sum(1, false).mul(keep).neg();
            perSample = perSample.mul(1 - smoothing).add(smooth.mul(smoothing / classes));
        }
        return reduce(perSample, sampleWeights, target, reduction);
    }

    /** ℓ per sample reduced: MEAN divides by the sum of the sample weights, NONE keeps the target's shape. */
    private static Tensor reduce(Tensor perSample, Tensor sampleWeights, Tensor target, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> perSample.sum().div(sampleWeights.sum());          // the weighted mean
            default -> reduction.apply(perSample.reshape(target.dims()));   // NONE or SUM (the losses refuse BATCH_MEAN)
        };
    }

    /** The prediction with its class axis (1, or 0 for a single sample) moved last. */
    private static Tensor classesLast(Tensor prediction) {
        if (prediction.rank() <= 2) {
            return prediction;
        }
        int[] order = new int[prediction.rank()];
        for (int axis = 1; axis < order.length - 1; axis++) {
            order[axis] = axis + 1;                         // [0, 2, 3, ..., rank−1, 1]
        }
        order[order.length - 1] = 1;
        return prediction.permute(order);
    }

    /** Checks dtypes and shapes; returns the number of classes. */
    private static int checkShapes(String loss, Tensor prediction, Tensor target, Tensor classWeights) {
        Inputs.requireFloat(loss, "prediction", prediction);
        Inputs.requireNonNull(loss, "target", target);
        if (prediction.rank() == 0) {
            throw new IllegalArgumentException(loss + ": prediction must have a class axis ([N, C], [N, C, d1, ...] or [C]), got "
                    + prediction.describe());
        }
        if (!target.dtype().isInteger()) {
            throw new IllegalArgumentException(loss + ": target must hold integer class indices (int64), got " + target.describe()
                    + "; class probabilities as targets are not supported");
        }
        int classAxis = prediction.rank() == 1 ? 0 : 1;
        int[] expected = prediction.dims();
        int[] withoutClasses = new int[expected.length - 1];
        for (int axis = 0, j = 0; axis < expected.length; axis++) {
            if (axis != classAxis) {
                withoutClasses[j++] = expected[axis];
            }
        }
        if (!Arrays.equals(target.dims(), withoutClasses)) {
            throw new IllegalArgumentException(loss + ": target " + target.shape() + " must have shape "
                    + Arrays.toString(withoutClasses) + ": the prediction " + prediction.shape()
                    + " without its class axis " + classAxis);
        }
        int classes = prediction.dim(classAxis);
        if (classWeights != null && (classWeights.rank() != 1 || classWeights.dim(0) != classes)) {
            throw new IllegalArgumentException(loss + ": class weights " + classWeights.shape() + " must hold one value per class, ["
                    + classes + "], for prediction " + prediction.shape());
        }
        return classes;
    }

    private static void checkRange(String loss, Tensor labels, int classes, long ignoreIndex) {
        if (labels.numel() == 0) {
            return;
        }
        try (Autograd.NoGrad off = Autograd.noGrad(); Tensor onHost = labels.to(Device.CPU);    // a view on the CPU, a copy from a GPU
             Tensor lowest = onHost.min(); Tensor highest = onHost.max()) {
            long low = (long) lowest.item();
            long high = (long) highest.item();
            if (low < 0 || high >= classes) {
                throw new IllegalArgumentException(loss + ": target class " + (low < 0 ? low : high) + " is out of range for "
                        + classes + " classes (valid: 0.." + (classes - 1) + ", or the ignore index " + ignoreIndex + ")");
            }
        }
    }
}

package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * A loss function: compares a prediction with a target and returns the loss, a scalar unless the
 * reduction is {@link Reduction#NONE}. Losses are composed of differentiable tensor ops, so
 * {@code loss.apply(prediction, target).backward()} fills the gradients of everything the prediction
 * was computed from.
 *
 * <p>Implementations are immutable option records ({@code new CrossEntropyLoss().withLabelSmoothing(0.1)}
 * returns a new loss). Any lambda {@code (prediction, target) -> ...} is a loss too.
 */
@FunctionalInterface
public interface Loss {
    Tensor apply(Tensor prediction, Tensor target);
}

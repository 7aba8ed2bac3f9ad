package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * Mean squared error, PyTorch's {@code MSELoss}: elementwise {@code (x − y)²}, then reduced (MEAN by
 * default). Prediction and target are floating point of the same shape.
 */
public record MSELoss(Reduction reduction) implements Loss {
    public MSELoss {
        Reduction.check("MSELoss", reduction, false);
    }

    public MSELoss() {
        this(Reduction.MEAN);
    }

    public MSELoss withReduction(Reduction newReduction) {
        return new MSELoss(newReduction);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        Tensor difference = prediction.sub(Inputs.elementwise("MSELoss", prediction, target));
        return reduction.apply(difference.mul(difference));
    }
}

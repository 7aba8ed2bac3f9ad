package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * Mean absolute error, PyTorch's {@code L1Loss}: elementwise {@code |x − y|}, then reduced (MEAN by
 * default). Its gradient is sign(x − y), 0 where x = y (as PyTorch).
 */
public record L1Loss(Reduction reduction) implements Loss {
    public L1Loss {
        Reduction.check("L1Loss", reduction, false);
    }

    public L1Loss() {
        this(Reduction.MEAN);
    }

    public L1Loss withReduction(Reduction newReduction) {
        return new L1Loss(newReduction);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        return reduction.apply(prediction.sub(Inputs.elementwise("L1Loss", prediction, target)).abs());
    }
}

package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * PyTorch's {@code HuberLoss}: quadratic near zero, linear beyond {@code delta}. With d = x − y,
 * <pre>
 *   ℓ = 0.5·d²              if |d| &lt; δ
 *       δ·(|d| − 0.5·δ)     otherwise
 * </pre>
 * δ must be positive; the default is 1. HuberLoss(δ) = δ·{@link SmoothL1Loss}(β = δ).
 */
public record HuberLoss(double delta, Reduction reduction) implements Loss {
    public HuberLoss {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("HuberLoss: delta must be > 0 and finite, got " + delta);
        }
        Reduction.check("HuberLoss", reduction, false);
    }

    public HuberLoss() {
        this(1.0, Reduction.MEAN);
    }

    public HuberLoss withDelta(double newDelta) {
        return new HuberLoss(newDelta, reduction);
    }

    public HuberLoss withReduction(Reduction newReduction) {
        return new HuberLoss(delta, newReduction);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        Tensor distance = prediction.sub(Inputs.elementwise("HuberLoss", prediction, target)).abs();
        Tensor quadratic = distance.mul(distance).mul(0.5);
        Tensor linear = distance.sub(0.5 * delta).mul(delta);
        return reduction.apply(Tensor.where(distance.lt(delta), quadratic, linear));
    }
}

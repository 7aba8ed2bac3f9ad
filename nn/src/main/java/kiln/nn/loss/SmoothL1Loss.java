package kiln.nn.loss;

import kiln.engine.Tensor;

/**
 * PyTorch's {@code SmoothL1Loss}: quadratic near zero, linear beyond {@code beta}. With d = x − y,
 * <pre>
 *   ℓ = 0.5·d²/β      if |d| &lt; β
 *       |d| − 0.5·β   otherwise
 * </pre>
 * β = 0 is exactly {@link L1Loss}; the default β is 1. HuberLoss(δ) = δ·SmoothL1Loss(β = δ), see {@link HuberLoss}.
 */
public record SmoothL1Loss(double beta, Reduction reduction) implements Loss {
    public SmoothL1Loss {
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("SmoothL1Loss: beta must be >= 0 and finite, got " + beta);
        }
        Reduction.check("SmoothL1Loss", reduction, false);
    }

    public SmoothL1Loss() {
        this(1.0, Reduction.MEAN);
    }

    public SmoothL1Loss withBeta(double newBeta) {
        return new SmoothL1Loss(newBeta, reduction);
    }

    public SmoothL1Loss withReduction(Reduction newReduction) {
        return new SmoothL1Loss(beta, newReduction);
    }

    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        Tensor distance = prediction.sub(Inputs.elementwise("SmoothL1Loss", prediction, target)).abs();
        if (beta == 0) {
            return reduction.apply(distance);     // the quadratic piece vanishes (and would divide by 0)
        }
        Tensor quadratic = distance.mul(distance).mul(0.5).div(beta);
        Tensor linear = distance.sub(0.5 * beta);
        return reduction.apply(Tensor.where(distance.lt(beta), quadratic, linear));
    }
}

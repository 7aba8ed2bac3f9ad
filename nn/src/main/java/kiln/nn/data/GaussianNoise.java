package kiln.nn.data;

import kiln.engine.Autograd;
import kiln.engine.Generator;
import kiln.engine.Tensor;

/**
 * Adds independent normal noise {@code N(0, std²)} to every feature value of a batch, in place: one
 * {@code rng.nextGaussian()} per value, in row-major order. Works on any floating-point features, images or not.
 */
public final class GaussianNoise implements BatchTransform {
    private final double std;

    public GaussianNoise(double std) {
        if (!(std >= 0 && Double.isFinite(std))) {
            throw new IllegalArgumentException("GaussianNoise: std must be finite and non-negative, got " + std);
        }
        this.std = std;
    }

    @Override
    public Batch apply(Batch batch, Generator rng) {
        Tensor features = batch.features();
        if (!features.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("GaussianNoise: needs floating-point features, got " + features.describe());
        }
        try (Autograd.NoGrad off = Autograd.noGrad();
             Tensor unit = Tensor.randn(rng, features.dtype(), features.dims());
             Tensor noise = unit.mul(std)) {
            features.addInPlace(noise);
        }
        return batch;
    }

    @Override
    public String toString() {
        return "GaussianNoise(std=" + std + ")";
    }
}

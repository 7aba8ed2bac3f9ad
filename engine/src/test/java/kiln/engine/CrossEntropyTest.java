package kiln.engine;

import org.junit.jupiter.api.Test;

/** crossEntropyRows against log-softmax and a gather (its definition), values and gradients; its errors. */
class CrossEntropyTest {

    @Test
    void matchesLogSoftmaxAndGatherWithIgnoredRows() {
        Generator rng = new Generator(71);
        long[] labels = {2, -1, 0, 4, 4, 1, -1};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (MemoryScope s = MemoryScope.open()) {
                Tensor x = Tensor.randn(rng, dtype, 7, 5).mul(3).detach().requiresGrad(true);
                Tensor target = Tensor.fromArray(labels, 7);
                Tensor upstream = Tensor.randn(rng, dtype, 7);
                Tensor fused = x.crossEntropyRows(target, -1);
                fused.backward(upstream);
                double[] fusedLoss = fused.toDoubleArray();
                double[] fusedGrad = x.grad().toDoubleArray();
                x.setGrad(null);

                Tensor kept = target.ne(-1);
                Tensor safe = Tensor.where(kept, target, Tensor.scalar(0, DType.INT64));
                Tensor plain = x.logSoftmax(1).gather(1, safe.unsqueeze(1)).squeeze(1).neg().mul(kept.to(dtype));
                plain.backward(upstream);
                // Each value is a logsumexp of 5 terms and a difference: a few roundings of the dtype.
                double tolerance = dtype == DType.FLOAT32 ? 1e-5 : 1e-13;
                Check.assertAllClose(plain.toDoubleArray(), fusedLoss, tolerance, tolerance, dtype + " loss");
                Check.assertAllClose(x.grad().toDoubleArray(), fusedGrad, tolerance, tolerance, dtype + " gradient");
                for (int column = 0; column < 5; column++) {      // ignored rows: no loss, no gradient
                    Check.assertClose(0, fusedGrad[5 + column], 0, 0, "row 1 is ignored");
                }
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.zeros(3, 4);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> x.crossEntropyRows(Tensor.fromArray(new long[] {0, 4, 1}, 3), -100),
                    "crossEntropyRows", "label 4", "4 classes", "0..3", "-100");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> x.crossEntropyRows(Tensor.fromArray(new long[] {0, 1}, 2), -100),
                    "crossEntropyRows", "labels", "[2]", "[3, 4]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).crossEntropyRows(Tensor.zeros(DType.INT64, 3), -100),
                    "crossEntropyRows", "logits", "[3]", "[M, C]");
        }
    }
}

package kiln.nn.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;

/**
 * The corners the golden files do not reach: probabilities of exactly 0 and 1, saturated logits,
 * ignored targets, zero target probabilities, class axes beyond the second, defaults, dtypes, memory.
 * PyTorch values quoted here came from torch 1.13 (float32) with the inputs shown.
 */
class LossEdgeCasesTest {
    /** One float32 rounding of values up to 400, with room for a second. */
    static final double FLOAT32_ROUNDING = 1e-6;

    @Test
    void bceOfProbabilitiesExactlyZeroAndOneIsFiniteAsInPyTorch() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor p = Tensor.fromArray(new float[] {0, 1, 0.5f, 1e-30f}, 4).requiresGrad(true);
            Tensor t = Tensor.fromArray(new float[] {0.3f, 0.6f, 1, 0.5f}, 4);
            Tensor loss = new BCELoss(null, Reduction.NONE).apply(p, t);
            // F.binary_cross_entropy(p, t, reduction='none'): each log clamped at −100
            double[] pytorch = {30.000001907348633, 39.999996185302734, 0.6931471824645996, 34.53877639770508};
            assertArrayEquals(pytorch, loss.toDoubleArray(), FLOAT32_ROUNDING * 40);
            loss.sum().backward();
            // Where a log is clamped its term contributes no gradient; the other term's is exact:
            // p = 0: (1 − t)/(1 − p) = 0.7; p = 1: −t/p = −0.6. (PyTorch gives ±|p − t|·1e12 there, and
            // −5e11 at p = 1e-30 where we give the exact −t/p = −5e29: see BCELoss.)
            float[] grad = p.grad().toFloatArray();
            assertEquals(0.7f, grad[0], 1e-7f);
            assertEquals(-0.6f, grad[1], 1e-7f);
            assertEquals(-2f, grad[2], 1e-7f);
            assertEquals(-5e29f, grad[3], 5e29f * 1e-6f);
        }
    }

    @Test
    void bceWithLogitsStaysFiniteWhereTheSigmoidSaturates() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {0, -100, 100, 0, -20}, 5).requiresGrad(true);
            Tensor t = Tensor.fromArray(new float[] {0.3f, 1, 0, 1, 0.5f}, 5);
            Loss loss = new BCEWithLogitsLoss().withPosWeight(Tensor.scalar(2.5)).withReduction(Reduction.NONE);
            Tensor values = loss.apply(x, t);
            // F.binary_cross_entropy_with_logits(x, t, reduction='none', pos_weight=torch.tensor(2.5))
            assertArrayEquals(new double[] {1.0050634145736694, 250.0, 100.0, 1.732867956161499, 25.0},
                    values.toDoubleArray(), FLOAT32_ROUNDING * 250);
            values.sum().backward();
            assertArrayEquals(new double[] {-0.02499997615814209, -2.5, 1.0, -1.25, -1.25},
                    x.grad().toDoubleArray(), FLOAT32_ROUNDING);
        }
    }

    @Test
    void crossEntropyOverPositionsIsCrossEntropyOfRowsWithClassesLast() {
        Generator rng = new Generator(7);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor logits = Tensor.randn(rng, 2, 3, 4, 5);                                // [N, C, H, W]
            Tensor target = Tensor.randint(rng, 0, 3, 2, 4, 5);
            Tensor rows = logits.permute(0, 2, 3, 1).reshape(-1, 3);                     // [N·H·W, C]
            CrossEntropyLoss ce = new CrossEntropyLoss(Tensor.fromArray(new float[] {0.5f, 1, 2}, 3), 2, 0.1, Reduction.MEAN);
            for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.SUM, Reduction.MEAN}) {
                Tensor spatial = ce.withReduction(r).apply(logits, target);
                Tensor flat = ce.withReduction(r).apply(rows, target.reshape(-1));
                assertArrayEquals(r == Reduction.NONE ? target.dims() : new int[0], spatial.dims(), r + ": shape");
                assertArrayEquals(flat.toFloatArray(), spatial.toFloatArray(), 0f, r + ": the same numbers in the same order");
            }
            Tensor one = logits.select(0, 0).select(1, 0).select(1, 0);                 // a single sample [C]
            CrossEntropyLoss perSample = new CrossEntropyLoss().withReduction(Reduction.NONE);
            Tensor single = perSample.apply(one, Tensor.scalar(1, DType.INT64));
            Tensor batchOfOne = perSample.apply(one.unsqueeze(0), Tensor.fromArray(new long[] {1}, 1));
            assertEquals(0, single.rank(), "one sample gives a scalar, like its target");
            assertEquals(batchOfOne.item(), single.item(), 0);
        }
    }

    @Test
    void meanOverOnlyIgnoredTargetsIsNaNAsInPyTorchAndTheirGradientIsZero() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor logits = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            Tensor ignored = Tensor.fromArray(new long[] {1, 1}, 2);
            CrossEntropyLoss ce = new CrossEntropyLoss().withIgnoreIndex(1);
            assertTrue(Double.isNaN(ce.apply(logits, ignored).item()), "0/0, as F.cross_entropy(..., ignore_index=1)");
            ce.withReduction(Reduction.SUM).apply(logits, ignored).backward();
            assertArrayEquals(new float[6], logits.grad().toFloatArray(), 0f);
        }
    }

    @Test
    void klDivergenceCountsZeroTargetProbabilityAsZero() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {-1, -2}, 2).requiresGrad(true);
            Tensor t = Tensor.fromArray(new float[] {0, 1}, 2);
            Tensor values = new KLDivLoss().withReduction(Reduction.NONE).apply(x, t);
            assertArrayEquals(new float[] {0, 2}, values.toFloatArray(), 0f, "0·(log 0 − x) = 0; 1·(log 1 − (−2)) = 2");
            values.sum().backward();
            assertArrayEquals(new float[] {-0f, -1f}, x.grad().toFloatArray(), 0f, "−t, and no NaN from log 0");
        }
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        assertEquals(new CrossEntropyLoss(null, -100, 0, Reduction.MEAN), new CrossEntropyLoss());
        assertEquals(new NLLLoss(null, -100, Reduction.MEAN), new NLLLoss());
        assertEquals(new SmoothL1Loss(1, Reduction.MEAN), new SmoothL1Loss());
        assertEquals(new HuberLoss(1, Reduction.MEAN), new HuberLoss());
        assertEquals(new KLDivLoss(false, Reduction.MEAN), new KLDivLoss());
        assertEquals(new BCEWithLogitsLoss(null, null, Reduction.MEAN), new BCEWithLogitsLoss());
        CrossEntropyLoss base = new CrossEntropyLoss();
        base.withLabelSmoothing(0.1);
        assertEquals(0, base.labelSmoothing(), "withX returns a changed copy, the original stays");
    }

    @Test
    void targetsAndWeightsOfAnotherFloatTypeTakeThePredictionsType() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {0.5f, -1}, 2);
            Tensor loss = new BCEWithLogitsLoss().withWeight(Tensor.fromArray(new double[] {1, 2}, 2))
                    .apply(x, Tensor.fromArray(new double[] {1, 0}, 2));
            assertEquals(DType.FLOAT32, loss.dtype());
        }
    }

    @Test
    void theStepScopeFreesEveryIntermediateAndLeavesOnlyTheGradient() throws InterruptedException {
        Tensor logits = Tensor.zeros(8, 5).requiresGrad(true);
        Tensor target = Tensor.fromArray(new long[] {0, 1, 2, 3, 4, 0, 1, -100}, 8);
        Tensor weights = Tensor.ones(5);
        long before = NativeMemory.settledLiveBytes();
        try (MemoryScope step = MemoryScope.open()) {
            new CrossEntropyLoss().withClassWeights(weights).withLabelSmoothing(0.1).apply(logits, target).backward();
        }
        assertEquals(before + 8 * 5 * 4, NativeMemory.liveBytes(), "only the gradient of the logits is left, [8, 5] float32");
        assertFalse(weights.isClosed(), "the borrowed weights stay open");
        logits.close();
        target.close();
        weights.close();
    }

}

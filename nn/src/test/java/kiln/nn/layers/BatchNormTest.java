package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

class BatchNormTest {
    /** float32 against PyTorch's float32, the same formulas summed in a different order (relative, plus absolute near 0). */
    private static final double TOLERANCE = 1e-6;

    @Test
    void trainingStepOnFeaturesMatchesPyTorch() {
        try (BatchNorm1d layer = new BatchNorm1d(4)) {
            LayerGolden.check("batchnorm1d_train.txt", layer, TOLERANCE);   // output, gradients, running stats, count
        }
    }

    @Test
    void evaluationWithRunningStatisticsMatchesPyTorch() {
        try (BatchNorm1d bn = new BatchNorm1d(4)) {
            bn.eval();
            LayerGolden.check("batchnorm1d_eval.txt", bn, TOLERANCE);
            assertArrayEquals(new long[] {7}, bn.numBatchesTracked().toLongArray(), "evaluation leaves the count alone");
        }
    }

    @Test
    void trainingStepOnImagesMatchesPyTorch() {
        try (BatchNorm2d layer = new BatchNorm2d(3)) {
            LayerGolden.check("batchnorm2d_train.txt", layer, TOLERANCE);
        }
    }

    @Test
    void stateDictHasPyTorchsNamesAndInitialValues() {
        try (MemoryScope scope = MemoryScope.open(); BatchNorm2d bn = new BatchNorm2d(3)) {
            var state = bn.stateDict();
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(state.keySet()));
            assertArrayEquals(new float[] {1, 1, 1}, state.get("weight").toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0}, state.get("bias").toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0}, state.get("running_mean").toFloatArray());
            assertArrayEquals(new float[] {1, 1, 1}, state.get("running_var").toFloatArray());
            Tensor count = state.get("num_batches_tracked");
            assertEquals(DType.INT64, count.dtype());
            assertEquals(0, count.rank());
            assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()), "buffers are not learned");
        }
    }

    @Test
    void sequencesAreNormalisedPerChannelOverBatchAndLength() {
        // BatchNorm1d on [N, C, L] is BatchNorm1d on the N·L rows of [N·L, C]: same output and running statistics.
        Generator rng = new Generator(8);
        try (MemoryScope scope = MemoryScope.open(); BatchNorm1d sequences = new BatchNorm1d(3); BatchNorm1d rows = new BatchNorm1d(3)) {
            LayerGradCheck.randomize(sequences, rng);
            rows.loadStateDict(sequences.stateDict());
            Tensor x = Tensor.randn(rng, 4, 3, 5).mul(2).add(1);
            Tensor y = sequences.forward(x);
            Tensor asRows = rows.forward(x.permute(0, 2, 1).reshape(20, 3)).reshape(4, 5, 3).permute(0, 2, 1);
            // float32, the same sums in a different order
            LayerGolden.assertClose("output", asRows, y, TOLERANCE);
            LayerGolden.assertClose("running_mean", rows.runningMean(), sequences.runningMean(), TOLERANCE);
            LayerGolden.assertClose("running_var", rows.runningVar(), sequences.runningVar(), TOLERANCE);
        }
    }

    @Test
    void runningStatisticsFollowTheMomentumFormula() {
        try (MemoryScope scope = MemoryScope.open(); BatchNorm1d bn = new BatchNorm1d(1, 1e-5, 0.5)) {
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 6}, 4, 1);    // mean 3, unbiased variance 14/3
            bn.forward(x);
            bn.forward(x);
            // r₁ = 0.5·r₀ + 0.5·stat, twice: mean 0 → 1.5 → 2.25, variance 1 → 17/6 → 15/4
            assertEquals(2.25, bn.runningMean().item(), 1e-6);
            assertEquals(3.75, bn.runningVar().item(), 1e-6);
            assertEquals(2, bn.numBatchesTracked().item());
            assertTrue(bn.runningMean().grad() == null && !bn.runningMean().requiresGrad(), "buffers are outside the graph");
        }
    }

    @Test
    void trainingGradientsPassGradCheck() {
        Generator rng = new Generator(9);
        try (MemoryScope scope = MemoryScope.open(); BatchNorm1d bn1 = new BatchNorm1d(3); BatchNorm2d bn2 = new BatchNorm2d(2)) {
            for (BatchNorm bn : List.of(bn1, bn2)) {
                bn.to(DType.FLOAT64);
                LayerGradCheck.randomize(bn, rng);
            }
            Tensor sequence = Tensor.randn(rng, DType.FLOAT64, 4, 3, 5).requiresGrad(true);
            LayerGradCheck.check("BatchNorm1d train [N, C, L]", bn1, bn1::forward, sequence);
            Tensor features = Tensor.randn(rng, DType.FLOAT64, 6, 3).mul(3).add(2).requiresGrad(true);
            LayerGradCheck.check("BatchNorm1d train [N, C]", bn1, bn1::forward, features);
            Tensor images = Tensor.randn(rng, DType.FLOAT64, 3, 2, 3, 4).requiresGrad(true);
            LayerGradCheck.check("BatchNorm2d train", bn2, bn2::forward, images);
        }
    }

    @Test
    void evaluationGradientsPassGradCheck() {
        Generator rng = new Generator(10);
        try (MemoryScope scope = MemoryScope.open(); BatchNorm1d bn = new BatchNorm1d(3)) {
            bn.to(DType.FLOAT64);
            LayerGradCheck.randomize(bn, rng);
            try (Autograd.NoGrad off = Autograd.noGrad()) {
                bn.forward(Tensor.randn(rng, DType.FLOAT64, 6, 3));       // running statistics that are not 0 and 1
            }
            bn.eval();
            Tensor x = Tensor.randn(rng, DType.FLOAT64, 5, 3).requiresGrad(true);
            LayerGradCheck.check("BatchNorm1d eval", bn, bn::forward, x);
        }
    }

    @Test
    void toFloat64KeepsTheCountAnInteger() {
        try (MemoryScope scope = MemoryScope.open(); BatchNorm1d bn = new BatchNorm1d(2)) {
            bn.to(DType.FLOAT64);
            assertEquals(DType.FLOAT64, bn.weight().value().dtype());
            assertEquals(DType.FLOAT64, bn.runningVar().dtype());
            assertEquals(DType.INT64, bn.numBatchesTracked().dtype());
            assertTrue(bn.weight().value().requiresGrad());
            bn.forward(Tensor.ones(DType.FLOAT64, 3, 2));
            assertEquals(1, bn.numBatchesTracked().item());
        }
    }

    @Test
    void refusesBadShapesAndArguments() {
        try (MemoryScope scope = MemoryScope.open(); BatchNorm1d bn1 = new BatchNorm1d(4); BatchNorm2d bn2 = new BatchNorm2d(3)) {
            var rank = assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(2, 4, 3, 3)));
            assertTrue(rank.getMessage().contains("BatchNorm1d(4") && rank.getMessage().contains("[2, 4, 3, 3]")
                    && rank.getMessage().contains("[N, C] or [N, C, L]"), rank.getMessage());
            var channels = assertThrows(IllegalArgumentException.class, () -> bn2.forward(Tensor.zeros(2, 4, 3, 3)));
            assertTrue(channels.getMessage().contains("BatchNorm2d(3") && channels.getMessage().contains("C = 3"), channels.getMessage());
            var single = assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(1, 4)));
            assertTrue(single.getMessage().contains("more than one value per channel"), single.getMessage());
            bn1.eval();
            assertArrayEquals(new int[] {1, 4}, bn1.forward(Tensor.zeros(1, 4)).dims(), "a single sample is fine in evaluation");
        }
        assertEquals("BatchNorm1d: momentum must be in [0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(4, 1e-5, 1.5)).getMessage());
        assertEquals("BatchNorm2d: eps must be > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(4, 0, 0.1)).getMessage());
        assertEquals("BatchNorm2d: numFeatures must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(0)).getMessage());
    }
}

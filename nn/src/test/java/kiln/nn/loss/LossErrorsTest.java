package kiln.nn.loss;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import kiln.engine.DType;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/** Misuse gets a message naming the loss and the values involved: both shapes, the dtype, the bad option or class. */
class LossErrorsTest {

    static void assertThrowsWith(Executable body, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message lacks '" + fragment + "': " + e.getMessage());
        }
    }

    @Test
    void elementwiseLossesNameBothShapesAndDtypes() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.zeros(5, 3);
            assertThrowsWith(() -> new MSELoss().apply(x, Tensor.zeros(5)), "MSELoss", "target [5]", "prediction [5, 3]");
            assertThrowsWith(() -> new L1Loss().apply(x, Tensor.zeros(3, 5)), "L1Loss", "[3, 5]", "[5, 3]");
            assertThrowsWith(() -> new HuberLoss().apply(x, Tensor.zeros(DType.INT64, 5, 3)),
                    "HuberLoss", "target", "floating point", "int64");
            assertThrowsWith(() -> new SmoothL1Loss().apply(Tensor.zeros(DType.INT32, 5, 3), x), "SmoothL1Loss", "prediction", "int32");
            assertThrowsWith(() -> new KLDivLoss().apply(x, null), "KLDivLoss", "target is null");
        }
    }

    @Test
    void optionsAreValidatedWithTheBadValue() {
        assertThrowsWith(() -> new SmoothL1Loss().withBeta(-1), "SmoothL1Loss", "beta", "-1.0");
        assertThrowsWith(() -> new HuberLoss().withDelta(0), "HuberLoss", "delta", "0.0");
        assertThrowsWith(() -> new HuberLoss().withDelta(Double.NaN), "HuberLoss", "NaN");
        assertThrowsWith(() -> new CrossEntropyLoss().withLabelSmoothing(1.5), "CrossEntropyLoss", "label smoothing", "1.5");
        assertThrowsWith(() -> new MSELoss(Reduction.BATCH_MEAN), "MSELoss", "BATCH_MEAN", "KLDivLoss");
        assertThrowsWith(() -> new CrossEntropyLoss().withReduction(Reduction.BATCH_MEAN), "CrossEntropyLoss", "BATCH_MEAN");
        assertThrowsWith(() -> new L1Loss(null), "L1Loss", "reduction", "null");
        try (MemoryScope scope = MemoryScope.open()) {
            assertThrowsWith(() -> new NLLLoss().withClassWeights(Tensor.ones(DType.INT64, 4)), "NLLLoss", "class weights", "int64");
        }
    }

    @Test
    void classIndexTargetsAreCheckedForDtypeShapeAndRange() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor logits = Tensor.zeros(6, 4);
            CrossEntropyLoss ce = new CrossEntropyLoss();
            assertThrowsWith(() -> ce.apply(logits, Tensor.zeros(6, 4)), "CrossEntropyLoss", "integer class indices", "float32[6, 4]");
            assertThrowsWith(() -> ce.apply(logits, Tensor.zeros(DType.INT64, 5)),
                    "CrossEntropyLoss", "target [5]", "[6]", "prediction [6, 4]");
            assertThrowsWith(() -> ce.apply(Tensor.zeros(2, 3, 4, 4), Tensor.zeros(DType.INT64, 2, 4)),
                    "target [2, 4]", "[2, 4, 4]", "class axis 1");
            assertThrowsWith(() -> ce.apply(Tensor.scalar(1), Tensor.scalar(0, DType.INT64)), "CrossEntropyLoss", "class axis");
            Tensor tooHigh = Tensor.fromArray(new long[] {0, 1, 4, 2, 3, 0}, 6);
            assertThrowsWith(() -> ce.apply(logits, tooHigh), "CrossEntropyLoss", "target class 4", "4 classes", "0..3", "-100");
            Tensor negative = Tensor.fromArray(new long[] {0, -1, 2, 2, 3, 0}, 6);
            assertThrowsWith(() -> new NLLLoss().apply(logits, negative), "NLLLoss", "target class -1");
            assertThrowsWith(() -> ce.withClassWeights(Tensor.ones(3)).apply(logits, Tensor.zeros(DType.INT64, 6)),
                    "CrossEntropyLoss", "class weights [3]", "[4]");
        }
    }

    @Test
    void theIgnoreIndexIsNotOutOfRange() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor padded = Tensor.fromArray(new long[] {0, -100, 3, -100, 1, 2}, 6);
            new CrossEntropyLoss().apply(Tensor.zeros(6, 4), padded);     // no exception
        }
    }

    @Test
    void binaryLossesCheckRangesAndWeightShapes() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor t = Tensor.zeros(5, 3);
            assertThrowsWith(() -> new BCELoss().apply(Tensor.full(1.5, DType.FLOAT32, 5, 3), t),
                    "BCELoss", "[0, 1]", "1.5", "BCEWithLogitsLoss");
            assertThrowsWith(() -> new BCELoss().withWeight(Tensor.ones(5)).apply(Tensor.zeros(5, 3), t),
                    "BCELoss", "weight [5]", "[5, 3]");
            assertThrowsWith(() -> new BCEWithLogitsLoss().withPosWeight(Tensor.ones(4)).apply(Tensor.zeros(5, 3), t),
                    "BCEWithLogitsLoss", "posWeight [4]", "[5, 3]");
        }
    }
}

package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;
import kiln.engine.Tensor;

/** Batches of tensors in, the same metrics as the array functions out; growth, reset and checks. */
class ClassificationAccumulatorTest {

    @Test
    void logitsBecomeSoftmaxProbabilitiesAndArgmaxPredictions() {
        var seen = new ClassificationAccumulator(3);
        // logits 0, ln 2, ln 5 → probabilities 1/8, 2/8, 5/8
        try (Tensor logits = Tensor.fromArray(new float[] {0, (float) Math.log(2), (float) Math.log(5), 4, 1, 1}, 2, 3);
             Tensor labels = Tensor.fromArray(new long[] {2, 1}, 2)) {
            seen.add(logits, labels);
            assertFalse(logits.isClosed() || labels.isClosed(), "the accumulator reads tensors, it does not close them");
        }
        double[][] p = seen.probabilities();
        assertArrayEquals(new double[] {0.125, 0.25, 0.625}, p[0], 1e-7); // float32 logits
        double e3 = Math.exp(3);
        assertArrayEquals(new double[] {e3 / (e3 + 2), 1 / (e3 + 2), 1 / (e3 + 2)}, p[1], 1e-15);
        assertArrayEquals(new int[] {2, 0}, seen.predictions());
        assertArrayEquals(new int[] {2, 1}, seen.labels());
        assertEquals(0.5, seen.accuracy());
        assertArrayEquals(new double[] {0.25, 1 / (e3 + 2)}, seen.probabilities(1), 1e-7);
    }

    @Test
    void aSingleLogitPerExampleIsTheSigmoidOfClassOne() {
        var seen = new ClassificationAccumulator(2);
        try (Tensor logits = Tensor.fromArray(new float[] {0, (float) Math.log(3), -40}, 3, 1);
             Tensor labels = Tensor.fromArray(new int[] {1, 1, 0}, 3)) {
            seen.add(logits, labels);
        }
        double[][] p = seen.probabilities();
        assertArrayEquals(new double[] {0.5, 0.5}, p[0], 1e-15);
        assertArrayEquals(new double[] {0.25, 0.75}, p[1], 1e-7);
        assertEquals(1 / (1 + Math.exp(40)), p[2][1], 1e-30); // σ(-40) ≈ 4e-18, kept although 1 - that is 1
        assertArrayEquals(new int[] {0, 1, 0}, seen.predictions()); // a tie at 0.5 predicts class 0
    }

    @Test
    void manyUnevenBatchesGiveTheMetricsOfTheWholeArrays() {
        var rng = new Generator(7);
        int n = 3000, k = 4;
        int[] labels = new int[n];
        double[][] scores = new double[n][k];
        for (int i = 0; i < n; i++) {
            labels[i] = (int) rng.nextLong(k);
            for (int c = 0; c < k; c++) scores[i][c] = rng.nextDouble() + (c == labels[i] ? 0.3 : 0);
        }
        var seen = new ClassificationAccumulator(k);
        for (int round = 0; round < 2; round++) { // the second round after reset reuses the grown arrays
            seen.reset();
            assertEquals(0, seen.size());
            for (int start = 0; start < n; start += 37) {
                int end = Math.min(n, start + 37);
                seen.add(java.util.Arrays.copyOfRange(labels, start, end), java.util.Arrays.copyOfRange(scores, start, end));
            }
            assertEquals(n, seen.size());
            assertArrayEquals(labels, seen.labels());
            assertArrayEquals(Accuracy.argmax(scores), seen.predictions());
            assertArrayEquals(ConfusionMatrix.of(labels, Accuracy.argmax(scores), k).counts(), seen.confusionMatrix().counts());
            assertEquals(RocCurve.auc(labels, scores, Average.MACRO), seen.rocAuc(Average.MACRO));
            assertEquals(Accuracy.topK(labels, scores, 2), seen.topKAccuracy(2));
        }
    }

    @Test
    void badInputIsRefusedWhenAdded() {
        assertMessage("ClassificationAccumulator: numClasses must be >= 2, got 1", () -> new ClassificationAccumulator(1));
        var seen = new ClassificationAccumulator(3);
        assertMessage("ClassificationAccumulator: no examples added yet", seen::accuracy);
        assertMessage("ClassificationAccumulator: expected 3 classes, got rows of 2", () -> seen.add(new int[] {0}, new double[][] {{0.5, 0.5}}));
        assertMessage("ClassificationAccumulator: labels[1] = 3 is not a class index in [0, 3)",
                () -> seen.add(new int[] {0, 3}, new double[][] {{1, 0, 0}, {0, 0, 1}}));
        try (Tensor logits = Tensor.zeros(2, 3); Tensor labels = Tensor.fromArray(new long[] {0, 1, 2}, 3);
             Tensor vector = Tensor.zeros(2); Tensor twoLabels = Tensor.fromArray(new long[] {0, 1}, 2)) {
            assertMessage("ClassificationAccumulator: labels has 3 entries but probabilities has 2", () -> seen.add(logits, labels));
            assertMessage("ClassificationAccumulator: logits must be a floating-point matrix [n, k], got float32 [2]", () -> seen.add(vector, twoLabels));
        }
        assertEquals(0, seen.size());
    }
}

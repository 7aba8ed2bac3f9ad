package kiln.nn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;

/** Accuracy and top-k on examples worked by hand, the tie rules, tensor input and argument checks. */
class AccuracyTest {

    @Test
    void accuracyIsTheFractionOfEqualLabels() {
        assertEquals(0.5, Accuracy.of(new int[] {0, 1, 2, 2}, new int[] {0, 2, 2, 1}));
        assertEquals(1.0, Accuracy.of(new int[] {3}, new int[] {3}));
    }

    @Test
    void topKCountsTheTrueClassAmongTheKHighestScores() {
        int[] yTrue = {0, 1, 2};
        double[][] scores = {{0.1, 0.7, 0.2}, {0.3, 0.6, 0.1}, {0.5, 0.3, 0.2}};
        // the true class ranks 3rd, 1st and 3rd
        assertEquals(1.0 / 3, Accuracy.topK(yTrue, scores, 1));
        assertEquals(1.0 / 3, Accuracy.topK(yTrue, scores, 2));
        assertEquals(1.0, Accuracy.topK(yTrue, scores, 3));
    }

    @Test
    void tiesRankTheHigherClassFirstInTopKButTheLowerInArgmax() {
        double[][] scores = {{0.5, 0.5, 0.0}, {0.5, 0.5, 0.0}};
        int[] yTrue = {0, 1};
        // top-k, scikit-learn's order: class 1 before class 0, so only the second example is a top-1 hit
        assertEquals(0.5, Accuracy.topK(yTrue, scores, 1));
        assertEquals(1.0, Accuracy.topK(new int[] {1, 1}, scores, 1));
        assertEquals(1.0, Accuracy.topK(yTrue, scores, 2));
        // argmax takes the lowest index: both predicted 0
        assertEquals(0, Accuracy.argmax(scores)[0]);
        assertEquals(1.0, Accuracy.of(new int[] {0, 0}, Accuracy.argmax(scores)));
    }

    @Test
    void tensorOverloadsUseArgmaxOfLogitsAndIntegerLabels() {
        try (Tensor logits = Tensor.fromArray(new float[] {2, -1, 0, /**/ 0, 3, 1, /**/ -2, -1, -3, /**/ 1, 1, 5}, 4, 3);
             Tensor labels = Tensor.fromArray(new long[] {0, 2, 1, 0}, 4)) {
            assertEquals(0.5, Accuracy.of(logits, labels));
            assertEquals(0.75, Accuracy.topK(logits, labels, 2)); // last row: class 0 ties with class 1, which ranks first: 0 is 3rd
            assertEquals(1.0, Accuracy.topK(logits, labels, 3));
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheValue() {
        assertMessage("Accuracy: yTrue has 3 entries but yPred has 2", () -> Accuracy.of(new int[] {0, 1, 2}, new int[] {0, 1}));
        assertMessage("Accuracy: needs at least one example, got none", () -> Accuracy.of(new int[0], new int[0]));
        double[][] scores = {{0.2, 0.8}, {0.6, 0.4}};
        assertMessage("Accuracy.topK: k must be in [1, 2], got 3", () -> Accuracy.topK(new int[] {0, 1}, scores, 3));
        assertMessage("Accuracy.topK: k must be in [1, 2], got 0", () -> Accuracy.topK(new int[] {0, 1}, scores, 0));
        assertMessage("Accuracy.topK: yTrue[1] = 2 is not a class index in [0, 2)", () -> Accuracy.topK(new int[] {0, 2}, scores, 1));
        assertMessage("Accuracy.topK: scores[1] has 1 columns, expected 2", () -> Accuracy.topK(new int[] {0, 0}, new double[][] {{1, 2}, {1}}, 1));
        assertMessage("Accuracy.topK: scores[0][1] is NaN", () -> Accuracy.topK(new int[] {0}, new double[][] {{1, Double.NaN}}, 1));
        try (Tensor logits = Tensor.zeros(2, 3); Tensor floatLabels = Tensor.zeros(2)) {
            assertMessage("Accuracy: labels must be integer class indices [n], got float32 [2]", () -> Accuracy.of(logits, floatLabels));
        }
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}

package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;

/** Counts, totals and text of small confusion matrices worked by hand. */
class ConfusionMatrixTest {
    // true 0 0 1 1 1 2, predicted 0 1 1 1 2 2
    private final ConfusionMatrix matrix = ConfusionMatrix.of(new int[] {0, 0, 1, 1, 1, 2}, new int[] {0, 1, 1, 1, 2, 2}, 3);

    @Test
    void rowsAreTrueClassesAndColumnsPredictedClasses() {
        assertArrayEquals(new long[][] {{1, 1, 0}, {0, 2, 1}, {0, 0, 1}}, matrix.counts());
        assertEquals(1, matrix.count(1, 2));
        assertArrayEquals(new long[] {2, 3, 1}, matrix.trueTotals());
        assertArrayEquals(new long[] {1, 3, 2}, matrix.predictedTotals());
        assertEquals(6, matrix.total());
        assertEquals(4, matrix.correct());
        assertEquals(4.0 / 6, matrix.accuracy());
        matrix.counts()[0][0] = 99; // a copy
        assertEquals(1, matrix.count(0, 0));
    }

    @Test
    void textHasNamedRowsColumnsAndTotals() {
        ConfusionMatrix cats = ConfusionMatrix.of(new int[] {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, new int[] {0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1}, 2);
        assertEquals("""
                true \\ predicted    cat    dog  total
                             cat      5      1      6
                             dog      2      3      5
                           total      7      4     11
                """, cats.format(List.of("cat", "dog")));
        assertEquals("""
                true \\ predicted      0      1      2  total
                               0      1      1      0      2
                               1      0      2      1      3
                               2      0      0      1      1
                           total      1      3      2      6
                """, matrix.toString());
    }

    @Test
    void tensorOverloadCountsArgmaxPredictions() {
        try (Tensor probabilities = Tensor.fromArray(new double[] {0.7, 0.3, 0.4, 0.6, 0.9, 0.1}, 3, 2);
             Tensor labels = Tensor.fromArray(new int[] {0, 0, 1}, 3)) {
            assertArrayEquals(new long[][] {{1, 1}, {1, 0}}, ConfusionMatrix.of(probabilities, labels).counts());
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheValue() {
        assertMessage("ConfusionMatrix: yPred[1] = 3 is not a class index in [0, 3)", () -> ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 3}, 3));
        assertMessage("ConfusionMatrix: yTrue[0] = -1 is not a class index in [0, 3)", () -> ConfusionMatrix.of(new int[] {-1}, new int[] {0}, 3));
        assertMessage("ConfusionMatrix: numClasses must be >= 1, got 0", () -> ConfusionMatrix.of(new int[] {0}, new int[] {0}, 0));
        assertMessage("ConfusionMatrix: yTrue has 1 entries but yPred has 2", () -> ConfusionMatrix.of(new int[] {0}, new int[] {0, 0}, 2));
        assertMessage("ConfusionMatrix: needs at least one example, got none", () -> ConfusionMatrix.of(new int[0], new int[0], 2));
        assertMessage("ConfusionMatrix: trueClass 3 is not in [0, 3)", () -> matrix.count(3, 0));
        assertMessage("ConfusionMatrix: got 2 class names for 3 classes", () -> matrix.format(List.of("a", "b")));
    }
}

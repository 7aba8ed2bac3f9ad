package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Precision, recall and F-beta of confusion matrices worked by hand, zero division, averages. */
class PrecisionRecallTest {
    private static final double EXACT = 1e-15;

    // counts [[1, 1, 0], [0, 2, 1], [0, 0, 1]]: precision 1, 2/3, 1/2; recall 1/2, 2/3, 1; support 2, 3, 1
    private final PrecisionRecall scores = PrecisionRecall.of(new int[] {0, 0, 1, 1, 1, 2}, new int[] {0, 1, 1, 1, 2, 2}, 3);

    @Test
    void perClassScoresAreRatiosOfCounts() {
        assertArrayEquals(new double[] {1, 2.0 / 3, 0.5}, scores.precision(), EXACT);
        assertArrayEquals(new double[] {0.5, 2.0 / 3, 1}, scores.recall(), EXACT);
        // F1 = 2PR / (P + R): 2·½/1.5, 2/3, 2·½/1.5
        assertArrayEquals(new double[] {2.0 / 3, 2.0 / 3, 2.0 / 3}, scores.fScore(), EXACT);
        assertArrayEquals(new long[] {2, 3, 1}, scores.support());
        assertEquals(1.0, scores.beta());
    }

    @Test
    void averagesWeighClassesEquallyByExampleOrPooled() {
        assertEquals((1 + 2.0 / 3 + 0.5) / 3, scores.precision(Average.MACRO), EXACT);
        assertEquals((2 * 1 + 3 * 2.0 / 3 + 1 * 0.5) / 6, scores.precision(Average.WEIGHTED), EXACT);
        assertEquals(4.0 / 6, scores.recall(Average.WEIGHTED), EXACT); // weighted recall is always accuracy
        for (Average average : Average.values()) assertEquals(2.0 / 3, scores.fScore(average), EXACT);
        assertEquals(4.0 / 6, scores.precision(Average.MICRO), EXACT);
        assertEquals(4.0 / 6, scores.recall(Average.MICRO), EXACT);
    }

    @Test
    void fBetaWeighsRecallBetaTimesAsMuchAsPrecision() {
        PrecisionRecall f2 = PrecisionRecall.of(ConfusionMatrix.of(new int[] {0, 0, 1, 1, 1, 2}, new int[] {0, 1, 1, 1, 2, 2}, 3), 2);
        // class 0: (1 + 4) · 1 · ½ / (4 · 1 + ½) = 5/9; class 2: 5 · ½ · 1 / (4 · ½ + 1) = 5/6
        assertEquals(5.0 / 9, f2.fScore(0), EXACT);
        assertEquals(2.0 / 3, f2.fScore(1), EXACT);
        assertEquals(5.0 / 6, f2.fScore(2), EXACT);
    }

    @Test
    void undefinedRatiosAreZeroAndAbsentClassesHaveNoWeight() {
        // class 2 is never predicted (no precision), class 3 never occurs (no recall, support 0)
        PrecisionRecall awkward = PrecisionRecall.of(new int[] {0, 1, 2, 2}, new int[] {0, 0, 1, 3}, 4);
        assertArrayEquals(new double[] {0.5, 0, 0, 0}, awkward.precision(), EXACT);
        assertArrayEquals(new double[] {1, 0, 0, 0}, awkward.recall(), EXACT);
        assertArrayEquals(new double[] {2.0 / 3, 0, 0, 0}, awkward.fScore(), EXACT);
        assertEquals(0.5 / 4, awkward.precision(Average.MACRO), EXACT);
        assertEquals(0.5 / 4, awkward.precision(Average.WEIGHTED), EXACT); // supports 1, 1, 2, 0
        assertEquals(1.0 / 4, awkward.recall(Average.WEIGHTED), EXACT);
        assertEquals(1.0 / 4, awkward.fScore(Average.MICRO), EXACT);
    }

    @Test
    void badArgumentsAreRefused() {
        ConfusionMatrix m = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, 2);
        assertMessage("PrecisionRecall: beta must be > 0 and finite, got 0.0", () -> PrecisionRecall.of(m, 0));
        assertMessage("PrecisionRecall: beta must be > 0 and finite, got NaN", () -> PrecisionRecall.of(m, Double.NaN));
        assertMessage("PrecisionRecall: class 2 is not in [0, 2)", () -> PrecisionRecall.of(m).recall(2));
    }
}

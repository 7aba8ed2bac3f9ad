package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Precision-recall curves and average precision worked by hand. */
class PrecisionRecallCurveTest {
    private static final double EXACT = 1e-15;

    @Test
    void curveRunsFromTheLowestThresholdUpAndEndsAtPrecisionOneRecallZero() {
        // scikit-learn's documentation example
        PrecisionRecallCurve curve = PrecisionRecallCurve.of(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.4, 0.35, 0.8});
        assertArrayEquals(new double[] {0.5, 2.0 / 3, 0.5, 1, 1}, curve.precision(), EXACT);
        assertArrayEquals(new double[] {1, 1, 0.5, 0.5, 0}, curve.recall(), EXACT);
        assertArrayEquals(new double[] {0.1, 0.35, 0.4, 0.8}, curve.thresholds());
    }

    @Test
    void averagePrecisionSumsPrecisionOverRecallSteps() {
        // from the top: 0.8 (P 1, R ½), 0.4 (P ½, R ½), 0.35 (P 2/3, R 1), 0.1: AP = ½·1 + ½·2/3
        assertEquals(0.5 + 1.0 / 3, PrecisionRecallCurve.averagePrecision(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.4, 0.35, 0.8}), EXACT);
        // all scores tied: one step to recall 1 at precision = prevalence
        assertEquals(0.4, PrecisionRecallCurve.averagePrecision(new int[] {1, 0, 0, 1, 0}, new double[] {3, 3, 3, 3, 3}), EXACT);
        assertEquals(1.0, PrecisionRecallCurve.averagePrecision(new int[] {0, 1, 1}, new double[] {0.1, 0.5, 0.9}), EXACT);
    }

    @Test
    void noPositiveExampleGivesRecallOneAndZeroAveragePrecision() {
        PrecisionRecallCurve curve = PrecisionRecallCurve.of(new int[] {0, 0}, new double[] {0.2, 0.7});
        assertArrayEquals(new double[] {1, 1, 0}, curve.recall());
        assertArrayEquals(new double[] {0, 0, 1}, curve.precision());
        assertEquals(0.0, PrecisionRecallCurve.averagePrecision(new int[] {0, 0}, new double[] {0.2, 0.7}));
    }

    @Test
    void oneVsRestGivesAnAbsentClassZeroInMacroAndNoWeightInWeighted() {
        int[] yTrue = {0, 0, 1};
        double[][] scores = {{0.9, 0.1, 0.0}, {0.6, 0.3, 0.1}, {0.2, 0.7, 0.1}};
        // class 0: both positives on top → 1; class 1: its positive on top → 1; class 2: no example → 0
        assertEquals(2.0 / 3, PrecisionRecallCurve.averagePrecision(yTrue, scores, Average.MACRO), EXACT);
        assertEquals(1.0, PrecisionRecallCurve.averagePrecision(yTrue, scores, Average.WEIGHTED), EXACT);
        assertArrayEquals(new double[] {0.1, 0.3, 0.7}, PrecisionRecallCurve.oneVsRest(yTrue, scores, 1).thresholds());
    }

    @Test
    void badInputIsRefused() {
        assertMessage("PrecisionRecallCurve: yTrue[0] = -1 is not 0 or 1", () -> PrecisionRecallCurve.of(new int[] {-1}, new double[] {0.5}));
        assertMessage("PrecisionRecallCurve.averagePrecision: yTrue[1] = 3 is not a class index in [0, 2)",
                () -> PrecisionRecallCurve.averagePrecision(new int[] {0, 3}, new double[][] {{1, 0}, {0, 1}}, Average.MACRO));
    }
}

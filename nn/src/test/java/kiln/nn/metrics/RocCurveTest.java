package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** ROC curves and AUC worked by hand: the pairwise-ranking meaning of AUC, ties, one-vs-rest, checks. */
class RocCurveTest {
    private static final double EXACT = 1e-15;

    @Test
    void curveStepsThroughEachDistinctScore() {
        // scikit-learn's documentation example: thresholds 0.8, 0.4, 0.35, 0.1
        RocCurve curve = RocCurve.of(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.4, 0.35, 0.8});
        assertArrayEquals(new double[] {0, 0, 0.5, 0.5, 1}, curve.falsePositiveRates());
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 1}, curve.truePositiveRates());
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1}, curve.thresholds());
        assertEquals(0.75, curve.area(), EXACT);
        assertEquals(0.75, RocCurve.auc(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.4, 0.35, 0.8}), EXACT);
    }

    @Test
    void aucIsTheChanceAPositiveOutranksANegativeTiesCountingHalf() {
        // positives 0.5, 0.7; negatives 0.5, 0.2: pairs (.5,.5) = ½, (.5,.2) = 1, (.7,.5) = 1, (.7,.2) = 1 → 3.5 / 4
        int[] yTrue = {1, 1, 0, 0};
        double[] scores = {0.5, 0.7, 0.5, 0.2};
        assertEquals(0.875, RocCurve.auc(yTrue, scores), EXACT);
        RocCurve curve = RocCurve.of(yTrue, scores);
        assertArrayEquals(new double[] {0, 0, 0.5, 1}, curve.falsePositiveRates()); // the tie is one diagonal step
        assertArrayEquals(new double[] {0, 0.5, 1, 1}, curve.truePositiveRates());
        assertEquals(0.5, RocCurve.auc(new int[] {1, 0, 0, 1, 0}, new double[] {3, 3, 3, 3, 3}), EXACT);
        assertEquals(0.0, RocCurve.auc(new int[] {1, 0}, new double[] {-1, 1}), EXACT);
    }

    @Test
    void droppingIntermediatePointsKeepsCornersAndArea() {
        // scores 4 3 2 1, labels 1 1 0 0: of (0,0) (0,.5) (0,1) (.5,1) (1,1), the point (.5,1) lies midway on a line
        int[] yTrue = {1, 1, 0, 0};
        double[] scores = {4, 3, 2, 1};
        RocCurve reduced = RocCurve.of(yTrue, scores, true);
        assertArrayEquals(new double[] {0, 0, 0, 1}, reduced.falsePositiveRates());
        assertArrayEquals(new double[] {0, 0.5, 1, 1}, reduced.truePositiveRates());
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 4, 3, 1}, reduced.thresholds());
        assertEquals(1.0, reduced.area(), EXACT);
        assertEquals(5, RocCurve.of(yTrue, scores).size());
    }

    @Test
    void oneVsRestAveragesTheBinaryAreasOfEachColumn() {
        int[] yTrue = {0, 1, 2, 2};
        double[][] scores = {{0.8, 0.1, 0.1}, {0.2, 0.5, 0.3}, {0.3, 0.6, 0.1}, {0.1, 0.2, 0.7}};
        // class 0: column .8 .2 .3 .1, the positive is highest → 1. class 1: positive .5 below .6 → 2/3.
        // class 2: positives .1 and .7 against .1 and .3 → (½ + 0 + 1 + 1) / 4 = 5/8
        assertEquals((1 + 2.0 / 3 + 5.0 / 8) / 3, RocCurve.auc(yTrue, scores, Average.MACRO), EXACT);
        assertEquals((1 + 2.0 / 3 + 2 * 5.0 / 8) / 4, RocCurve.auc(yTrue, scores, Average.WEIGHTED), EXACT);
        assertArrayEquals(RocCurve.of(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.3, 0.1, 0.7}).truePositiveRates(),
                RocCurve.oneVsRest(yTrue, scores, 2).truePositiveRates());
    }

    @Test
    void undefinedOrBadInputIsRefused() {
        assertMessage("RocCurve.auc: yTrue needs both classes, got 3 positives and 0 negatives (ROC is undefined)",
                () -> RocCurve.auc(new int[] {1, 1, 1}, new double[] {0.1, 0.2, 0.3}));
        assertMessage("RocCurve: yTrue[1] = 2 is not 0 or 1", () -> RocCurve.of(new int[] {0, 2}, new double[] {0.1, 0.2}));
        assertMessage("RocCurve: scores[0] is NaN", () -> RocCurve.of(new int[] {0, 1}, new double[] {Double.NaN, 0.2}));
        assertMessage("RocCurve: yTrue has 2 entries but scores has 1", () -> RocCurve.of(new int[] {0, 1}, new double[] {0.2}));
        assertMessage("RocCurve.auc: needs at least one example, got none", () -> RocCurve.auc(new int[0], new double[0]));
        assertMessage("RocCurve: positiveClass 3 is not in [0, 3)",
                () -> RocCurve.oneVsRest(new int[] {0}, new double[][] {{1, 0, 0}}, 3));
        // class 1 has no example: its one-vs-rest AUC (and so the macro average) is undefined
        assertMessage("RocCurve.auc: yTrue needs both classes, got 0 positives and 2 negatives (ROC is undefined)",
                () -> RocCurve.auc(new int[] {0, 2}, new double[][] {{1, 0, 0}, {0, 0, 1}}, Average.MACRO));
    }
}

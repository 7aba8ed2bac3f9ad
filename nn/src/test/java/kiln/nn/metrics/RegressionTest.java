package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Regression metrics worked by hand, per-output averaging and the constant-truth convention. */
class RegressionTest {
    private static final double EXACT = 1e-15;
    private final double[] yTrue = {1, 2, 3, 4};
    private final double[] yPred = {1, 2, 3, 5};

    @Test
    void oneOutputWorkedByHand() {
        assertEquals(0.25, Regression.mse(yTrue, yPred), EXACT);
        assertEquals(0.25, Regression.mae(yTrue, yPred), EXACT);
        assertEquals(0.5, Regression.rmse(yTrue, yPred), EXACT);
        // residual sum 1, spread sum (2.25 + .25 + .25 + 2.25) = 5
        assertEquals(0.8, Regression.r2(yTrue, yPred), EXACT);
        // errors 0 0 0 -1: variance 3/16; Var(y) = 5/4
        assertEquals(1 - (3.0 / 16) / 1.25, Regression.explainedVariance(yTrue, yPred), EXACT);
    }

    @Test
    void severalOutputsAverageThePerOutputMetric() {
        // rows (0, 0) and (0, 0) predicted as (1, 0) and (1, 2): RMSE per output 1 and sqrt(2)
        double[] truth = {0, 0, 0, 0};
        double[] predicted = {1, 0, 1, 2};
        assertEquals((1 + Math.sqrt(2)) / 2, Regression.rmse(truth, predicted, 2), EXACT);
        assertEquals(1.5, Regression.mse(truth, predicted, 2), EXACT);
        assertEquals(1.0, Regression.mae(truth, predicted, 2), EXACT);
    }

    @Test
    void constantTruthScoresOneWhenPerfectAndZeroOtherwise() {
        assertEquals(1.0, Regression.r2(new double[] {2, 2}, new double[] {2, 2}));
        assertEquals(0.0, Regression.r2(new double[] {2, 2}, new double[] {2, 3}));
        assertEquals(0.0, Regression.explainedVariance(new double[] {2, 2}, new double[] {1, 3}));
        // a constant bias is explained variance but not R²
        assertEquals(1.0, Regression.explainedVariance(yTrue, new double[] {4, 5, 6, 7}), EXACT);
        assertEquals(1 - 36 / 5.0, Regression.r2(yTrue, new double[] {4, 5, 6, 7}), EXACT);
    }

    @Test
    void badInputIsRefused() {
        assertMessage("Regression.r2: needs at least 2 examples, got 1", () -> Regression.r2(new double[] {1}, new double[] {1}));
        assertMessage("Regression.mse: needs at least 1 example, got 0", () -> Regression.mse(new double[0], new double[0]));
        assertMessage("Regression.mae: yTrue has 2 entries but yPred has 1", () -> Regression.mae(new double[] {1, 2}, new double[] {1}));
        assertMessage("Regression.mse: 3 values are not rows of 2 outputs", () -> Regression.mse(new double[3], new double[3], 2));
        assertMessage("Regression.rmse: yPred[1] is NaN", () -> Regression.rmse(new double[2], new double[] {0, Double.NaN}));
        assertMessage("Regression.mse: outputs must be >= 1, got 0", () -> Regression.mse(new double[2], new double[2], 0));
    }
}

package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Log loss worked by hand: the mean negative log-probability, clipping and renormalisation. */
class LogLossTest {
    private static final double EXACT = 1e-15;

    @Test
    void isTheMeanNegativeLogProbabilityOfTheTrueClass() {
        assertEquals(-(Math.log(0.8) + Math.log(0.6)) / 2, LogLoss.of(new int[] {0, 1}, new double[][] {{0.8, 0.2}, {0.4, 0.6}}), EXACT);
        assertEquals(-(Math.log(0.9) + Math.log(0.7)) / 2, LogLoss.binary(new int[] {1, 0}, new double[] {0.9, 0.3}), EXACT);
    }

    @Test
    void zeroProbabilityIsClippedAtEps() {
        assertEquals(-Math.log(Math.ulp(1.0)), LogLoss.of(new int[] {1}, new double[][] {{1, 0}}), 1e-12); // ≈ 36.04
        assertEquals(-Math.log(1e-15), LogLoss.binary(new int[] {1}, new double[] {0}, 1e-15), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, LogLoss.of(new int[] {1}, new double[][] {{1, 0}}, 0));
    }

    @Test
    void rowsAreRenormalisedAfterClipping() {
        assertEquals(-Math.log(0.6 / 0.8), LogLoss.of(new int[] {1}, new double[][] {{0.2, 0.6}}), EXACT);
        // both clipped to 1 - eps, then halved
        assertEquals(Math.log(2), LogLoss.of(new int[] {0}, new double[][] {{3, 5}}), EXACT);
    }

    @Test
    void badInputIsRefused() {
        assertMessage("LogLoss: probabilities[0][1] = -0.1 is negative", () -> LogLoss.of(new int[] {0}, new double[][] {{1.1, -0.1}}));
        assertMessage("LogLoss: eps must be in [0, 0.5), got 0.5", () -> LogLoss.of(new int[] {0}, new double[][] {{1, 0}}, 0.5));
        assertMessage("LogLoss: positiveProbabilities[0] = 1.5 is not in [0, 1]", () -> LogLoss.binary(new int[] {1}, new double[] {1.5}));
        assertMessage("LogLoss: yTrue[0] = 2 is not 0 or 1", () -> LogLoss.binary(new int[] {2}, new double[] {0.5}));
        assertMessage("LogLoss: yTrue[0] = 2 is not a class index in [0, 2)", () -> LogLoss.of(new int[] {2}, new double[][] {{0.5, 0.5}}));
        assertMessage("LogLoss: needs at least one example, got none", () -> LogLoss.of(new int[0], new double[0][]));
    }
}

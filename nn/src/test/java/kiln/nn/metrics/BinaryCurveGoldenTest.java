package kiln.nn.metrics;

import static kiln.nn.metrics.MetricGoldens.assertClose;
import static kiln.nn.metrics.MetricGoldens.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import kiln.nn.Golden;

/**
 * ROC and precision-recall curves, their areas and the binary log loss against scikit-learn 1.2.1:
 * scores with many ties, five distinct scores, all scores tied, perfect and inverse rankings, and raw
 * scores where -0.0 and 0.0 are one value. Values within {@link MetricGoldens#TOLERANCE}.
 */
class BinaryCurveGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"binary_ties", "binary_five_levels", "binary_all_tied", "binary_perfect", "binary_inverse", "binary_signed_zero"})
    void rocCurvesAndAreaMatchScikitLearn(String name) {
        Golden g = MetricGoldens.load(name);
        int[] yTrue = ints(g, "y_true");
        double[] scores = g.doubles("scores");
        assertCurve(g, "roc", RocCurve.of(yTrue, scores));
        assertCurve(g, "roc_dropped", RocCurve.of(yTrue, scores, true));
        assertClose(g.value("roc_auc"), RocCurve.auc(yTrue, scores), "roc_auc");
        assertClose(g.value("roc_auc"), RocCurve.of(yTrue, scores).area(), "area of the full curve");
        assertClose(g.value("roc_auc"), RocCurve.of(yTrue, scores, true).area(), "area of the reduced curve");
    }

    @ParameterizedTest
    @ValueSource(strings = {"binary_ties", "binary_five_levels", "binary_all_tied", "binary_perfect", "binary_inverse", "binary_signed_zero"})
    void precisionRecallCurveAndAveragePrecisionMatchScikitLearn(String name) {
        Golden g = MetricGoldens.load(name);
        int[] yTrue = ints(g, "y_true");
        double[] scores = g.doubles("scores");
        PrecisionRecallCurve curve = PrecisionRecallCurve.of(yTrue, scores);
        assertClose(g.doubles("pr.precision"), curve.precision(), "precision");
        assertClose(g.doubles("pr.recall"), curve.recall(), "recall");
        assertClose(g.doubles("pr.thresholds"), curve.thresholds(), "thresholds");
        assertClose(g.value("ap"), PrecisionRecallCurve.averagePrecision(yTrue, scores), "ap");
        if (g.has("log_loss")) {
            assertClose(g.value("log_loss"), LogLoss.binary(yTrue, scores), "log loss");
        }
    }

    /** Our first threshold is +Infinity where scikit-learn 1.2 wrote max(score) + 1; the rest must agree. */
    private static void assertCurve(Golden g, String key, RocCurve curve) {
        assertClose(g.doubles(key + ".fpr"), curve.falsePositiveRates(), key + ".fpr");
        assertClose(g.doubles(key + ".tpr"), curve.truePositiveRates(), key + ".tpr");
        double[] thresholds = g.doubles(key + ".thresholds");
        assertEquals(Double.POSITIVE_INFINITY, curve.thresholds()[0], key + ".thresholds[0]");
        assertClose(Arrays.copyOfRange(thresholds, 1, thresholds.length),
                Arrays.copyOfRange(curve.thresholds(), 1, curve.size()), key + ".thresholds");
    }
}

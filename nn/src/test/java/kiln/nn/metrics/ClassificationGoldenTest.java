package kiln.nn.metrics;

import static kiln.nn.metrics.MetricGoldens.assertClose;
import static kiln.nn.metrics.MetricGoldens.ints;
import static kiln.nn.metrics.MetricGoldens.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import kiln.nn.Golden;

/**
 * Every label and score metric against scikit-learn 1.2.1 on the classification cases of
 * make_metric_goldens.py: 10 classes; 3 classes with tied scores; a class never predicted and one absent
 * from the truth; 2 classes; perfect and inverse classifiers. Counts must be equal, real numbers within
 * {@link MetricGoldens#TOLERANCE}, report text character for character.
 */
class ClassificationGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"multiclass_k10", "multiclass_k3_ties", "multiclass_k4_awkward", "multiclass_k2", "perfect_k3", "inverse_k3"})
    void labelMetricsMatchScikitLearn(String name) {
        Golden g = MetricGoldens.load(name);
        int[] yTrue = ints(g, "y_true"), yPred = ints(g, "y_pred");
        int k = g.dims("scores")[1];
        assertArrayEquals(yPred, Accuracy.argmax(rows(g, "scores")), "the goldens' y_pred is the first arg-max of the scores");

        assertClose(g.value("accuracy"), Accuracy.of(yTrue, yPred), "accuracy");
        ConfusionMatrix matrix = ConfusionMatrix.of(yTrue, yPred, k);
        long[] expected = g.longs("confusion");
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) assertEquals(expected[t * k + p], matrix.count(t, p), "confusion[" + t + "][" + p + "]");
        }
        PrecisionRecall f1 = PrecisionRecall.of(matrix);
        assertClose(g.doubles("precision"), f1.precision(), "precision");
        assertClose(g.doubles("recall"), f1.recall(), "recall");
        assertClose(g.doubles("f1"), f1.fScore(), "f1");
        assertArrayEquals(g.longs("support"), f1.support(), "support");
        for (Average average : Average.values()) {
            String suffix = "." + average.name().toLowerCase(Locale.ROOT);
            assertClose(g.value("precision" + suffix), f1.precision(average), "precision" + suffix);
            assertClose(g.value("recall" + suffix), f1.recall(average), "recall" + suffix);
            assertClose(g.value("f1" + suffix), f1.fScore(average), "f1" + suffix);
        }
        for (double beta : new double[] {0.5, 2.0}) {
            PrecisionRecall fb = PrecisionRecall.of(matrix, beta);
            assertClose(g.doubles("fbeta" + beta), fb.fScore(), "fbeta" + beta);
            for (Average average : Average.values()) {
                String key = "fbeta" + beta + "." + average.name().toLowerCase(Locale.ROOT);
                assertClose(g.value(key), fb.fScore(average), key);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"multiclass_k10", "multiclass_k3_ties", "multiclass_k4_awkward", "multiclass_k2", "perfect_k3", "inverse_k3"})
    void scoreMetricsMatchScikitLearn(String name) {
        Golden g = MetricGoldens.load(name);
        int[] yTrue = ints(g, "y_true");
        double[][] scores = rows(g, "scores");
        int checked = 0;
        for (int j : new int[] {1, 2, 3, 5}) {
            if (g.has("top" + j)) {
                assertClose(g.value("top" + j), Accuracy.topK(yTrue, scores, j), "top" + j);
                checked++;
            }
        }
        assertEquals(scores[0].length > 2, checked > 0, "top-k goldens exist for more than two classes");
        assertClose(g.value("log_loss"), LogLoss.of(yTrue, scores), "log loss");
        for (Average average : Average.values()) {
            String suffix = "." + average.name().toLowerCase(Locale.ROOT);
            assertClose(g.value("ap" + suffix), PrecisionRecallCurve.averagePrecision(yTrue, scores, average), "ap" + suffix);
            if (g.has("roc_auc" + suffix)) {
                assertClose(g.value("roc_auc" + suffix), RocCurve.auc(yTrue, scores, average), "roc_auc" + suffix);
            } else {
                // scikit-learn raised: a class has no example, so its one-vs-rest AUC is undefined
                var e = assertThrows(IllegalArgumentException.class, () -> RocCurve.auc(yTrue, scores, average));
                assertTrue(e.getMessage().contains("needs both classes"), e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"multiclass_k10", "multiclass_k3_ties", "multiclass_k4_awkward", "multiclass_k2", "perfect_k3", "inverse_k3"})
    void reportIsScikitLearnsTextExactly(String name) {
        Golden g = MetricGoldens.load(name);
        ConfusionMatrix matrix = ConfusionMatrix.of(ints(g, "y_true"), ints(g, "y_pred"), g.dims("scores")[1]);
        String expected = MetricGoldens.report(name);
        if (matrix.correct() == 0) {
            // scikit-learn 1.2.1 prints supports as floats ("13.0") when no prediction is right (its
            // true-positive bincount of an empty array is float64); Kiln prints counts as integers
            expected = expected.replaceAll("(\\d+)\\.0\n", "  $1\n"); // same width, ".0" dropped
        }
        assertEquals(expected, ClassificationReport.of(matrix, classNames(name)));
        if (name.equals("multiclass_k3_ties")) {
            assertEquals(MetricGoldens.report(name + ".digits4"), ClassificationReport.of(matrix, null, 4));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"multiclass_k10", "multiclass_k4_awkward", "multiclass_k2"})
    void accumulatorFedInUnevenBatchesGivesTheSameMetrics(String name) {
        Golden g = MetricGoldens.load(name);
        int[] yTrue = ints(g, "y_true");
        double[][] scores = rows(g, "scores");
        var seen = new ClassificationAccumulator(scores[0].length);
        for (int start = 0, batch = 1; start < yTrue.length; start += batch, batch = batch * 2 + 1) {
            int end = Math.min(yTrue.length, start + batch);
            seen.add(Arrays.copyOfRange(yTrue, start, end), Arrays.copyOfRange(scores, start, end));
        }
        assertEquals(yTrue.length, seen.size());
        assertArrayEquals(ints(g, "y_pred"), seen.predictions());
        assertClose(g.value("accuracy"), seen.accuracy(), "accuracy");
        assertClose(g.value("f1.macro"), seen.precisionRecall().fScore(Average.MACRO), "f1.macro");
        assertClose(g.value("log_loss"), seen.logLoss(), "log loss");
        assertClose(g.value("ap.weighted"), seen.averagePrecision(Average.WEIGHTED), "ap.weighted");
        assertClose(g.value("roc_auc.micro"), seen.rocAuc(Average.MICRO), "roc_auc.micro");
        if (g.has("top2")) assertClose(g.value("top2"), seen.topKAccuracy(2), "top2");
        assertEquals(MetricGoldens.report(name), seen.report(classNames(name)));
    }

    /** The target_names the script gave classification_report (null: the class indices). */
    private static List<String> classNames(String name) {
        return switch (name) {
            case "multiclass_k10" -> List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
            case "multiclass_k4_awkward" -> List.of("a", "bb", "never-predicted", "absent-from-truth");
            default -> null;
        };
    }
}

package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The report's layout and rounding on examples worked by hand (scikit-learn's output, checked in Python). */
class ClassificationReportTest {

    @Test
    void layoutOfATwoClassReport() {
        // true cat dog dog, predicted cat cat dog: cat P ½ R 1, dog P 1 R ½
        ConfusionMatrix matrix = ConfusionMatrix.of(new int[] {0, 1, 1}, new int[] {0, 0, 1}, 2);
        assertEquals("""
                              precision    recall  f1-score   support

                         cat       0.50      1.00      0.67         1
                         dog       1.00      0.50      0.67         2

                    accuracy                           0.67         3
                   macro avg       0.75      0.75      0.67         3
                weighted avg       0.83      0.67      0.67         3
                """, ClassificationReport.of(matrix, List.of("cat", "dog")));
    }

    @Test
    void numbersRoundHalfToEvenFromTheirExactValue() {
        // precision of class 0 is exactly 1/8 → "0.12" (not "0.13"); macro precision exactly 1/16 → "0.06"
        ConfusionMatrix matrix = ConfusionMatrix.of(new int[] {0, 1, 1, 1, 1, 1, 1, 1}, new int[8], 2);
        assertEquals("""
                              precision    recall  f1-score   support

                           0       0.12      1.00      0.22         1
                           1       0.00      0.00      0.00         7

                    accuracy                           0.12         8
                   macro avg       0.06      0.50      0.11         8
                weighted avg       0.02      0.12      0.03         8
                """, ClassificationReport.of(matrix, null));
    }

    @Test
    void longNamesWidenTheFirstColumnAndDigitsTheNumbers() {
        ConfusionMatrix matrix = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, 2);
        assertEquals("""
                                    precision    recall  f1-score   support

                a rather long name      1.000     1.000     1.000         1
                                 b      1.000     1.000     1.000         1

                          accuracy                          1.000         2
                         macro avg      1.000     1.000     1.000         2
                      weighted avg      1.000     1.000     1.000         2
                """, ClassificationReport.of(matrix, List.of("a rather long name", "b"), 3));
    }

    @Test
    void badArgumentsAreRefused() {
        ConfusionMatrix matrix = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, 2);
        assertMessage("ClassificationReport: got 3 class names for 2 classes", () -> ClassificationReport.of(matrix, List.of("a", "b", "c")));
        assertMessage("ClassificationReport: digits must be >= 0, got -1", () -> ClassificationReport.of(matrix, null, -1));
        assertMessage("ClassificationReport: class name 1 is null", () -> ClassificationReport.of(matrix, java.util.Arrays.asList("a", null)));
    }
}

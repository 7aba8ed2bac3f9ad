package kiln.nn.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A text table of per-class precision, recall, F1 and support, then accuracy and the macro and weighted
 * averages, in the layout of scikit-learn's {@code classification_report} (character for character,
 * with {@code labels} = every class index and the default {@code zero_division}):
 *
 * <pre>
 *               precision    recall  f1-score   support
 *
 *          cat       0.50      1.00      0.67         1
 *          dog       1.00      0.50      0.67         2
 *
 *     accuracy                           0.67         3
 *    macro avg       0.75      0.75      0.67         3
 * weighted avg       0.83      0.67      0.67         3
 * </pre>
 *
 * The name column is as wide as the longest class name or "weighted avg"; every other column is 9 wide
 * after a space. Numbers are rounded half-to-even from their exact binary value, as Python's
 * {@code format} does. The accuracy row shows the micro F1 (equal to accuracy) and the total support.
 * Each line, the last included, ends with a newline.
 */
public final class ClassificationReport {
    private static final String[] HEADERS = {"precision", "recall", "f1-score", "support"};

    private ClassificationReport() {}

    /** The report with two decimals; {@code classNames} has one name per class, or is null for "0", "1", .... */
    public static String of(ConfusionMatrix matrix, List<String> classNames) {
        return of(matrix, classNames, 2);
    }

    /** The report with {@code digits} decimals (&gt;= 0). */
    public static String of(ConfusionMatrix matrix, List<String> classNames, int digits) {
        Check.require(digits >= 0, "ClassificationReport", "digits must be >= 0, got " + digits);
        List<String> names = names("ClassificationReport", classNames, matrix.numClasses());
        PrecisionRecall scores = PrecisionRecall.of(matrix);
        String lastHeading = Average.WEIGHTED.heading();
        int width = lastHeading.length();
        for (String name : names) {
            width = Math.max(width, name.length());
        }
        width = Math.max(width, digits);

        StringBuilder out = new StringBuilder(pad("", width)).append(' ');
        for (String header : HEADERS) {
            out.append(' ').append(pad(header, 9));
        }
        out.append("\n\n");
        for (int c = 0; c < names.size(); c++) {
            row(out, names.get(c), width, digits, scores.precision(c), scores.recall(c), scores.fScore(c), scores.support(c));
        }
        out.append('\n');
        String blank = pad("", 9);
        out.append(pad("accuracy", width)).append(' ')
                .append(' ').append(blank).append(' ').append(blank)
                .append(' ').append(pad(decimal(scores.fScore(Average.MICRO), digits), 9))
                .append(' ').append(pad(Long.toString(matrix.total()), 9)).append('\n');
        for (Average average : List.of(Average.MACRO, Average.WEIGHTED)) {
            row(out, average.heading(), width, digits, scores.precision(average), scores.recall(average), scores.fScore(average), matrix.total());
        }
        return out.toString();
    }

    /** {@code classNames} checked against the class count, or "0", "1", ... when null. */
    static List<String> names(String owner, List<String> classNames, int numClasses) {
        if (classNames == null) {
            List<String> indices = new ArrayList<>();
            for (int c = 0; c < numClasses; c++) {
                indices.add(Integer.toString(c));
            }
            return indices;
        }
        Check.require(classNames.size() == numClasses, owner, "got " + classNames.size() + " class names for " + numClasses + " classes");
        for (int c = 0; c < numClasses; c++) {
            Check.require(classNames.get(c) != null, owner, "class name " + c + " is null");
        }
        return classNames;
    }

    private static void row(StringBuilder out, String name, int width, int digits, double precision, double recall, double f, long support) {
        out.append(pad(name, width)).append(' ');
        for (double value : new double[] {precision, recall, f}) {
            out.append(' ').append(pad(decimal(value, digits), 9));
        }
        out.append(' ').append(pad(Long.toString(support), 9)).append('\n');
    }

    /** {@code value} with {@code digits} decimals, rounded half-to-even from its exact binary value (Python's {@code .2f}). */
    private static String decimal(double value, int digits) {
        return new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Right-aligns {@code text} in {@code width} characters (longer text is kept whole). */
    private static String pad(String text, int width) {
        return " ".repeat(Math.max(0, width - text.length())) + text;
    }
}

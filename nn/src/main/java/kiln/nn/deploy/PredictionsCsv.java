package kiln.nn.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import kiln.nn.data.Csv;
import kiln.nn.io.AtomicFiles;

/**
 * Predictions as a CSV file, one row per example in order, written atomically:
 *
 * <pre>
 * index,true_class,true_name,predicted_class,predicted_name,probability
 * 0,9,Ankle boot,9,Ankle boot,0.973201
 * </pre>
 * The {@code true_*} columns are there when the true classes are known ({@code kiln eval}), not for new
 * data ({@code kiln predict}). {@code probability} is the predicted class's softmax probability, six
 * decimals. Names are quoted when they hold a comma, a quote or a line break ({@link Csv#field}).
 */
public final class PredictionsCsv {
    private PredictionsCsv() {}

    /**
     * @param classNames the name of each class index
     * @param trueClasses each example's true class, or null when unknown
     * @param predicted each example's predicted class
     * @param probabilities each example's probabilities over all classes
     */
    public static void write(Path file, List<String> classNames, int[] trueClasses, int[] predicted, double[][] probabilities)
            throws IOException {
        if (predicted.length != probabilities.length || (trueClasses != null && trueClasses.length != predicted.length)) {
            throw new IllegalArgumentException("PredictionsCsv.write: " + predicted.length + " predictions, " + probabilities.length
                    + " probability rows" + (trueClasses == null ? "" : " and " + trueClasses.length + " true classes")
                    + "; one of each per example");
        }
        StringBuilder csv = new StringBuilder(trueClasses == null ? "index," : "index,true_class,true_name,")
                .append("predicted_class,predicted_name,probability\n");
        for (int i = 0; i < predicted.length; i++) {
            csv.append(i).append(',');
            if (trueClasses != null) {
                csv.append(trueClasses[i]).append(',').append(Csv.field(classNames.get(trueClasses[i]))).append(',');
            }
            csv.append(predicted[i]).append(',').append(Csv.field(classNames.get(predicted[i]))).append(',')
                    .append(String.format(Locale.ROOT, "%.6f", probabilities[i][predicted[i]])).append('\n');
        }
        AtomicFiles.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));
    }
}

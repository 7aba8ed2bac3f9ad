package kiln.nn.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.nn.metrics.ClassificationReport;
import kiln.nn.metrics.ConfusionMatrix;
import kiln.nn.io.AtomicFiles;
import kiln.nn.report.ConfusionMatrixChart;
import kiln.nn.report.HtmlReport;
import kiln.nn.report.LineChart;

/**
 * Writes the human side of a run folder: loss and accuracy curves, the test set's confusion matrix and
 * classification report, and {@code report.html} showing all of it with the run's configuration.
 *
 * <pre>
 * loss.png  accuracy.png  confusion.png  classification_report.txt  report.html
 * </pre>
 */
public final class RunReport {
    private RunReport() {}

    /**
     * @param config     the run's settings, shown as a table (in the map's order)
     * @param results    headline figures (test accuracy, best epoch...), shown as a table
     * @param history    one entry per epoch
     * @param bestEpoch  the epoch of the checkpointed model, marked on the curves (0: none)
     * @param test       the final evaluation, or null
     * @param classNames class names for the confusion matrix and report (classification only)
     * @param warnings   e.g. overfitting warnings, shown prominently
     */
    public static void write(Path folder, String title, Map<String, ?> config, Map<String, ?> results,
                             List<EpochLog> history, int bestEpoch, Evaluation test, List<String> classNames,
                             List<String> warnings) throws IOException {
        HtmlReport html = HtmlReport.titled(title);
        html.heading("Configuration").keyValues(config);
        html.heading("Results").keyValues(results);
        warnings.forEach(html::warning);

        double[] epochs = history.stream().mapToDouble(EpochLog::epoch).toArray();
        html.heading("Curves");
        LineChart loss = LineChart.titled("Loss").xLabel("epoch").yLabel("loss")
                .series("train", epochs, column(history, "train_loss"))
                .series("validation", epochs, column(history, "val_loss"));
        LineChart accuracy = LineChart.titled("Accuracy").xLabel("epoch").yLabel("accuracy")
                .series("train", epochs, column(history, "train_accuracy"))
                .series("validation", epochs, column(history, "val_accuracy"));
        if (bestEpoch > 0) {
            loss.marker(bestEpoch, "best (epoch " + bestEpoch + ")");
            accuracy.marker(bestEpoch, "best");
        }
        loss.writePng(folder.resolve("loss.png"), 900, 560);
        html.image(folder.resolve("loss.png"), "Mean loss per epoch (train: running average during the epoch)");
        boolean classification = test == null || test.isClassification();
        if (classification) {
            accuracy.writePng(folder.resolve("accuracy.png"), 900, 560);
            html.image(folder.resolve("accuracy.png"), "Accuracy per epoch");
        }

        if (test != null && test.isClassification()) {
            ConfusionMatrix matrix = ConfusionMatrix.of(test.labels(), test.predictions(), classNames.size());
            ConfusionMatrixChart.of(matrix.counts(), classNames).title("Confusion matrix (test set)")
                    .writePng(folder.resolve("confusion.png"), 820, 760);
            String report = ClassificationReport.of(matrix, classNames);
            AtomicFiles.write(folder.resolve("classification_report.txt"), report.getBytes(StandardCharsets.UTF_8));
            html.heading("Confusion matrix").image(folder.resolve("confusion.png"), "Rows: true class; columns: predicted class");
            html.heading("Classification report (test set)").preformatted(report);
        }

        html.heading("Per epoch").table(
                List.of("epoch", "train loss", "train accuracy", "validation loss", "validation accuracy", "gap", "lr", "seconds"),
                rows(history));
        html.write(folder.resolve("report.html"));
    }

    private static double[] column(List<EpochLog> history, String metric) {
        return history.stream().mapToDouble(h -> h.metric(metric)).toArray();
    }

    private static List<List<Object>> rows(List<EpochLog> history) {
        List<List<Object>> rows = new ArrayList<>();
        for (EpochLog h : history) {
            rows.add(List.of(h.epoch(), h.trainLoss(), h.trainAccuracy(), h.validationLoss(), h.validationAccuracy(),
                    String.format(Locale.ROOT, "%+.2f%%", 100 * h.generalizationGap()), h.lr(), h.seconds()));
        }
        return rows;
    }
}

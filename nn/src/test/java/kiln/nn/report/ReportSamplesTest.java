package kiln.nn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A whole run's report as the trainer would write it: curves, a Fashion-MNIST confusion matrix and the page
 * that shows them. To look at the result, run with {@code -Dkiln.report.samples=/tmp/report-samples} and open
 * {@code report.html} there; by default everything goes to a temporary folder.
 */
class ReportSamplesTest {
    private static final List<String> FASHION_MNIST = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    @TempDir
    Path temporary;

    /** A plausible confusion matrix of a 88%-accurate classifier: shirts, T-shirts, pullovers and coats mix. */
    private static final long[][] CONFUSION = {
        {852, 1, 14, 28, 4, 1, 93, 0, 7, 0},
        {3, 972, 2, 17, 3, 0, 2, 0, 1, 0},
        {16, 1, 812, 11, 92, 0, 66, 0, 2, 0},
        {27, 8, 12, 889, 36, 0, 25, 0, 3, 0},
        {1, 1, 96, 31, 824, 0, 45, 0, 2, 0},
        {0, 0, 0, 1, 0, 962, 0, 24, 1, 12},
        {142, 2, 87, 33, 71, 0, 655, 0, 10, 0},
        {0, 0, 0, 0, 0, 13, 0, 966, 0, 21},
        {4, 1, 4, 5, 3, 2, 6, 4, 971, 0},
        {0, 0, 0, 0, 0, 7, 1, 38, 0, 954},
    };

    @Test
    void writesARunReportWhosePagesAndImagesAllOpen() throws Exception {
        String chosen = System.getProperty("kiln.report.samples");
        Path folder = chosen == null ? temporary : Path.of(chosen);
        int epochs = 10;
        double[] epoch = new double[epochs];
        double[] trainLoss = new double[epochs];
        double[] validationLoss = new double[epochs];
        double[] trainAccuracy = new double[epochs];
        double[] validationAccuracy = new double[epochs];
        List<List<?>> rows = new ArrayList<>();
        for (int i = 0; i < epochs; i++) {
            epoch[i] = i + 1;
            trainLoss[i] = 0.55 * Math.exp(-i / 3.0) + 0.22 - 0.01 * i;
            validationLoss[i] = 0.5 * Math.exp(-i / 3.5) + 0.31 + 0.0008 * i * i;
            trainAccuracy[i] = 0.80 + 0.1 * (1 - Math.exp(-i / 3.0)) + 0.004 * i;
            validationAccuracy[i] = 0.82 + 0.07 * (1 - Math.exp(-i / 3.0));
            rows.add(List.of(i + 1, trainLoss[i], trainAccuracy[i], validationLoss[i], validationAccuracy[i]));
        }
        LineChart.titled("Loss").xLabel("epoch").yLabel("cross-entropy").series("train", epoch, trainLoss)
                .series("validation", epoch, validationLoss).marker(7, "best (epoch 7)")
                .writePng(folder.resolve("loss.png"), 900, 560);
        LineChart.titled("Accuracy").xLabel("epoch").yLabel("accuracy").series("train", epoch, trainAccuracy)
                .series("validation", epoch, validationAccuracy).marker(7, "best")
                .writePng(folder.resolve("accuracy.png"), 900, 560);
        ConfusionMatrixChart.of(CONFUSION, FASHION_MNIST).title("Confusion matrix (test set)")
                .writePng(folder.resolve("confusion.png"), 820, 760);
        ConfusionMatrixChart.of(CONFUSION, FASHION_MNIST).title("Confusion matrix (test set, share of each true class)")
                .normalizeRows().writePng(folder.resolve("confusion-normalized.png"), 820, 760);

        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("dataset", "fashion-mnist");
        configuration.put("model", "mlp 784-256-128-10");
        configuration.put("optimizer", "adam");
        configuration.put("learning rate", 1e-3);
        configuration.put("batch size", 128);
        configuration.put("seed", 42L);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("test accuracy", 0.8857);
        results.put("best validation accuracy", validationAccuracy[6]);
        results.put("samples per second", 12345.678);
        Path html = folder.resolve("report.html");
        HtmlReport.titled("Fashion-MNIST · mlp · seed 42")
                .heading("Configuration").keyValues(configuration)
                .heading("Results").keyValues(results)
                .warning("overfitting: the train–validation gap grew from 0.8% to 4.1% (epochs 3 to 10)")
                .heading("Curves").image(Path.of("loss.png"), "Loss per epoch")
                .image(Path.of("accuracy.png"), "Accuracy per epoch")
                .heading("Confusion matrix").image(Path.of("confusion.png"), "Counts")
                .image(Path.of("confusion-normalized.png"), "Share of each true class")
                .heading("Per epoch")
                .table(List.of("epoch", "train loss", "train accuracy", "validation loss", "validation accuracy"), rows)
                .write(html);

        NodeList images = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile())
                .getElementsByTagName("img");
        assertEquals(4, images.getLength());
        for (int i = 0; i < images.getLength(); i++) {
            Path png = folder.resolve(((Element) images.item(i)).getAttribute("src"));
            assertTrue(Files.isRegularFile(png), "the page's image " + png + " exists beside it");
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, png + " decodes");
        }
    }
}

package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.nn.data.Csv;
import kiln.nn.data.CsvTable;
import kiln.nn.data.Idx;
import kiln.nn.io.Json;

/** {@code kiln predict}, {@code kiln serve} and {@code kiln eval --predictions} as a user runs them. */
class DeployCommandTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private static CommandOutcome run(String... args) {
        return CommandOutcome.run(args);
    }

    private static void assertOneLineError(CommandOutcome outcome, String expected) {
        assertEquals(2, outcome.code(), outcome.err());
        assertEquals(1, outcome.err().strip().lines().count(), outcome.err());
        assertTrue(outcome.err().contains(expected), outcome.err());
    }

    private static int number(Object value) {
        return ((Number) value).intValue();
    }

    /** A gray PNG of one 28×28 image, each pixel repeated {@code scale}×{@code scale} times. */
    private static Path png(Path file, byte[] pixels, int offset, int scale) throws IOException {
        int side = 28 * scale;
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.getRaster().setSample(x, y, 0, pixels[offset + (y / scale) * 28 + x / scale] & 0xFF);
            }
        }
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPngOfATestImageGetsTheClassThatEvalGaveIt(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FASHION_MNIST), "needs the Debian package dataset-fashion-mnist (.ci/run installs it)");
        Path run = dir.resolve("run");
        CommandOutcome trained = run("train", "--data", FASHION_MNIST.toString(), "--limit", "2000", "--epochs", "1", "--model", "mlp",
                "--threads", "2", "--out", run.toString(), "--json");
        assertEquals(0, trained.code(), trained.err());

        Path evalCsv = dir.resolve("eval.csv");
        CommandOutcome evaluated = run("eval", "--model", run.toString(), "--data", FASHION_MNIST.toString(), "--predictions",
                evalCsv.toString(), "--json");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertEquals(evalCsv.toString(), evaluated.json().get("predictions"));
        CsvTable rows = Csv.read(evalCsv);
        assertEquals(10_000, rows.rowCount());
        int right = 0;
        for (int i = 0; i < rows.rowCount(); i++) {
            assertEquals(i, rows.column("index").value(i));
            right += rows.column("true_class").value(i) == rows.column("predicted_class").value(i) ? 1 : 0;
        }
        assertEquals((double) evaluated.json().get("test_accuracy"), right / 10_000.0, 1e-12, "the file's rows are eval's predictions");

        Path images = Files.exists(FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"))
                ? FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz") : FASHION_MNIST.resolve("t10k-images-idx3-ubyte");
        byte[] pixels = Idx.read(images).data();
        int wrong = 0;
        while (rows.column("true_class").value(wrong) == rows.column("predicted_class").value(wrong)) {
            wrong++;                                        // a test image that the model gets wrong: a stricter check
        }
        for (int index : new int[] {0, wrong, 4242}) {
            CommandOutcome predicted = run("predict", "--model", run.toString(), png(dir.resolve("test-" + index + ".png"), pixels, 784 * index, 1).toString(), "--json");
            assertEquals(0, predicted.code(), predicted.err());
            assertEquals((int) rows.column("predicted_class").value(index), number(((List<Object>) predicted.json().get("classes")).getFirst()),
                    "test image " + index);
            double probability = (double) ((List<List<Object>>) predicted.json().get("probabilities")).getFirst()
                    .get((int) rows.column("predicted_class").value(index));
            assertEquals(rows.column("probability").value(index), probability, 1e-5, "test image " + index);
            assertTrue(predicted.out().startsWith("0  " + rows.column("predicted_name").text(index) + " "), predicted.out());
        }

        // Twice the size: area averaging brings back the exact pixels, so the same answer, with a note on stderr.
        CommandOutcome large = run("predict", "--model", run.toString(), png(dir.resolve("large.png"), pixels, 784 * wrong, 2).toString(), "--json");
        assertEquals(0, large.code(), large.err());
        assertTrue(large.err().contains("56×56 pixels; resized to the model's 28×28"), large.err());
        assertEquals((int) rows.column("predicted_class").value(wrong), number(((List<Object>) large.json().get("classes")).getFirst()));

        // The IDX file itself: the first 300 test images, as eval saw them.
        Path out = dir.resolve("predict.csv");
        CommandOutcome idx = run("predict", "--model", run.toString(), images.toString(), "--limit", "300", "--out", out.toString());
        assertEquals(0, idx.code(), idx.err());
        assertEquals(300, idx.out().strip().lines().count());
        CsvTable predictedRows = Csv.read(out);
        assertEquals(300, predictedRows.rowCount());
        for (int i = 0; i < 300; i++) {
            assertEquals(rows.column("predicted_class").value(i), predictedRows.column("predicted_class").value(i), "test image " + i);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void predictAndServeAMoonsModel(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, run("train", "--dataset", "moons", "--model", "mlp:16", "--epochs", "3", "--lr", "0.01", "--threads", "1",
                "--out", run.toString()).code());
        CommandOutcome evaluated = run("eval", "--model", run.toString(), "--predictions", dir.resolve("eval.csv").toString());
        assertEquals(0, evaluated.code(), evaluated.err());
        assertEquals(1000, Csv.read(dir.resolve("eval.csv")).rowCount(), "one row per test point");

        StringBuilder csv = new StringBuilder("x,y\n");
        List<List<Object>> points = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            double x = -1 + 0.7 * i;
            double y = 0.5 - 0.3 * i;
            csv.append(String.format(Locale.ROOT, "%s,%s%n", x, y));
            points.add(List.of(x, y));
        }
        Path input = Files.writeString(dir.resolve("points.csv"), csv);
        CommandOutcome predicted = run("predict", "--model", run.resolve("model.safetensors").toString(), input.toString(), "--json");
        assertEquals(0, predicted.code(), predicted.err());
        assertEquals(5 + 1, predicted.out().strip().lines().count(), "a line per point, then the JSON line");
        List<Object> classes = (List<Object>) predicted.json().get("classes");

        Serve.Running serving = Serve.start(new String[] {"--model", run.toString(), "--port", "0", "--threads", "2"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try (serving) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(serving.server().uri().resolve("/predict"))
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("inputs", points)))).build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            Map<String, Object> answer = (Map<String, Object>) Json.parse(response.body());
            assertEquals(classes, answer.get("classes"), "the server and kiln predict agree");
        }

        Files.writeString(input, "x,y\n0.5,0.5\n0.1,high\n");
        assertOneLineError(run("predict", "--model", run.toString(), input.toString()), input + ":3: column 'y' (field 2): 'high' is not a number");
        Files.writeString(input, "x,y\n0.5,0.5\n0.1,NA\n");
        assertOneLineError(run("predict", "--model", run.toString(), input.toString()), input + ":3: value 1: missing (null)");
    }

    @Test
    void badUsageIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        assertOneLineError(run("predict", "image.png"), "--model RUN_DIR|FILE is required");
        assertOneLineError(run("predict", "--model", dir.toString()), "no INPUT file given");
        assertOneLineError(run("predict", "--model", dir.toString(), "image.png"), "no checkpoint at " + dir.resolve("model.safetensors"));
        assertOneLineError(run("predict", "--model", dir.toString(), "a.png", "b.png"), "unexpected argument 'b.png'");
        assertOneLineError(run("serve", "--model", dir.toString()), "--port P is required");
        assertOneLineError(run("serve", "--model", dir.toString(), "--port", "70000"), "port must be in [0, 65535], got 70000");
        assertOneLineError(run("eval", "--model", dir.toString()), "no checkpoint at " + dir.resolve("model.safetensors"));

        Path run = dir.resolve("run");
        assertEquals(0, run("train", "--dataset", "blobs", "--epochs", "1", "--threads", "1", "--out", run.toString()).code());
        assertOneLineError(run("predict", "--model", run.toString(), dir.resolve("absent.csv").toString()), "absent.csv: no such file");
        Path wide = Files.writeString(dir.resolve("wide.csv"), "a,b,c\n1,2,3\n");
        assertOneLineError(run("predict", "--model", run.toString(), wide.toString()), "3 columns; the model takes 2 numbers per row");
    }

    @Test
    void helpTextsNameTheEndpointsAndInputs() {
        CommandOutcome predict = run("predict", "--help");
        assertEquals(0, predict.code());
        assertTrue(predict.out().contains("usage: kiln predict --model RUN_DIR|FILE INPUT") && predict.out().contains("PNG"), predict.out());
        CommandOutcome serve = run("serve", "--help");
        assertEquals(0, serve.code());
        assertTrue(serve.out().contains("POST /predict") && serve.out().contains("GET  /metrics") && serve.out().contains("4194304"), serve.out());
        CommandOutcome eval = run("eval", "--help");
        assertTrue(eval.out().contains("--predictions F"), eval.out());
        CommandOutcome main = run("--help");
        assertTrue(main.out().contains("predict ") && main.out().contains("serve "), main.out());
    }
}

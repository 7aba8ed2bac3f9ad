package kiln.cli;

import static kiln.cli.CommandOutcome.number;
import static kiln.cli.CommandOutcome.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.nn.io.Json;

/** {@code kiln train} and {@code kiln eval} as a user runs them: exit codes, the JSON line, the run folder. */
class TrainCommandTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void trainsOnMoonsWritesTheRunFolderAndEvalReproducesTheTestAccuracy(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("run");
        CommandOutcome trained = run("train", "--dataset", "moons", "--model", "mlp:32,32", "--epochs", "8", "--lr", "0.01",
                "--batch", "64", "--seed", "3", "--threads", "1", "--out", runDir.toString(), "--json");
        assertEquals(0, trained.code(), trained.err());
        Map<String, Object> json = trained.json();
        assertTrue(number(json, "test_accuracy") >= 0.95, "moons test accuracy " + json.get("test_accuracy"));
        assertEquals(8, ((Number) json.get("epochs")).intValue());
        assertEquals(8, ((List<?>) json.get("epoch_seconds")).size());
        assertTrue(number(json, "samples_per_second") > 0);
        assertTrue(number(json, "best_val_accuracy") > 0.9);
        assertEquals(runDir.resolve("model.safetensors").toString(), json.get("checkpoint"));
        for (String file : List.of("model.safetensors", "metrics.csv", "config.json", "loss.png", "accuracy.png",
                "confusion.png", "classification_report.txt", "report.html")) {
            assertTrue(Files.size(runDir.resolve(file)) > 0, file);
        }
        assertEquals(1 + 8, Files.readAllLines(runDir.resolve("metrics.csv")).size(), "header and one row per epoch");

        CommandOutcome evaluated = run("eval", "--model", runDir.toString(), "--json");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertEquals(number(json, "test_accuracy"), number(evaluated.json(), "test_accuracy"), 0,
                "the checkpoint alone rebuilds the model, its scaling and its test set");
        assertEquals(number(json, "test_loss"), number(evaluated.json(), "test_loss"), 1e-12);
    }

    @Test
    void widthAndDropoutShapeTheModelAndTheCheckpointRebuildsIt(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("run");
        CommandOutcome trained = run("train", "--dataset", "blobs", "--model", "mlp:8", "--width", "2.5", "--dropout", "0.3", "--epochs", "2",
                "--threads", "1", "--out", runDir.toString(), "--json");
        assertEquals(0, trained.code(), trained.err());
        // mlp:8 at width 2.5 has 20 hidden units: 2·20 + 20 weights and biases in, 20·3 + 3 out, for 3 blobs in the plane.
        assertTrue(trained.err().contains("model mlp:8 width 2.5 dropout 0.3 (123 parameters)"), trained.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) Json.parse(Files.readString(runDir.resolve("config.json")));
        assertEquals(2.5, number(config, "width"));
        assertEquals(0.3, number(config, "dropout"));
        CommandOutcome evaluated = run("eval", "--model", runDir.toString(), "--json");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertEquals(number(trained.json(), "test_accuracy"), number(evaluated.json(), "test_accuracy"), 0,
                "the checkpoint's architecture holds the width and the Dropout layers");

        CommandOutcome badDropout = run("train", "--dataset", "blobs", "--dropout", "1", "--out", dir.resolve("x").toString());
        assertEquals(2, badDropout.code());
        assertTrue(badDropout.err().contains("--dropout must be in [0, 1), got 1"), badDropout.err());
        assertTrue(!Files.exists(dir.resolve("x")));
    }

    @Test
    void sameSeedSameResultWhateverTheThreadCount(@TempDir Path dir) {
        String[] common = {"train", "--dataset", "spirals", "--model", "mlp:64,64", "--epochs", "3", "--batch", "128", "--json"};
        CommandOutcome one = run(concat(common, "--threads", "1", "--out", dir.resolve("a").toString()));
        CommandOutcome two = run(concat(common, "--threads", "2", "--out", dir.resolve("b").toString()));
        assertEquals(0, one.code(), one.err());
        assertEquals(0, two.code(), two.err());
        assertEquals(number(one.json(), "test_loss"), number(two.json(), "test_loss"), 0);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void fashionMnistShortRunAndWarmStartFromAPyTorchFile(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FASHION_MNIST), "needs the Debian package dataset-fashion-mnist (.ci/run installs it)");
        CommandOutcome mlp = run("train", "--model", "mlp", "--epochs", "1", "--limit", "3000", "--threads", "2",
                "--out", dir.resolve("mlp").toString(), "--json");
        assertEquals(0, mlp.code(), mlp.err());
        assertTrue(number(mlp.json(), "test_accuracy") > 0.70, "one epoch on 2,700 images: " + mlp.json());
        assertTrue(mlp.err().contains("2,700 training / 300 validation / 10,000 test examples"), mlp.err());

        // A LeNet state dict written by PyTorch (numpy + json, tools/reference/make_checkpoint_goldens.py) starts training.
        Path pytorchLenet = Path.of("..", "nn", "src", "test", "resources", "golden", "checkpoints", "lenet.safetensors");
        CommandOutcome lenet = run("train", "--model", "lenet", "--init", pytorchLenet.toString(), "--epochs", "1", "--limit", "500",
                "--out", dir.resolve("lenet").toString(), "--json");
        assertEquals(0, lenet.code(), lenet.err());
        assertTrue(lenet.err().contains("initial weights from"), lenet.err());
    }

    @Test
    void trainsOnACsvFileWithACategoricalColumnAndQuotedClassNames(@TempDir Path dir) throws Exception {
        // Two numeric features and a colour; the class is "inside, \"near\"" when x² + y² < 1, else "outside".
        StringBuilder csv = new StringBuilder("x,y,colour,label\n");
        kiln.engine.Generator rng = new kiln.engine.Generator(11);
        for (int i = 0; i < 600; i++) {
            double x = 3 * rng.nextDouble() - 1.5;
            double y = 3 * rng.nextDouble() - 1.5;
            String colour = i % 3 == 0 ? "red" : i % 3 == 1 ? "green" : "blue";
            String label = x * x + y * y < 1 ? "\"inside, \"\"near\"\"\"" : "outside";
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%s,%s%n", x, y, colour, label));
        }
        Path file = dir.resolve("points.csv");
        Files.writeString(file, csv);
        Path runDir = dir.resolve("run");
        CommandOutcome trained = run("train", "--dataset", "csv:" + file, "--model", "mlp:32,32", "--epochs", "30", "--lr", "0.01",
                "--batch", "32", "--out", runDir.toString(), "--json");
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.err().contains("432 training / 48 validation / 120 test examples"), trained.err());
        assertTrue(number(trained.json(), "test_accuracy") >= 0.9, "a disc in the plane: " + trained.json());
        String report = Files.readString(runDir.resolve("classification_report.txt"));
        assertTrue(report.contains("inside, \"near\"") && report.contains("outside"), report);

        CommandOutcome evaluated = run("eval", "--model", runDir.resolve("model.safetensors").toString(), "--json");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertEquals(number(trained.json(), "test_accuracy"), number(evaluated.json(), "test_accuracy"), 0);
    }

    @Test
    void badInputIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        CommandOutcome unknown = run("train", "--dataset", "imagenet", "--out", dir.resolve("x").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown dataset 'imagenet' (known: fashion-mnist, csv:FILE"), unknown.err());
        assertTrue(!Files.exists(dir.resolve("x")), "a refused run leaves no run folder");

        CommandOutcome cnnOnPoints = run("train", "--dataset", "moons", "--model", "cnn", "--out", dir.resolve("y").toString());
        assertEquals(2, cnnOnPoints.code(), cnnOnPoints.err());
        assertTrue(!Files.exists(dir.resolve("y")), "a refused run leaves no run folder");

        CommandOutcome badSchedule = run("train", "--dataset", "moons", "--schedule", "cosin", "--out", dir.resolve("z").toString());
        assertEquals(2, badSchedule.code(), badSchedule.err());
        assertTrue(badSchedule.err().contains("--schedule must be none, cosine or onecycle, got 'cosin'"), badSchedule.err());
        assertTrue(!Files.exists(dir.resolve("z")), "a refused run leaves no run folder");

        CommandOutcome typo = run("train", "--epoch", "3");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("unknown option '--epoch'"), typo.err());

        CommandOutcome noModel = run("eval");
        assertEquals(2, noModel.code());
        assertTrue(noModel.err().contains("--model RUN_DIR|FILE is required"), noModel.err());

        Path corrupt = dir.resolve("broken.safetensors");
        Files.write(corrupt, new byte[] {1, 2, 3});
        CommandOutcome broken = run("eval", "--model", corrupt.toString());
        assertEquals(2, broken.code(), broken.err());
        assertEquals(1, broken.err().strip().lines().count(), broken.err());
    }

    /** 40 rows of two features near 1e15 and 1e14 (unscaled, they overflow float32 under a large step) and a 0/1 label. */
    static Path writeHugeCsv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 40; i++) {
            csv.append(i % 5).append("e15,").append(i % 3).append("e14,").append(i % 2).append('\n');
        }
        return Files.writeString(file, csv);
    }

    @Test
    void divergedTrainingIsOneReadableLineAndExitCode1(@TempDir Path dir) throws Exception {
        // Unscaled features near 1e15 and plain SGD at lr 10: the first step throws the weights to about 1e16, and
        // the second step's activations overflow float32 (32 training rows, batch 64: one step per epoch).
        Path file = writeHugeCsv(dir.resolve("huge.csv"));
        CommandOutcome nan = run("train", "--dataset", "csv:" + file, "--scale", "none", "--val-fraction", "0", "--batch", "64",
                "--optimizer", "sgd", "--momentum", "0", "--lr", "10", "--out", dir.resolve("run").toString());
        assertEquals(1, nan.code(), nan.err());
        String last = nan.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("kiln train: training diverged at epoch 2, step 2: the loss is NaN (output of layer '"), last);
        assertTrue(last.contains("is not finite). Try a smaller learning rate"), last);

        // A number beyond float32's range in the file is refused before training, with its line.
        Files.writeString(file, "x,label\n1,0\n1e39,1\n2,0\n3,1\n4,0\n5,1\n");
        CommandOutcome overflow = run("train", "--dataset", "csv:" + file, "--out", dir.resolve("run2").toString());
        assertEquals(2, overflow.code(), overflow.err());
        assertTrue(overflow.err().contains(":3:") && overflow.err().contains("'1e39' is beyond float32's range"), overflow.err());
    }

    @Test
    void helpListsTheOptions() {
        CommandOutcome help = run("train", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--model SPEC") && help.out().contains("lenet") && help.out().contains("--init FILE"), help.out());
    }
}

package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.data.prep.NumericColumn;
import kiln.nn.io.Json;
import kiln.nn.io.SafeTensors;

/** {@code kiln train --dataset csv:FILE} on a messy table: rows cleaned, columns prepared, the preparation stored and reused. */
class TableTrainingTest {
    @TempDir
    Path dir;

    /**
     * 600 customers: the class is "high" when 2·x + y + (3 if plan is gold) > 2, else "low". x misses 5% of
     * its values and holds a few typos of 999; plan misses some too; id is an identifier; every 20th row
     * is written twice.
     */
    private Path messyTable() throws IOException {
        Generator rng = new Generator(11);
        StringBuilder csv = new StringBuilder("id,x,y,plan,label\n");
        for (int i = 0; i < 600; i++) {
            double x = rng.nextGaussian();
            double y = rng.nextGaussian();
            String plan = List.of("bronze", "silver", "gold").get((int) rng.nextLong(3));
            String label = 2 * x + y + (plan.equals("gold") ? 3 : 0) > 2 ? "high" : "low";
            String xText = rng.nextDouble() < 0.05 ? "" : rng.nextDouble() < 0.01 ? "999" : String.format(Locale.ROOT, "%.4f", x);
            String row = String.format(Locale.ROOT, "u%d,%s,%.4f,%s,%s%n", i, xText, y, rng.nextDouble() < 0.03 ? "NA" : plan, label);
            csv.append(row);
            if (i % 20 == 0) {
                csv.append(row);
            }
        }
        return Files.writeString(dir.resolve("customers.csv"), csv.toString());
    }

    @Test
    void aMessyTableTrainsEndToEndAndEvalReusesTheStoredPreparation() throws IOException {
        Path file = messyTable();
        Path runDir = dir.resolve("run");
        CommandOutcome trained = CommandOutcome.run("train", "--dataset", "csv:" + file, "--target", "label", "--exclude", "id",
                "--missing", "median", "--outliers", "iqr", "--model", "mlp:32", "--epochs", "15", "--lr", "0.01",
                "--threads", "1", "--out", runDir.toString(), "--json");
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.err().contains("30 repeated row(s) left out"), trained.err());
        assertTrue(trained.err().contains("x: numeric, missing values filled with"), trained.err());
        assertTrue(trained.number("test_accuracy") >= 0.9, "test accuracy " + trained.json().get("test_accuracy"));

        // The checkpoint holds the fitted preparation: what predicting on new rows needs.
        Map<String, String> meta;
        try (SafeTensors.Contents contents = SafeTensors.read(runDir.resolve("model.safetensors"))) {
            meta = contents.metadata();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) Json.parse(meta.get("kiln.input"));
        assertEquals("table", input.get("type"));
        assertEquals("label", meta.get("kiln.target"));
        List<?> columns = (List<?>) input.get("columns");
        assertEquals(List.of("x", "y", "plan"), columns.stream().map(c -> ((Map<?, ?>) c).get("name")).toList());
        List<?> clip = (List<?>) ((Map<?, ?>) columns.getFirst()).get("clip");
        assertTrue(((Number) clip.get(1)).doubleValue() < 10, "999 is clipped by fences fitted on normal values: " + clip);

        CommandOutcome evaluated = CommandOutcome.run("eval", "--model", runDir.toString(), "--json");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertEquals(trained.number("test_accuracy"), evaluated.number("test_accuracy"), 0,
                "eval selects the same rows and prepares them with the stored fill values, bounds and categories");
        assertEquals(trained.number("test_loss"), evaluated.number("test_loss"), 1e-12);
    }

    @Test
    @SuppressWarnings("unchecked")
    void newRowsArePredictedFromAFileAndOverHttpWithTheStoredPreparation() throws Exception {
        Path runDir = dir.resolve("run");
        assertEquals(0, CommandOutcome.run("train", "--dataset", "csv:" + messyTable(), "--target", "label", "--exclude", "id",
                "--model", "mlp:32", "--epochs", "15", "--lr", "0.01", "--threads", "1", "--out", runDir.toString()).code());
        // Columns in another order, an extra column, a missing x (filled with the training mean), an unseen plan (filled
        // with the most frequent): rows far on either side of the rule 2x + y + 3·[gold] > 2.
        Path fresh = Files.writeString(dir.resolve("new.csv"), """
                plan,note,y,x
                gold,a,3,3
                bronze,b,-3,-3
                platinum,c,-3,-3
                gold,d,3,
                """);
        CommandOutcome predicted = CommandOutcome.run("predict", "--model", runDir.toString(), fresh.toString(), "--json");
        assertEquals(0, predicted.code(), predicted.err());
        assertEquals(List.of("high", "low", "low", "high"), predicted.json().get("predictions"), predicted.out());
        assertTrue(predicted.err().contains("column 'plan': platinum never seen in training, treated as missing values"),
                predicted.err());

        Serve.Running serving = Serve.start(new String[] {"--model", runDir.toString(), "--port", "0", "--threads", "2"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try (serving) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> good = post(client, serving, "{\"inputs\": [[3, 3, \"gold\"], [-3, -3, \"bronze\"], [null, 3, \"gold\"]]}");
            assertEquals(200, good.statusCode(), good.body());
            assertEquals(List.of("high", "low", "high"), ((Map<String, Object>) Json.parse(good.body())).get("predictions"));
            HttpResponse<String> bad = post(client, serving, "{\"inputs\": [[3, 3, \"gold\"], [\"tall\", 3, \"gold\"]]}");
            assertEquals(400, bad.statusCode());
            assertEquals("inputs[1]: column 'x': 'tall' is not a number", ((Map<String, Object>) Json.parse(bad.body())).get("error"));
        }
    }

    private static HttpResponse<String> post(HttpClient client, Serve.Running serving, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(serving.server().uri().resolve("/predict"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePreparationIsFittedOnTheTrainingSplitAlone() throws IOException {
        TableChoice choice = new TableChoice("label", TableChoice.DEFAULT_PREPARATION.exclude("id"), false);
        try (DataSource source = DataSource.load("csv:" + messyTable(), null, choice, 0);
             Prepared prepared = Prepared.of(source, 0.5, 0, "none", 0)) {
            NumericColumn x = (NumericColumn) prepared.table().columns().getFirst();
            // Gaps are filled with the mean, so a column's mean over the training split is that mean again.
            double trainMean = columnMean(prepared.train().features(), 0);
            double validationMean = columnMean(prepared.validation().features(), 0);
            assertTrue(Math.abs(trainMean - validationMean) > 1e-3, "the two halves differ, so the test can tell them apart");
            assertEquals(trainMean, x.fill(), 1e-4 * Math.abs(trainMean), "the fill is the training split's mean");
        }
    }

    private static double columnMean(Tensor features, int column) {
        float[] values = features.toFloatArray();
        int width = features.dim(1);
        double sum = 0;
        for (int row = 0; row < features.dim(0); row++) {
            sum += values[row * width + column];
        }
        return sum / features.dim(0);
    }

    @Test
    void dropLeavesOutTheRowsWithAGapBeforeSplitting() throws IOException {
        Path file = messyTable();
        CommandOutcome dropped = CommandOutcome.run("train", "--dataset", "csv:" + file, "--target", "label", "--exclude", "id",
                "--missing", "drop", "--model", "linear", "--epochs", "1", "--threads", "1", "--out", dir.resolve("drop").toString());
        assertEquals(0, dropped.code(), dropped.err());
        assertTrue(dropped.err().matches("(?s).*kiln train: \\d+ row\\(s\\) with a missing value left out \\(--missing drop\\).*"),
                dropped.err());
    }

    @Test
    void tableProblemsAreOneLineErrors() throws IOException {
        Path file = messyTable();
        CommandOutcome identifier = CommandOutcome.run("train", "--dataset", "csv:" + file, "--target", "label", "--epochs", "1");
        assertEquals(2, identifier.code());
        assertTrue(identifier.err().contains("column 'id' (field 1) holds"), identifier.err());
        assertTrue(identifier.err().contains("an identifier? exclude the column"), identifier.err());

        CommandOutcome refused = CommandOutcome.run("train", "--dataset", "csv:" + file, "--target", "label", "--exclude", "id",
                "--missing", "refuse", "--epochs", "1");
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("column 'x' (field 2) has"), refused.err());

        CommandOutcome badRule = CommandOutcome.run("train", "--dataset", "csv:" + file, "--missing", "average");
        assertEquals(2, badRule.code());
        assertTrue(badRule.err().contains("--missing values: expected refuse, drop, mean"), badRule.err());
    }
}

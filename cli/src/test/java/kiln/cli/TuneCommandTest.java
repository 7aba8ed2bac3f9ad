package kiln.cli;

import static kiln.cli.CommandOutcome.number;
import static kiln.cli.CommandOutcome.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln tune} as a user runs it, on the synthetic moons (a second or two per trial). */
class TuneCommandTest {

    /** trials.csv's rows below the header, split into cells (no cell of these runs holds a comma). */
    private static List<String[]> csvRows(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        assertEquals("rank,trial,lr,batch,width,weight_decay,dropout,epochs,val_accuracy,val_loss,best_epoch,seconds,failure", lines.getFirst());
        return lines.stream().skip(1).map(line -> line.split(",", -1)).toList();
    }

    @Test
    void gridRunsEveryCombinationAndTheDefaultRanksThemAndRetrainsTheBestReproducibly(@TempDir Path dir) throws Exception {
        Path tuneDir = dir.resolve("tune");
        CommandOutcome tuned = run("tune", "--dataset", "moons", "--model", "mlp:16", "--epochs", "3", "--search", "grid",
                "--lr", "0.003,0.03", "--width", "0.5,2", "--threads", "1", "--out", tuneDir.toString(), "--json");
        assertEquals(0, tuned.code(), tuned.err());

        List<String[]> rows = csvRows(tuneDir.resolve("trials.csv"));
        assertEquals(5, rows.size(), "the 2 × 2 grid and the default");
        Set<String> points = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            assertEquals(Integer.toString(i + 1), row[0]);
            points.add(row[1].equals("default") ? "default " + row[2] + " " + row[4] : row[2] + " " + row[4]);
            assertEquals("3", row[7], "every trial trains --epochs");
            if (i > 0) {
                double above = Double.parseDouble(rows.get(i - 1)[8]);
                double here = Double.parseDouble(row[8]);
                assertTrue(above > here || (above == here && Double.parseDouble(rows.get(i - 1)[9]) <= Double.parseDouble(row[9])),
                        "ranked by validation accuracy, then loss: row " + (i + 1));
            }
        }
        assertEquals(Set.of("default 0.001 1", "0.003 0.5", "0.003 2", "0.03 0.5", "0.03 2"), points);
        assertEquals(5, tuned.err().lines().filter(l -> l.startsWith("kiln tune: trial ")).count(), "one progress line per trial");

        // The table on stdout lists the trials in the CSV's order.
        List<String> table = tuned.out().lines().takeWhile(l -> !l.isBlank()).toList();
        assertTrue(table.getFirst().startsWith("rank  trial"), table.getFirst());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(List.of(rows.get(i)[0], rows.get(i)[1]), Arrays.asList(table.get(i + 1).strip().split(" +")).subList(0, 2));
        }

        Map<String, Object> json = tuned.json();
        assertEquals(rows.getFirst()[1], json.get("best_trial"));
        assertEquals(Double.parseDouble(rows.getFirst()[8]), number(json, "best_val_accuracy"), 1e-6);
        Path best = tuneDir.resolve("best");
        assertEquals(best.toString(), json.get("best_run_dir"));
        assertTrue(Files.size(best.resolve("model.safetensors")) > 0 && Files.size(best.resolve("report.html")) > 0);
        CommandOutcome evaluated = run("eval", "--model", best.toString(), "--json");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertEquals(number(json, "test_accuracy"), number(evaluated.json(), "test_accuracy"), 0, "kiln eval loads the best run");

        // The printed kiln train command trains the same model again: same validation score, same test score.
        String command = (String) json.get("command");
        assertTrue(tuned.out().contains("reproduce: " + command), tuned.out());
        List<String> args = new ArrayList<>(Arrays.asList(command.split(" ")));
        assertEquals(List.of("kiln", "train"), args.subList(0, 2));
        args.removeFirst();
        args.addAll(List.of("--threads", "1", "--out", dir.resolve("again").toString(), "--json"));
        CommandOutcome again = run(args.toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertEquals(number(json, "best_val_accuracy"), number(again.json(), "best_val_accuracy"), 0);
        assertEquals(number(json, "test_accuracy"), number(again.json(), "test_accuracy"), 0);
    }

    @Test
    void halvingRunsRungsOfGrowingEpochsAndTheTableShowsEachTrialsLastRung(@TempDir Path dir) throws Exception {
        Path tuneDir = dir.resolve("tune");
        CommandOutcome tuned = run("tune", "--dataset", "moons", "--model", "mlp:16", "--search", "halving", "--trials", "5", "--epochs", "4",
                "--eta", "2", "--lr", "loguniform(1e-3, 1e-1)", "--dropout", "uniform(0, 0.3)", "--threads", "1",
                "--out", tuneDir.toString(), "--json");
        assertEquals(0, tuned.code(), tuned.err());
        // Five drawn candidates and the default, which runs every rung as the reference: 5 + 1 for 1 epoch, the best
        // 2 + 1 for 2, the best 1 + 1 for 4 (--epochs).
        assertTrue(tuned.err().contains("kiln tune: rung 1/3: 6 trials for 1 epoch\n"), tuned.err());
        assertTrue(tuned.err().contains("kiln tune: rung 2/3: 3 trials for 2 epochs\n"), tuned.err());
        assertTrue(tuned.err().contains("kiln tune: rung 3/3: 2 trials for 4 epochs\n"), tuned.err());
        assertEquals(11, tuned.err().lines().filter(l -> l.startsWith("kiln tune: trial ")).count());

        List<String[]> rows = csvRows(tuneDir.resolve("trials.csv"));
        assertEquals(6, rows.size(), "one row per candidate");
        assertEquals(List.of("1", "1", "1", "2", "4", "4"), rows.stream().map(r -> r[7]).sorted().toList());
        for (String[] row : rows) {
            double lr = Double.parseDouble(row[2]);
            double dropout = Double.parseDouble(row[6]);
            assertTrue(row[1].equals("default") ? lr == 1e-3 && dropout == 0 : lr >= 1e-3 && lr <= 0.1 && dropout <= 0.3,
                    String.join(",", row));
        }
        Map<String, Object> json = tuned.json();
        String bestEpochs = rows.getFirst()[7];
        assertEquals(Integer.parseInt(bestEpochs), ((Number) ((Map<?, ?>) json.get("best")).get("epochs")).intValue());
        String config = Files.readString(tuneDir.resolve("best").resolve("config.json"));
        assertTrue(config.contains("\"epochs\": " + bestEpochs), "retrained for the best trial's budget: " + config);
    }

    @Test
    void trialsWhoseNumbersBlowUpAreReportedAndRankedLastWithoutStoppingTheSearch(@TempDir Path dir) throws Exception {
        // Unscaled features near 1e15 and plain SGD: at lr 10 the first step throws the weights to about 1e16 and the
        // next forward pass overflows float32 (see TrainCommandTest); at lr 0 the weights never move and nothing overflows.
        Path file = TrainCommandTest.writeHugeCsv(dir.resolve("huge.csv"));
        Path tuneDir = dir.resolve("tune");
        CommandOutcome tuned = run("tune", "--dataset", "csv:" + file, "--scale", "none", "--optimizer", "sgd", "--momentum", "0",
                "--search", "grid", "--lr", "0,10", "--batch", "64", "--epochs", "3", "--out", tuneDir.toString());
        assertEquals(0, tuned.code(), tuned.err());
        List<String[]> rows = csvRows(tuneDir.resolve("trials.csv"));
        assertEquals(3, rows.size(), "lr 0, lr 10 and the default");
        assertEquals(List.of("0", ""), List.of(rows.getFirst()[2], rows.getFirst()[12]), "lr 0 is scored and ranks first");
        String[] blownUp = rows.stream().filter(r -> r[2].equals("10")).findFirst().orElseThrow();
        assertTrue(blownUp[12].startsWith("diverged (epoch"), blownUp[12]);
        assertEquals("", blownUp[8], "no score");
        assertTrue(rows.indexOf(blownUp) > 0 && rows.stream().skip(rows.indexOf(blownUp)).allMatch(r -> !r[12].isEmpty()),
                "failed trials rank below every scored one");
        assertTrue(tuned.err().lines().anyMatch(l -> l.contains("(1): lr 10 batch 64") || l.contains("(2): lr 10 batch 64")), tuned.err());
        assertTrue(Files.exists(tuneDir.resolve("best").resolve("model.safetensors")), "the best scored trial is retrained");

        // With nothing scored there is nothing to retrain: exit code 1, one line saying so, the table kept.
        Path allFailed = dir.resolve("all-failed");
        CommandOutcome none = run("tune", "--dataset", "csv:" + file, "--scale", "none", "--optimizer", "sgd", "--momentum", "0",
                "--search", "grid", "--lr", "10", "--batch", "64", "--epochs", "3", "--out", allFailed.toString());
        assertEquals(1, none.code(), none.err());
        String last = none.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("kiln tune: every trial failed (the first: "), last);
        assertEquals(2, csvRows(allFailed.resolve("trials.csv")).size());
        assertFalse(Files.exists(allFailed.resolve("best")));
    }

    @Test
    void badUsageIsOneLineExitCode2AndLeavesNoFolder(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("space.txt");
        Files.writeString(spec, "lr = 1e-3\nbatch: 64\n");
        String[][] cases = {
                {"--search", "bayes"}, {"--val-fraction", "0"}, {"--search", "grid", "--trials", "3"},
                {"--lr", "loguniform(0, 1)"}, {"--search", "grid", "--dropout", "uniform(0, 0.5)"},
                {"--spec", dir.resolve("missing.txt").toString()}, {"--spec", spec.toString()},
                {"--search", "halving", "--epochs", "5", "--min-epochs", "6"}, {"--model", "linear", "--dropout", "0.5"},
                {"--batch", "64,x"}, {"--search", "random", "--eta", "2"}};
        String[] messages = {
                "--search must be grid, random or halving, got 'bayes'",
                "trials are scored on a validation split: --val-fraction must be above 0",
                "--trials does not apply to grid search, which runs every combination",
                "--lr loguniform(LOW, HIGH) needs 0 < LOW < HIGH, got loguniform(0, 1)",
                "grid search enumerates lists, but dropout is uniform(0, 0.5)",
                "missing.txt: no such spec file",
                "space.txt:2: expected 'name = values', got 'batch: 64'",
                "--min-epochs must be in [1, --epochs = 5], got 6",
                "linear has no hidden layer to widen or drop out",
                "--batch must be an integer, got 'x'",
                "--eta and --min-epochs apply to --search halving only"};
        for (int i = 0; i < cases.length; i++) {
            Path out = dir.resolve("run" + i);
            List<String> args = new ArrayList<>(List.of("tune", "--dataset", "moons", "--epochs", "1", "--out", out.toString()));
            args.addAll(List.of(cases[i]));
            CommandOutcome refused = run(args.toArray(String[]::new));
            assertEquals(2, refused.code(), String.join(" ", cases[i]) + ": " + refused.err());
            List<String> errorLines = refused.err().lines().filter(l -> !l.startsWith("kiln tune: moons,")).toList();
            assertEquals(1, errorLines.size(), refused.err());
            assertTrue(errorLines.getFirst().startsWith("kiln tune: ") && errorLines.getFirst().contains(messages[i]), refused.err());
            assertFalse(Files.exists(out), "a refused search leaves no folder: " + String.join(" ", cases[i]));
        }
    }

    @Test
    void helpDescribesTheSearchesAndTheSpecFile() {
        CommandOutcome help = run("tune", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--search KIND") && help.out().contains("loguniform(1e-4,1e-2)")
                && help.out().contains("'name = values'"), help.out());
        CommandOutcome all = run("--help");
        assertTrue(all.out().contains("tune "), all.out());
    }
}

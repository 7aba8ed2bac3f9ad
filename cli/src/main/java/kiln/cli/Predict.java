package kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.kernels.cpu.Parallel;
import kiln.nn.data.prep.InvalidRowException;
import kiln.nn.deploy.InputFile;
import kiln.nn.deploy.Prediction;
import kiln.nn.deploy.PredictionsCsv;
import kiln.nn.deploy.Predictor;
import kiln.nn.deploy.TableEncoder;
import kiln.nn.io.Json;

/**
 * {@code kiln predict}: the class of every example of a file (IDX images, a PNG, a CSV table), by a
 * model saved by {@code kiln train}, with the checkpoint's own input encoding and scaling.
 */
final class Predict {
    private static final String HELP = """
            usage: kiln predict --model RUN_DIR|FILE INPUT [options]

            Predicts the class of every example in INPUT with a model saved by kiln train (the checkpoint
            says how raw inputs are encoded and scaled) and prints one line per example: its index, the
            predicted class and that class's probability.

            INPUT is recognized by its first bytes:
              IDX images     as Fashion-MNIST stores them (e.g. t10k-images-idx3-ubyte.gz), one example each
              PNG/JPEG/GIF   one image; made gray and resized to the model's size if needed (noted on stderr)
              CSV            a header, then one example per row; the model's target column, if there, is left out

              --model PATH      run folder or .safetensors file (required)
              --limit N         only the first N examples
              --out FILE.csv    also write index, predicted_class, predicted_name, probability as CSV
              --threads N       compute threads (default: all cores)
              --json            end with one JSON line: predictions (names), classes, probabilities""";

    /** Examples per forward pass: bounds memory on large files. */
    private static final int BATCH = 1000;

    private Predict() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Options o = new Options("predict").value("model").value("limit").value("out").value("threads").flag("json").positionals(1);
        if (!o.parse(args)) {
            out.println(HELP);
            return 0;
        }
        if (!o.has("model")) {
            throw new Main.UsageException("--model RUN_DIR|FILE is required (try: kiln predict --help)");
        }
        if (o.positionals().isEmpty()) {
            throw new Main.UsageException("no INPUT file given: an IDX file of images, a PNG or a CSV file (try: kiln predict --help)");
        }
        int limit = o.integer("limit", Integer.MAX_VALUE, 1);
        Parallel.setThreads(Train.threads(o));
        try (Predictor predictor = Predictor.load(o.path("model"))) {
            InputFile input = InputFile.read(Path.of(o.positionals().getFirst()), predictor.encoder(),
                    predictor.metadata().get("kiln.target"), note -> err.println("kiln predict: " + note));
            int n = Math.min(limit, input.size());
            if (predictor.encoder() instanceof TableEncoder table) {
                table.preparation().unseenCategories(input.rows(0, n)).forEach((column, values) -> err.println("kiln predict: column '"
                        + column + "': " + String.join(", ", values) + " never seen in training, treated as missing values"));
            }
            int[] classes = new int[n];
            double[][] probabilities = new double[n][];
            int nameWidth = predictor.classNames().stream().mapToInt(String::length).max().orElse(0);
            for (int from = 0; from < n; from += BATCH) {
                Prediction batch = predict(predictor, input, from, Math.min(n, from + BATCH));
                for (int i = 0; i < batch.size(); i++) {
                    classes[from + i] = batch.classes()[i];
                    probabilities[from + i] = batch.probabilities()[i];
                    out.printf(Locale.ROOT, "%d  %-" + nameWidth + "s  %.4f%n", from + i, batch.names().get(i), batch.probability(i));
                }
            }
            if (o.has("out")) {
                PredictionsCsv.write(o.path("out"), predictor.classNames(), null, classes, probabilities);
                err.println("kiln predict: " + n + " predictions written to " + o.path("out"));
            }
            if (o.has("json")) {
                out.println(Json.write(json(predictor, input, classes, probabilities)));
            }
        }
        return 0;
    }

    /** One batch; a refused row is reported where it is in the file (its CSV line, its IDX index). */
    private static Prediction predict(Predictor predictor, InputFile input, int from, int to) {
        try {
            return predictor.predict(input.rows(from, to));
        } catch (InvalidRowException e) {
            throw e.row() < 0 ? e : new IllegalArgumentException(input.where(from + e.row()) + ": " + e.problem());
        }
    }

    private static Map<String, Object> json(Predictor predictor, InputFile input, int[] classes, double[][] probabilities) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", predictor.checkpoint().toString());
        json.put("input", input.file().toString());
        json.put("examples", classes.length);
        json.put("predictions", Arrays.stream(classes).mapToObj(predictor.classNames()::get).toList());
        json.put("classes", Arrays.stream(classes).boxed().toList());
        List<List<Double>> rows = new ArrayList<>(probabilities.length);
        for (double[] row : probabilities) {
            rows.add(Arrays.stream(row).boxed().toList());
        }
        json.put("probabilities", rows);
        return json;
    }
}

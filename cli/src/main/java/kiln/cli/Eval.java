package kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.kernels.cpu.Parallel;
import kiln.nn.data.DataLoader;
import kiln.nn.data.FeatureScaler;
import kiln.nn.data.TensorDataset;
import kiln.nn.data.prep.TablePreparation;
import kiln.nn.data.prep.TargetClasses;
import kiln.nn.deploy.PredictionsCsv;
import kiln.nn.deploy.Predictor;
import kiln.nn.deploy.TableEncoder;
import kiln.nn.io.Json;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.metrics.ClassificationReport;
import kiln.nn.metrics.ConfusionMatrix;
import kiln.nn.train.Evaluation;
import kiln.nn.train.Trainer;

/**
 * {@code kiln eval}: rebuilds a model from its checkpoint alone (architecture, weights, preprocessing and
 * class names are all in the file's metadata) and evaluates it on the test set of its dataset, optionally
 * writing every test example's prediction as CSV.
 */
final class Eval {
    private static final String HELP = """
            usage: kiln eval --model RUN_DIR|FILE [options]

            Loads a checkpoint written by kiln train (a run folder or its model.safetensors), rebuilds the
            model and its preprocessing from the file alone, and reports accuracy, loss, the confusion
            matrix and a classification report on the test set of the dataset it was trained on.

              --model PATH      run folder or .safetensors file (required)
              --dataset SPEC    evaluate on another dataset of the same shape (%s)
              --data DIR        folder holding the Fashion-MNIST files
              --target COLUMN   csv: the class column (default: the one the model was trained on)
              --predictions F   write every test example's index, true class, predicted class and that
                                class's probability to the CSV file F
              --threads N       compute threads (default: all cores)
              --json            end with one JSON line of results on stdout""";

    private Eval() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Options o = new Options("eval").value("model").value("dataset").value("data").value("target").value("predictions")
                .value("threads").flag("json");
        if (!o.parse(args)) {
            out.println(String.format(Locale.ROOT, HELP, DataSource.SPECS));
            return 0;
        }
        if (!o.has("model")) {
            throw new Main.UsageException("--model RUN_DIR|FILE is required (try: kiln eval --help)");
        }
        Parallel.setThreads(Train.threads(o));
        try (Predictor predictor = Predictor.load(o.path("model"))) {
            Path file = predictor.checkpoint();
            Map<String, String> meta = predictor.metadata();
            String spec = o.string("dataset", meta.get("kiln.dataset"));
            if (spec == null) {
                throw new Main.UsageException(file + " does not name its dataset (kiln.dataset): pass --dataset");
            }
            long seed;
            try {
                seed = Long.parseLong(meta.getOrDefault("kiln.seed", "0"));
            } catch (NumberFormatException e) {
                throw new Main.UsageException(file + ": the metadata entry kiln.seed is malformed (" + e.getMessage() + ")");
            }
            TablePreparation table = predictor.encoder() instanceof TableEncoder encoder ? encoder.preparation() : null;
            // The same choices as in training select the same rows, and so the same test set.
            TableChoice choice = new TableChoice(o.string("target", meta.get("kiln.target")),
                    table == null ? TableChoice.DEFAULT_PREPARATION : table.options(), "true".equals(meta.get("kiln.keep_duplicates")));
            List<String> classes = predictor.classNames();
            try (DataSource source = DataSource.load(spec, o.path("data"), choice, seed);
                 TensorDataset prepared = table == null ? null : preparedTest(source, table, classes);
                 TensorDataset test = scaled(prepared != null ? prepared : source.test(), predictor.scaler())) {
                Evaluation ev = Trainer.evaluate(predictor.model(), new CrossEntropyLoss(), DataLoader.builder(test).batchSize(1000).build());
                ConfusionMatrix matrix = ConfusionMatrix.of(ev.labels(), ev.predictions(), classes.size());
                out.printf(Locale.ROOT, "%s on %s: %,d test examples, accuracy %.2f%%, loss %.4f%n%n", file, spec,
                        ev.examples(), 100 * ev.accuracy(), ev.loss());
                out.println(ClassificationReport.of(matrix, classes));
                out.println(matrix.format(classes));
                if (o.has("predictions")) {
                    PredictionsCsv.write(o.path("predictions"), classes, ev.labels(), ev.predictions(), ev.probabilities());
                    out.printf(Locale.ROOT, "predictions: %s (%,d rows: index, true class, predicted class, probability)%n",
                            o.path("predictions"), ev.examples());
                }
                if (o.has("json")) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("test_accuracy", ev.accuracy());
                    json.put("test_loss", ev.loss());
                    json.put("examples", ev.examples());
                    json.put("dataset", spec);
                    json.put("checkpoint", file.toString());
                    if (o.has("predictions")) {
                        json.put("predictions", o.path("predictions").toString());
                    }
                    out.println(Json.write(json));
                }
            }
        }
        return 0;
    }

    /**
     * The test rows of a table, prepared as in training (the saved fill values, bounds and categories), each
     * labelled by the model's own class list: another file's classes may be fewer, or in another order.
     */
    private static TensorDataset preparedTest(DataSource source, TablePreparation table, List<String> modelClasses) {
        if (source.table() == null) {
            throw new Main.UsageException("the model was trained on a table (" + String.join(", ", table.inputColumns())
                    + "); evaluate it on a csv: dataset");
        }
        TableRows rows = source.table();
        TableRows asTrained = new TableRows(rows.table(), rows.target(), rows.poolRows(), rows.testRows(),
                new TargetClasses(modelClasses), rows.options());
        return asTrained.dataset(table, rows.testRows());
    }

    /** The test set scaled as the training split was ({@code scaler} fitted on it; null: unscaled), as a new dataset. */
    private static TensorDataset scaled(TensorDataset test, FeatureScaler scaler) {
        return scaler == null ? DataSource.copy(test) : scaler.transform(test);
    }
}

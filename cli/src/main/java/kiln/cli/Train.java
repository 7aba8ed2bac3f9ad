package kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import kiln.engine.Backends;
import kiln.engine.Device;
import kiln.kernels.cpu.Parallel;
import kiln.nn.Module;
import kiln.nn.data.DataLoader;
import kiln.nn.deploy.InputEncoder;
import kiln.nn.io.AtomicFiles;
import kiln.nn.io.Checkpoint;
import kiln.nn.io.Json;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.models.ModelZoo;
import kiln.nn.train.BestCheckpoint;
import kiln.nn.train.Callback;
import kiln.nn.train.Evaluation;
import kiln.nn.train.MetricsCsv;
import kiln.nn.train.OverfittingMonitor;
import kiln.nn.train.ProgressBar;
import kiln.nn.train.RunReport;
import kiln.nn.train.TrainResult;
import kiln.nn.train.Trainer;

/**
 * {@code kiln train}: data → split → scaling fitted on the training split → model → training with
 * validation → the best checkpoint → test evaluation → a run folder with metrics, plots and a report.
 */
final class Train {
    private static final String HELP = """
            usage: kiln train [options]

            Trains a classifier, keeps the weights of the best validation epoch, evaluates them on the
            test set and writes a run folder: model.safetensors, metrics.csv, loss.png, accuracy.png,
            confusion.png, classification_report.txt, report.html, config.json.

            data
              --dataset SPEC       %s (default fashion-mnist)
              --data DIR           folder holding the Fashion-MNIST files (else $KILN_DATA, the Debian
                                   package dataset-fashion-mnist, or a verified download)
%s
              --val-fraction F     share of the training data held out for validation (default 0.1)
              --limit N            train on a stratified sample of N examples (quick runs)
              --scale KIND         standard, minmax or none, fitted on the training split (default standard)
              --augment            random crop (padding 2) and horizontal flip for images
              --no-shuffle         keep the training order fixed
            model and optimization
              --model SPEC         %s (default mlp)
              --width X            multiply the model's hidden sizes (and LeNet's filters) by X (default 1)
              --dropout P          add Dropout(P) layers: after each hidden ReLU (mlp), before each hidden
                                   Linear (lenet, cnn) (default 0: none)
              --init FILE          start from the weights of a safetensors file with PyTorch names
              --epochs N           (default 10)
              --batch N            (default 128)
              --optimizer NAME     adam, adamw, sgd, rmsprop, adagrad (default adam)
              --lr X               learning rate (default 1e-3)
              --weight-decay X     (default 0; adamw 0.01)
              --momentum X         sgd and rmsprop (default 0.9 for sgd)
              --schedule NAME      cosine (decay to 0 over the run, per step), onecycle or none (default cosine)
              --clip X             clip the gradients' global norm to X
              --patience N         tolerate N epochs in a row without a better validation accuracy, then stop
              --class-weights W    none or balanced: weigh each class's loss by n / (k * n_c) over the training
                                   split, for imbalanced classes (default none)
            run
              --seed N             (default 0)
              --threads N          compute threads (default: all cores)
              %s
              --out DIR            run folder (default runs/DATASET-MODEL-TIME)
              --json               end with one JSON line of results on stdout""";

    private Train() {}

    static String help() {
        String models = ModelZoo.names().entrySet().stream().map(e -> e.getKey()).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, HELP, DataSource.SPECS, TableChoice.HELP, models, DeviceChoice.HELP);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Options o = DeviceChoice.declare(Recipe.declare(DataChoice.declare(new Options("train")))).value("threads").value("out").flag("json");
        if (!o.parse(args)) {
            out.println(help());
            return 0;
        }
        Device device = DeviceChoice.from(o);
        DataChoice data = DataChoice.from(o);
        Recipe recipe = Recipe.from(o);
        int threads = threads(o);
        Parallel.setThreads(threads);
        Path runDir = o.has("out") ? o.path("out") : defaultFolder("", data, recipe);
        try (DataSource source = data.load(recipe.seed()); Prepared prepared = data.prepare(source, recipe.seed())) {
            describeData(source, prepared, "kiln train", err);
            Finished run = trainInto(runDir, data, source, prepared, recipe, device, threads, "kiln train", err);
            out.printf(Locale.ROOT, "test accuracy %.2f%% (loss %.4f) with the weights of epoch %d%s%n", 100 * run.tested().accuracy(),
                    run.tested().loss(), run.bestEpoch(), Double.isNaN(run.result().bestValidationAccuracy())
                            ? " (the last one: no validation set)"
                            : String.format(Locale.ROOT, " (validation accuracy %.2f%%)", 100 * run.result().bestValidationAccuracy()));
            out.println("run folder: " + runDir + " (report.html, model.safetensors, metrics.csv)");
            if (o.has("json")) {
                out.println(Json.write(run.results()));
            }
            return 0;
        }
    }

    /** What was done to the data before training: rows left out, and how each column of a table was prepared. */
    static void describeData(DataSource source, Prepared prepared, String verb, PrintStream log) {
        source.notes().forEach(note -> log.println(verb + ": " + note));
        if (prepared.table() != null) {
            log.println(verb + ": columns prepared on the training split:");
            prepared.table().describe().forEach(line -> log.println("  " + line));
        }
    }

    /** {@code --threads N}, all cores by default. */
    static int threads(Options o) {
        return o.integer("threads", Runtime.getRuntime().availableProcessors(), 1);
    }

    /** runs/PREFIXDATASET-MODEL-TIME, with characters that do not belong in a file name replaced. */
    static Path defaultFolder(String prefix, DataChoice data, Recipe recipe) {
        return Path.of("runs", prefix + data.dataset().replaceAll("[^A-Za-z0-9.-]", "_") + "-"
                + recipe.model().replaceAll("[^A-Za-z0-9.-]", "_") + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /**
     * A finished {@code kiln train} run.
     *
     * @param tested    the test set's evaluation of the best epoch's weights
     * @param bestEpoch the epoch whose weights the checkpoint holds
     * @param results   what {@code --json} prints (test accuracy and loss, best validation accuracy, epochs, timings, paths)
     */
    record Finished(TrainResult result, Evaluation tested, int bestEpoch, Map<String, Object> results) {}

    /**
     * Trains {@code recipe} on prepared data into the run folder {@code runDir}: progress on {@code log}
     * (its lines start with {@code verb}), the checkpoint of the best validation epoch, metrics.csv,
     * config.json, the test evaluation of that checkpoint, and the report. The folder is created only once
     * the model and the options are known good, so a refused run leaves none.
     */
    static Finished trainInto(Path runDir, DataChoice data, DataSource source, Prepared prepared, Recipe recipe, Device device,
                              int threads, String verb, PrintStream log) throws IOException {
        try (TrainingRun run = new TrainingRun(source, prepared, recipe, device)) {
            Module model = run.model();
            if (recipe.init() != null) {
                log.println(verb + ": initial weights from " + recipe.init());
            }
            log.printf(Locale.ROOT, "%s: %s, %,d training / %,d validation / %,d test examples; model %s (%,d parameters); %s%n",
                    verb, data.dataset(), prepared.train().size(), prepared.validation() == null ? 0 : prepared.validation().size(),
                    prepared.test().size(), recipe.modelDescription(), model.parameterCount(),
                    device.equals(Device.CPU) ? threads + " threads" : Backends.of(device).describe());

            Map<String, String> metadata = metadata(data, recipe, source, prepared);
            Path checkpoint = runDir.resolve("model.safetensors");
            BestCheckpoint best = run.validates() ? new BestCheckpoint(checkpoint, run.monitor(), metadata)
                    : BestCheckpoint.everyEpoch(checkpoint, metadata);
            OverfittingMonitor overfitting = OverfittingMonitor.standard(log);
            List<Callback> callbacks = List.of(new ProgressBar(log), overfitting, best, new MetricsCsv(runDir.resolve("metrics.csv")));

            Files.createDirectories(runDir);
            log.println(verb + ": run folder " + runDir);
            Map<String, Object> config = config(data, recipe, model, prepared, device, threads);
            AtomicFiles.write(runDir.resolve("config.json"), (Json.writePretty(config) + "\n").getBytes(StandardCharsets.UTF_8));

            TrainResult result = run.fit(callbacks);
            Checkpoint.loadWeights(checkpoint, model);                  // test the best epoch's weights, as saved
            Evaluation tested = Trainer.evaluate(model, new CrossEntropyLoss(), DataLoader.builder(prepared.test()).batchSize(1000).build());

            Map<String, Object> results = new LinkedHashMap<>();
            results.put("test_accuracy", tested.accuracy());
            results.put("test_loss", finiteOrNull(tested.loss()));
            results.put("best_val_accuracy", finiteOrNull(result.bestValidationAccuracy()));   // null without validation
            results.put("best_epoch", best.bestEpoch());
            results.put("epochs", result.epochs());
            results.put("epoch_seconds", Arrays.stream(result.epochSeconds()).map(s -> Math.round(s * 1000) / 1000.0).boxed().toList());
            results.put("samples_per_second", Math.round(result.samplesPerSecond()));
            results.put("checkpoint", checkpoint.toString());
            results.put("run_dir", runDir.toString());
            if (result.stopReason() != null) {
                results.put("stopped_early", result.stopReason());
            }
            RunReport.write(runDir, data.dataset() + " · " + recipe.modelDescription() + " · seed " + recipe.seed(), config, results,
                    result.history(), best.bestEpoch(), tested, source.classNames(), overfitting.warnings());
            return new Finished(result, tested, best.bestEpoch(), results);
        }
    }

    /** JSON has no NaN: a figure that does not exist (no validation set, say) is written as null. */
    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** What a checkpoint must carry so that one file is enough to rebuild the model and its input pipeline. */
    private static Map<String, String> metadata(DataChoice data, Recipe recipe, DataSource source, Prepared prepared) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kiln.dataset", data.dataset());
        m.put("kiln.model", recipe.model());
        m.put("kiln.input_shape", Json.write(Arrays.stream(prepared.featureShape()).boxed().toList()));
        m.put("kiln.classes", Json.write(source.classNames()));
        m.put("kiln.seed", Long.toString(recipe.seed()));
        m.put("kiln.val_fraction", Double.toString(data.valFraction()));
        if (prepared.table() != null) {   // the fitted preparation is how new rows become the model's input
            m.put("kiln.target", prepared.table().target());
            m.put(InputEncoder.METADATA_KEY, Json.write(prepared.table().config()));
            if (data.table().keepDuplicates()) {
                m.put("kiln.keep_duplicates", "true");   // kiln eval must select the same rows, and so the same test set
            }
        }
        if (prepared.scaler() != null) {
            m.put("kiln.preprocessing", Json.write(prepared.scaler().config()));
        }
        return m;
    }

    private static Map<String, Object> config(DataChoice data, Recipe recipe, Module model, Prepared prepared, Device device, int threads) {
        Hyperparameters h = recipe.hyper();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("dataset", data.dataset());
        c.put("model", recipe.model());
        c.put("width", h.width());
        c.put("dropout", h.dropout());
        c.put("parameters", model.parameterCount());
        c.put("train_examples", prepared.train().size());
        c.put("validation_examples", prepared.validation() == null ? 0 : prepared.validation().size());
        c.put("test_examples", prepared.test().size());
        c.put("scaling", prepared.scaler() == null ? "none"
                : prepared.scaler().config().get("type") + " (" + prepared.scaler().config().get("scope") + ")");
        c.put("optimizer", recipe.optimizer());
        c.put("lr", h.lr());
        c.put("weight_decay", h.weightDecay());
        c.put("schedule", recipe.schedule());
        c.put("epochs", recipe.epochs());
        c.put("batch", h.batch());
        c.put("augment", recipe.augment());
        c.put("shuffle", recipe.shuffle());
        c.put("init", recipe.init() != null ? recipe.init().toString() : "none");
        c.put("class_weights", recipe.balanced() ? "balanced" : "none");
        c.put("seed", recipe.seed());
        c.put("device", device.toString());
        c.put("threads", threads);
        return c;
    }
}

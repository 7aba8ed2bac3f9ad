package kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import kiln.engine.Generator;
import kiln.kernels.cpu.Parallel;
import kiln.nn.Module;
import kiln.nn.data.BatchTransform;
import kiln.nn.data.ClassLabels;
import kiln.nn.data.Compose;
import kiln.nn.data.DataLoader;
import kiln.nn.data.Dataset;
import kiln.nn.data.FeatureScaler;
import kiln.nn.data.HorizontalFlip;
import kiln.nn.data.RandomCrop;
import kiln.nn.data.Split;
import kiln.nn.data.Subset;
import kiln.nn.data.TensorDataset;
import kiln.nn.data.prep.TablePreparation;
import kiln.nn.io.Checkpoint;
import kiln.nn.io.Json;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.models.ModelZoo;
import kiln.nn.optim.Adagrad;
import kiln.nn.optim.Adam;
import kiln.nn.optim.AdamW;
import kiln.nn.optim.CosineAnnealingLR;
import kiln.nn.optim.OneCycleLR;
import kiln.nn.optim.Optimizer;
import kiln.nn.optim.RMSprop;
import kiln.nn.optim.SGD;
import kiln.nn.io.AtomicFiles;
import kiln.nn.train.BestCheckpoint;
import kiln.nn.train.Callback;
import kiln.nn.train.EarlyStopping;
import kiln.nn.train.Evaluation;
import kiln.nn.train.MetricsCsv;
import kiln.nn.train.Monitor;
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
            run
              --seed N             (default 0)
              --threads N          compute threads (default: all cores)
              --out DIR            run folder (default runs/DATASET-MODEL-TIME)
              --json               end with one JSON line of results on stdout""";

    private Train() {}

    static String help() {
        String models = ModelZoo.names().entrySet().stream().map(e -> e.getKey()).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, HELP, DataSource.SPECS, TableChoice.HELP, models);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Options o = TableChoice.declare(new Options("train")).value("dataset").value("data").value("val-fraction")
                .value("limit").value("scale").flag("augment").flag("no-shuffle").value("model").value("init")
                .value("epochs").value("batch").value("optimizer").value("lr").value("weight-decay").value("momentum")
                .value("schedule").value("clip").value("patience").value("seed").value("threads").value("out").flag("json");
        if (!o.parse(args)) {
            out.println(help());
            return 0;
        }
        String datasetSpec = o.string("dataset", "fashion-mnist");
        String modelSpec = o.string("model", "mlp");
        int epochs = o.integer("epochs", 10, 1);
        int batchSize = o.integer("batch", 128, 1);
        long seed = o.longValue("seed", 0);
        int threads = o.integer("threads", Runtime.getRuntime().availableProcessors(), 1);
        double valFraction = o.number("val-fraction", 0.1, 0, 0.9);
        String optimizerName = o.string("optimizer", "adam");
        double lr = o.number("lr", 1e-3, 0, 10);
        String scale = o.string("scale", "standard");
        Parallel.setThreads(threads);

        Path runDir = o.has("out") ? o.path("out") : Path.of("runs", datasetSpec.replaceAll("[^A-Za-z0-9.-]", "_") + "-"
                + modelSpec.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Generator rng = new Generator(seed);
        try (DataSource source = DataSource.load(datasetSpec, o.path("data"), TableChoice.from(o), seed);
             Prepared data = prepare(source, valFraction, o.has("limit") ? o.integer("limit", 0, 10) : 0, scale, seed);
             Module model = buildModel(modelSpec, data.train().featureShape(), source.classNames().size(), rng)) {
            source.notes().forEach(note -> err.println("kiln train: " + note));
            if (data.table() != null) {
                err.println("kiln train: columns prepared on the training split:");
                data.table().describe().forEach(line -> err.println("  " + line));
            }
            if (o.has("init")) {
                Checkpoint.loadWeights(o.path("init"), model);
                err.println("kiln train: initial weights from " + o.path("init"));
            }
            err.printf(Locale.ROOT, "kiln train: %s, %,d training / %,d validation / %,d test examples; model %s (%,d parameters); %d threads%n",
                    datasetSpec, data.train.size(), data.validation == null ? 0 : data.validation.size(), data.test.size(),
                    modelSpec, model.parameterCount(), threads);

            Optimizer optimizer = optimizer(optimizerName, model, lr, o);
            DataLoader.Builder trainLoader = DataLoader.builder(data.train).batchSize(batchSize);
            trainLoader = o.has("no-shuffle") ? trainLoader.seed(seed) : trainLoader.shuffle(seed);
            if (o.has("augment")) {
                if (!source.images()) {
                    throw new Main.UsageException("--augment works on images; " + datasetSpec + " is a table");
                }
                int side = source.featureShape()[1];
                trainLoader.transform(new Compose(new RandomCrop(side, 2), new HorizontalFlip(0.5)));
            }
            DataLoader train = trainLoader.build();
            DataLoader validation = data.validation == null ? null : DataLoader.builder(data.validation).batchSize(1000).build();
            DataLoader test = DataLoader.builder(data.test).batchSize(1000).build();

            Map<String, String> metadata = metadata(datasetSpec, modelSpec, source, data, seed, valFraction, o);
            Path checkpoint = runDir.resolve("model.safetensors");
            Monitor monitor = Monitor.of(validation != null ? "val_accuracy" : "train_accuracy");
            BestCheckpoint best = validation != null ? new BestCheckpoint(checkpoint, monitor, metadata)
                    : BestCheckpoint.everyEpoch(checkpoint, metadata);
            OverfittingMonitor overfitting = OverfittingMonitor.standard(err);
            List<Callback> callbacks = new ArrayList<>(List.of(new ProgressBar(err), overfitting, best,
                    new MetricsCsv(runDir.resolve("metrics.csv"))));
            if (o.has("patience")) {
                callbacks.add(new EarlyStopping(monitor, o.integer("patience", 0, 0), false));
            }
            Trainer.Builder trainer = Trainer.builder(model, new CrossEntropyLoss(), optimizer).epochs(epochs)
                    .callbacks(callbacks.toArray(Callback[]::new));
            if (o.has("clip")) {
                trainer.clipGradNorm(o.number("clip", 0, 0, 1e6));
            }
            schedule(o.string("schedule", "cosine"), trainer, optimizer, lr, epochs * train.batchCount());

            // Only now that the data, the model and every option are known good: a refused run leaves no empty folder.
            Files.createDirectories(runDir);
            err.println("kiln train: run folder " + runDir);
            Map<String, Object> config = config(datasetSpec, modelSpec, model, data, optimizerName, lr, epochs, batchSize, seed, threads, o);
            AtomicFiles.write(runDir.resolve("config.json"), (Json.writePretty(config) + "\n").getBytes(StandardCharsets.UTF_8));

            TrainResult result = trainer.build().fit(train, validation);
            Checkpoint.loadWeights(checkpoint, model);                  // test the best epoch's weights, as saved
            Evaluation tested = Trainer.evaluate(model, new CrossEntropyLoss(), test);

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
            RunReport.write(runDir, datasetSpec + " · " + modelSpec + " · seed " + seed, config, results, result.history(),
                    best.bestEpoch(), tested, source.classNames(), overfitting.warnings());

            out.printf(Locale.ROOT, "test accuracy %.2f%% (loss %.4f) with the weights of epoch %d%s%n", 100 * tested.accuracy(),
                    tested.loss(), best.bestEpoch(), validation == null ? " (the last one: no validation set)"
                            : String.format(Locale.ROOT, " (validation accuracy %.2f%%)", 100 * result.bestValidationAccuracy()));
            out.println("run folder: " + runDir + " (report.html, model.safetensors, metrics.csv)");
            if (o.has("json")) {
                out.println(Json.write(results));
            }
            return 0;
        }
    }

    /** JSON has no NaN: a figure that does not exist (no validation set, say) is written as null. */
    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * The training, validation and test sets after splitting, preparing and scaling; owns their tensors.
     *
     * @param table  the CSV preparation fitted on the training split, or null for other data
     * @param scaler the scaling fitted on the training split, or null for none
     */
    record Prepared(TensorDataset train, TensorDataset validation, TensorDataset test, TablePreparation table,
                    FeatureScaler scaler) implements AutoCloseable {
        @Override
        public void close() {
            train.close();
            if (validation != null) {
                validation.close();
            }
            test.close();
        }
    }

    /**
     * Splits validation off the training pool (stratified), optionally keeps only {@code limit} training
     * examples, fits a CSV table's preparation and then the scaler on the training split alone, and
     * applies them to all three sets.
     */
    static Prepared prepare(DataSource source, double valFraction, int limit, String scale, long seed) {
        long[] labels = ClassLabels.of(source.pool());
        Dataset pool = source.pool();
        if (limit > 0 && limit < pool.size()) {
            Split sample = Split.stratified(labels, (double) limit / pool.size(), 1 - (double) limit / pool.size(), 0, seed);
            pool = sample.trainOf(pool);
            labels = ClassLabels.of(pool);
        }
        Dataset train = pool;
        Dataset validation = null;
        if (valFraction > 0) {
            Split split = Split.stratified(labels, 1 - valFraction, valFraction, 0, seed);
            train = split.trainOf(pool);
            validation = split.validationOf(pool);
        }
        if (source.table() == null) {
            return scaled(train, validation, source.test(), null, scale, source);
        }
        // A table is prepared anew from its rows, with fill values, bounds and categories of the training split alone.
        TableRows rows = source.table();
        TablePreparation preparation = rows.fit(positions(train, source.pool()));
        try (TensorDataset preparedTrain = rows.dataset(preparation, rows.poolRowsAt(positions(train, source.pool())));
             TensorDataset preparedValidation = validation == null ? null
                     : rows.dataset(preparation, rows.poolRowsAt(positions(validation, source.pool())));
             TensorDataset preparedTest = rows.dataset(preparation, rows.testRows())) {
            return scaled(preparedTrain, preparedValidation, preparedTest, preparation, scale, source);
        }
    }

    /** Copies of the three sets, scaled by a scaler fitted on {@code train} unless {@code scale} is none. */
    private static Prepared scaled(Dataset train, Dataset validation, Dataset test, TablePreparation table, String scale,
                                   DataSource source) {
        if (scale.equals("none")) {
            return new Prepared(DataSource.copy(train), validation == null ? null : DataSource.copy(validation),
                    DataSource.copy(test), table, null);
        }
        FeatureScaler scaler = source.defaultScaler(scale).fit(train);
        return new Prepared(scaler.transform(train), validation == null ? null : scaler.transform(validation),
                scaler.transform(test), table, scaler);
    }

    /** Where the examples of {@code view} (the pool or a subset of a subset ... of it) sit in {@code pool}. */
    private static int[] positions(Dataset view, Dataset pool) {
        if (view == pool) {
            return IntStream.range(0, pool.size()).toArray();
        }
        Subset subset = (Subset) view;
        int[] base = positions(subset.base(), pool);
        return Arrays.stream(subset.indices()).map(i -> base[i]).toArray();
    }

    private static Module buildModel(String spec, int[] inputShape, int classes, Generator rng) {
        try {
            return ModelZoo.build(spec, inputShape, classes, rng);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }

    private static Optimizer optimizer(String name, Module model, double lr, Options o) {
        double decay = o.number("weight-decay", name.equals("adamw") ? 0.01 : 0, 0, 10);
        return switch (name) {
            case "adam" -> new Adam(model.parameters(), Adam.options().lr(lr).weightDecay(decay));
            case "adamw" -> new AdamW(model.parameters(), AdamW.options().lr(lr).weightDecay(decay));
            case "sgd" -> new SGD(model.parameters(), SGD.options().lr(lr).momentum(o.number("momentum", 0.9, 0, 1)).weightDecay(decay));
            case "rmsprop" -> new RMSprop(model.parameters(), RMSprop.options().lr(lr).momentum(o.number("momentum", 0, 0, 1)).weightDecay(decay));
            case "adagrad" -> new Adagrad(model.parameters(), Adagrad.options().lr(lr).weightDecay(decay));
            default -> throw new Main.UsageException("--optimizer must be adam, adamw, sgd, rmsprop or adagrad, got '" + name + "'");
        };
    }

    private static void schedule(String name, Trainer.Builder trainer, Optimizer optimizer, double lr, int totalSteps) {
        switch (name) {
            case "none" -> { }
            case "cosine" -> trainer.scheduler(new CosineAnnealingLR(optimizer, totalSteps, 0), Trainer.ScheduleUnit.STEP);
            case "onecycle" -> trainer.scheduler(new OneCycleLR(optimizer, lr, totalSteps), Trainer.ScheduleUnit.STEP);
            default -> throw new Main.UsageException("--schedule must be none, cosine or onecycle, got '" + name + "'");
        }
    }

    /** What a checkpoint must carry so that one file is enough to rebuild the model and its input pipeline. */
    private static Map<String, String> metadata(String dataset, String model, DataSource source, Prepared data, long seed,
                                                double valFraction, Options o) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kiln.dataset", dataset);
        m.put("kiln.model", model);
        m.put("kiln.input_shape", Json.write(Arrays.stream(data.train().featureShape()).boxed().toList()));
        m.put("kiln.classes", Json.write(source.classNames()));
        m.put("kiln.seed", Long.toString(seed));
        m.put("kiln.val_fraction", Double.toString(valFraction));
        if (data.table() != null) {
            m.put("kiln.target", data.table().target());
            m.put("kiln.input", Json.write(data.table().config()));
            if (o.has("keep-duplicates")) {
                m.put("kiln.keep_duplicates", "true");   // kiln eval must rebuild the same rows, and so the same test set
            }
        }
        if (data.scaler() != null) {
            m.put("kiln.preprocessing", Json.write(data.scaler().config()));
        }
        return m;
    }

    private static Map<String, Object> config(String dataset, String modelSpec, Module model, Prepared data, String optimizer,
                                              double lr, int epochs, int batch, long seed, int threads, Options o) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("dataset", dataset);
        c.put("model", modelSpec);
        c.put("parameters", model.parameterCount());
        c.put("train_examples", data.train().size());
        c.put("validation_examples", data.validation() == null ? 0 : data.validation().size());
        c.put("test_examples", data.test().size());
        c.put("scaling", data.scaler() == null ? "none" : data.scaler().config().get("type") + " (" + data.scaler().config().get("scope") + ")");
        c.put("optimizer", optimizer);
        c.put("lr", lr);
        c.put("schedule", o.string("schedule", "cosine"));
        c.put("epochs", epochs);
        c.put("batch", batch);
        c.put("augment", o.has("augment"));
        c.put("shuffle", !o.has("no-shuffle"));
        c.put("init", o.has("init") ? o.string("init", null) : "none");
        c.put("seed", seed);
        c.put("threads", threads);
        return c;
    }
}

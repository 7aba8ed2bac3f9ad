package kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import kiln.engine.Device;
import kiln.engine.Generator;
import kiln.kernels.cpu.Parallel;
import kiln.nn.io.Json;
import kiln.nn.train.EpochLog;
import kiln.nn.train.Monitor;
import kiln.nn.train.NonFiniteLossException;
import kiln.nn.train.TrainResult;

/**
 * {@code kiln tune}: loads and splits the data once, trains one trial per candidate configuration on
 * the training split, scores each on the validation split, ranks them, and retrains the best into a
 * full {@code kiln train} run folder that is evaluated once on the test set.
 */
final class Tune {
    private static final String HELP = """
            usage: kiln tune [kiln train's data and model options] [options]

            Searches learning rate, batch size, width, weight decay and dropout. Every trial trains on the
            training split and is scored on the validation split (the same split for all, fixed by --seed),
            by its best epoch's validation accuracy (ties: the lower validation loss). The default
            configuration (kiln train's defaults, with your other options) is always a trial, "default",
            so the table shows whether tuning beat it. Then the best trial is retrained into DIR/best, a
            kiln train run folder, evaluated once on the test set, and printed as a kiln train command.

            search
              --search KIND        grid (every combination), random (--trials draws) or halving
                                   (successive halving of --trials draws) (default random)
              --trials N           random and halving: how many configurations to draw besides the
                                   default (default 8)
              --epochs N           epochs of each trial; for halving, of the last rung (default 10)
              --eta N              halving: keep the best 1/N of a rung, give the next N times the
                                   epochs; each rung retrains from scratch, and the default runs in
                                   every rung, as the reference at that budget (default 3)
              --min-epochs N       halving: the first rung's epochs (default: --epochs divided by eta
                                   once per rung, so the last rung reaches --epochs)
            the space (a list for any search; ranges for random and halving)
              --lr VALUES          e.g. 1e-4,3e-4,1e-3 or loguniform(1e-4,1e-2)
              --batch VALUES       a list of integers, e.g. 64,128,256
              --width VALUES       multiplier of the model's hidden sizes, e.g. 0.5,1,2
              --weight-decay VALUES  e.g. 0,1e-4 or loguniform(1e-6,1e-3)
              --dropout VALUES     e.g. 0,0.2 or uniform(0,0.5)
              --spec FILE          the space as a file: one 'name = values' per line, # comments, names
                                   lr, batch, width, weight-decay, dropout; options override its lines
                                   Without any: lr 3e-4,1e-3,3e-3  batch 64,128,256  width 0.5,1,2
                                   weight-decay 0,1e-4  dropout 0,0.2.
            run
              --out DIR            tune folder: trials.csv (rewritten after each trial) and best/
                                   (default runs/tune-DATASET-MODEL-TIME)
              --seed N             data split, initial weights and draws (default 0)
              --threads N          compute threads (default: all cores)
              --json               end with one JSON line of results on stdout

            kiln train's options (--dataset, --data, --val-fraction, --limit, --scale, the table options
            --target, --missing, --encoding, --outliers, --exclude, --keep-duplicates, and --model,
            --optimizer, --momentum, --schedule, --clip, --patience, --class-weights, --augment,
            --no-shuffle, --init) fix everything that is not searched: see kiln train --help.""";

    private static final Pattern PLAIN_ARGUMENT = Pattern.compile("[A-Za-z0-9._,:/=+@%-]+");
    private static final int DEFAULT_TRIALS = 8;

    private Tune() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        Options o = Recipe.declare(DataChoice.declare(new Options("tune"))).value("search").value("trials").value("spec")
                .value("eta").value("min-epochs").value("threads").value("out").flag("json");
        if (!o.parse(args)) {
            out.println(HELP);
            return 0;
        }
        DataChoice data = DataChoice.from(o);
        if (data.valFraction() == 0) {
            throw new Main.UsageException("trials are scored on a validation split: --val-fraction must be above 0");
        }
        List<String> searched = Arrays.stream(Hyperparameter.values()).map(Hyperparameter::option).toList();
        Recipe base = Recipe.from(o.without(searched));
        SearchSpace space = space(o);
        String search = o.string("search", "random");
        List<Recipe> candidates = candidates(search, o, space, base);
        SuccessiveHalving halving = search.equals("halving") ? halving(o, candidates.size(), base.epochs()) : null;
        int threads = Train.threads(o);
        Parallel.setThreads(threads);
        Path dir = o.has("out") ? o.path("out") : Train.defaultFolder("tune-", data, base);

        try (DataSource source = data.load(base.seed()); Prepared prepared = data.prepare(source, base.seed())) {
            Train.describeData(source, prepared, "kiln tune", err);
            err.printf(Locale.ROOT, "kiln tune: %s, %,d training / %,d validation examples; model %s; %s search over %s: %d configurations%n",
                    data.dataset(), prepared.train().size(), prepared.validation().size(), base.model(), search,
                    space, candidates.size());
            for (Recipe candidate : candidates) {
                new TrainingRun(source, prepared, candidate, Device.CPU).close();    // refuses a model that cannot be built before any trial runs
            }
            Files.createDirectories(dir);
            err.println("kiln tune: tune folder " + dir);
            List<Trial> ranked = TrialTable.rank(search(candidates, halving, new Trials(source, prepared, dir.resolve("trials.csv"), err), err));
            out.print(TrialTable.format(ranked));
            Trial best = ranked.getFirst();
            if (best.failure() != null) {
                err.println("kiln tune: every trial failed (the first: " + best.failure() + "); the table is in " + dir.resolve("trials.csv"));
                return 1;
            }
            Trial standard = ranked.stream().filter(t -> t.id() == 0).findFirst().orElseThrow();
            Path bestDir = dir.resolve("best");
            err.println("kiln tune: retraining trial " + best.label() + " for " + best.recipe().epochs() + " epochs into " + bestDir);
            Train.Finished retrained = Train.trainInto(bestDir, data, source, prepared, best.recipe(), Device.CPU, threads, "kiln tune", err);

            String command = command(data, best.recipe());
            out.printf(Locale.ROOT, "%nbest: trial %s, validation accuracy %.2f%% (default: %s)%n", best.label(), 100 * best.valAccuracy(),
                    standard.failure() != null ? standard.failure() : String.format(Locale.ROOT, "%.2f%%", 100 * standard.valAccuracy()));
            out.printf(Locale.ROOT, "retrained: test accuracy %.2f%% (loss %.4f) with the weights of epoch %d%n",
                    100 * retrained.tested().accuracy(), retrained.tested().loss(), retrained.bestEpoch());
            out.println("reproduce: " + command);
            out.println("tune folder: " + dir + " (trials.csv, best/ with report.html and model.safetensors)");
            if (o.has("json")) {
                out.println(Json.write(json(search, ranked, best, standard, retrained, command, dir, bestDir)));
            }
            return 0;
        }
    }

    /** Every candidate for --epochs, or the rungs of successive halving; each candidate's (last) trial. */
    private static List<Trial> search(List<Recipe> candidates, SuccessiveHalving halving, Trials trials, PrintStream progress)
            throws IOException {
        if (halving != null) {
            trials.expect(halving.plan(candidates.size()).stream().mapToInt(SuccessiveHalving.Rung::trials).sum());
            return halving.run(candidates, trials::run, progress);
        }
        trials.expect(candidates.size());
        List<Trial> results = new ArrayList<>();
        for (int id = 0; id < candidates.size(); id++) {
            results.add(trials.run(id, candidates.get(id)));
        }
        return results;
    }

    /** The space from --spec, then the options (which replace the file's line for the same name); the default space without either. */
    private static SearchSpace space(Options o) throws IOException {
        SearchSpace space = o.has("spec") ? SearchSpace.read(o.path("spec")) : SearchSpace.empty();
        for (Hyperparameter h : Hyperparameter.values()) {
            if (o.has(h.option())) {
                space = space.with(h, Domain.parse(h, o.string(h.option(), null), "--" + h.option()));
            }
        }
        return space.domains().isEmpty() ? SearchSpace.DEFAULT : space;
    }

    /** The default configuration first (id 0), then the candidates of the search, none repeating it. */
    private static List<Recipe> candidates(String search, Options o, SearchSpace space, Recipe base) {
        List<Recipe> candidates = new ArrayList<>(List.of(base));
        switch (search) {
            case "grid" -> {
                for (String option : List.of("trials", "eta", "min-epochs")) {
                    if (o.has(option)) {
                        throw new Main.UsageException("--" + option + " does not apply to grid search, which runs every combination");
                    }
                }
                space.grid(base).stream().filter(point -> !point.equals(base)).forEach(candidates::add);
            }
            case "random", "halving" -> {
                if (search.equals("random") && (o.has("eta") || o.has("min-epochs"))) {
                    throw new Main.UsageException("--eta and --min-epochs apply to --search halving only");
                }
                candidates.addAll(space.sample(base, o.integer("trials", DEFAULT_TRIALS, 1), new Generator(base.seed())));
            }
            default -> throw new Main.UsageException("--search must be grid, random or halving, got '" + search + "'");
        }
        return candidates;
    }

    private static SuccessiveHalving halving(Options o, int candidates, int epochs) {
        int eta = o.integer("eta", 3, 2);
        int minEpochs = o.has("min-epochs") ? o.integer("min-epochs", 1, 1) : SuccessiveHalving.defaultMinEpochs(candidates, eta, epochs);
        return new SuccessiveHalving(eta, minEpochs, epochs);
    }

    /**
     * Trains and scores trials on data prepared once, printing one line per trial and rewriting the
     * ranked table {@code trials.csv} after each, so that a search cut short keeps what it found.
     */
    private static final class Trials {
        private final DataSource source;
        private final Prepared prepared;
        private final Path csv;
        private final PrintStream progress;
        private final Map<Integer, Trial> latest = new TreeMap<>();      // each candidate's last trial so far
        private int total;
        private int done;

        Trials(DataSource source, Prepared prepared, Path csv, PrintStream progress) {
            this.source = source;
            this.prepared = prepared;
            this.csv = csv;
            this.progress = progress;
        }

        /** How many trials will run, for the progress lines' "trial 3/9". */
        void expect(int trials) {
            total = trials;
        }

        /**
         * Trains {@code recipe} quietly and scores it by its best epoch, chosen as kiln train's checkpoint
         * chooses it. A run whose numbers blow up is a failed trial, not the end of the search: the trainer
         * stops on a non-finite training or validation loss.
         */
        Trial run(int id, Recipe recipe) throws IOException {
            long start = System.nanoTime();
            Trial trial;
            try (TrainingRun run = new TrainingRun(source, prepared, recipe, Device.CPU)) {
                trial = score(id, recipe, run.fit(List.of()), run.monitor(), start);
            } catch (NonFiniteLossException diverged) {
                trial = Trial.failed(id, recipe, seconds(start), "diverged (epoch " + diverged.epoch() + ")");
            }
            latest.put(id, trial);
            TrialTable.writeCsv(csv, TrialTable.rank(latest.values()));
            done++;
            Hyperparameters h = recipe.hyper();
            progress.printf(Locale.ROOT, "kiln tune: trial %d/%d (%s): lr %s batch %d width %s wd %s dropout %s, %d epoch%s: %s, %.1f s%n",
                    done, total, trial.label(), Hyperparameter.format(h.lr()), h.batch(), Hyperparameter.format(h.width()),
                    Hyperparameter.format(h.weightDecay()), Hyperparameter.format(h.dropout()), recipe.epochs(), recipe.epochs() == 1 ? "" : "s",
                    trial.failure() != null ? trial.failure()
                            : String.format(Locale.ROOT, "val acc %.2f%%, loss %.4f (epoch %d)", 100 * trial.valAccuracy(), trial.valLoss(), trial.bestEpoch()),
                    trial.seconds());
            return trial;
        }

        /** The trial's score: the epoch {@code monitor} prefers (the first of equals), as BestCheckpoint keeps it. */
        private static Trial score(int id, Recipe recipe, TrainResult result, Monitor monitor, long start) {
            EpochLog best = result.history().getFirst();
            for (EpochLog log : result.history()) {
                if (monitor.improves(log.metric(monitor.metric()), best.metric(monitor.metric()))) {
                    best = log;
                }
            }
            return new Trial(id, recipe, best.validationAccuracy(), best.validationLoss(), best.epoch(), seconds(start), null);
        }

        private static double seconds(long start) {
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** "kiln train --dataset moons --model mlp ...": the command that trains {@code recipe} on this data again. */
    static String command(DataChoice data, Recipe recipe) {
        List<String> args = new ArrayList<>(List.of("kiln", "train"));
        args.addAll(data.arguments());
        args.addAll(recipe.arguments());
        return String.join(" ", args.stream().map(a -> PLAIN_ARGUMENT.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'").toList());
    }

    private static Map<String, Object> json(String search, List<Trial> ranked, Trial best, Trial standard, Train.Finished retrained,
                                            String command, Path dir, Path bestDir) {
        Hyperparameters h = best.recipe().hyper();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("lr", h.lr());
        config.put("batch", h.batch());
        config.put("width", h.width());
        config.put("weight_decay", h.weightDecay());
        config.put("dropout", h.dropout());
        config.put("epochs", best.recipe().epochs());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("search", search);
        json.put("trials", ranked.size());
        json.put("best_trial", best.label());
        json.put("best", config);
        json.put("best_val_accuracy", best.valAccuracy());
        json.put("default_val_accuracy", standard.failure() != null ? null : standard.valAccuracy());
        json.put("test_accuracy", retrained.tested().accuracy());
        json.put("test_loss", retrained.tested().loss());
        json.put("command", command);
        json.put("tune_dir", dir.toString());
        json.put("trials_csv", dir.resolve("trials.csv").toString());
        json.put("best_run_dir", bestDir.toString());
        return json;
    }
}

package kiln.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How one model is trained, as {@code kiln train}'s options say it: the model and its
 * {@link Hyperparameters}, the optimizer and its schedule, the number of epochs, and the seed. A
 * {@code kiln tune} trial is one recipe, and {@link #arguments()} turns it back into options, so that
 * the tuner's best trial can be reproduced with {@code kiln train}.
 *
 * @param momentum NaN for the optimizer's default (0.9 for SGD, 0 for RMSprop)
 * @param clip     the gradients' global norm limit, 0 for none
 * @param patience epochs tolerated without a better validation accuracy, -1 for no early stopping
 * @param init     a safetensors file of initial weights, or null
 * @param balanced whether the loss weighs each class by n / (k · n_c) over the training split, so that
 *                 every class counts alike however few its examples
 */
record Recipe(String model, Hyperparameters hyper, int epochs, String optimizer, double momentum, String schedule,
              double clip, int patience, boolean augment, boolean shuffle, Path init, long seed, boolean balanced) {

    private static final String DEFAULT_MODEL = "mlp";
    private static final String DEFAULT_OPTIMIZER = "adam";
    private static final String DEFAULT_SCHEDULE = "cosine";
    private static final int DEFAULT_EPOCHS = 10;

    /** Declares the options {@link #from(Options)} reads. */
    static Options declare(Options o) {
        o.value("model").value("init").value("epochs").value("optimizer").value("momentum").value("schedule")
                .value("clip").value("patience").flag("augment").flag("no-shuffle").value("seed").value("class-weights");
        for (Hyperparameter h : Hyperparameter.values()) {
            o.value(h.option());
        }
        return o;
    }

    /** The recipe the options describe, every value checked; kiln train's defaults for what is not given. */
    static Recipe from(Options o) {
        String optimizer = o.string("optimizer", DEFAULT_OPTIMIZER);
        if (!List.of("adam", "adamw", "sgd", "rmsprop", "adagrad").contains(optimizer)) {
            throw new Main.UsageException("--optimizer must be adam, adamw, sgd, rmsprop or adagrad, got '" + optimizer + "'");
        }
        String schedule = o.string("schedule", DEFAULT_SCHEDULE);
        if (!List.of("none", "cosine", "onecycle").contains(schedule)) {
            throw new Main.UsageException("--schedule must be none, cosine or onecycle, got '" + schedule + "'");
        }
        String classWeights = o.string("class-weights", "none");
        if (!List.of("none", "balanced").contains(classWeights)) {
            throw new Main.UsageException("--class-weights must be none or balanced, got '" + classWeights + "'");
        }
        Hyperparameters hyper = Hyperparameters.defaults(optimizer);
        for (Hyperparameter h : Hyperparameter.values()) {
            if (o.has(h.option())) {
                hyper = hyper.with(h, h.parse(o.string(h.option(), null), "--" + h.option()));
            }
        }
        return new Recipe(o.string("model", DEFAULT_MODEL), hyper, o.integer("epochs", DEFAULT_EPOCHS, 1), optimizer,
                o.has("momentum") ? o.number("momentum", 0, 0, 1) : Double.NaN, schedule,
                o.has("clip") ? o.number("clip", 0, 0, 1e6) : 0, o.has("patience") ? o.integer("patience", 0, 0) : -1,
                o.has("augment"), !o.has("no-shuffle"), o.path("init"), o.longValue("seed", 0), classWeights.equals("balanced"));
    }

    /** This recipe with other hyperparameters. */
    Recipe with(Hyperparameters other) {
        return new Recipe(model, other, epochs, optimizer, momentum, schedule, clip, patience, augment, shuffle, init, seed, balanced);
    }

    /** This recipe trained for {@code n} epochs. */
    Recipe withEpochs(int n) {
        return new Recipe(model, hyper, n, optimizer, momentum, schedule, clip, patience, augment, shuffle, init, seed, balanced);
    }

    /**
     * The {@code kiln train} options that give this recipe: the model, the epochs, the five
     * hyperparameters and the seed always (they are what a reader looks for), the rest when not the default.
     */
    List<String> arguments() {
        List<String> args = new ArrayList<>(List.of("--model", model, "--epochs", Integer.toString(epochs)));
        args.addAll(hyper.arguments());
        if (!optimizer.equals(DEFAULT_OPTIMIZER)) {
            args.addAll(List.of("--optimizer", optimizer));
        }
        if (!Double.isNaN(momentum)) {
            args.addAll(List.of("--momentum", Hyperparameter.format(momentum)));
        }
        if (!schedule.equals(DEFAULT_SCHEDULE)) {
            args.addAll(List.of("--schedule", schedule));
        }
        if (clip > 0) {
            args.addAll(List.of("--clip", Hyperparameter.format(clip)));
        }
        if (patience >= 0) {
            args.addAll(List.of("--patience", Integer.toString(patience)));
        }
        if (augment) {
            args.add("--augment");
        }
        if (!shuffle) {
            args.add("--no-shuffle");
        }
        if (init != null) {
            args.addAll(List.of("--init", init.toString()));
        }
        if (balanced) {
            args.addAll(List.of("--class-weights", "balanced"));
        }
        args.addAll(List.of("--seed", Long.toString(seed)));
        return args;
    }

    /** "mlp", or "mlp width 2 dropout 0.2" when the model is widened or drops out. */
    String modelDescription() {
        String text = model;
        if (hyper.width() != 1) {
            text += " width " + Hyperparameter.format(hyper.width());
        }
        if (hyper.dropout() != 0) {
            text += " dropout " + Hyperparameter.format(hyper.dropout());
        }
        return text;
    }
}

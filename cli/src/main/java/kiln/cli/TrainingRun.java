package kiln.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.engine.Device;
import kiln.nn.Module;
import kiln.nn.data.ClassLabels;
import kiln.nn.data.Compose;
import kiln.nn.data.DataLoader;
import kiln.nn.data.HorizontalFlip;
import kiln.nn.data.RandomCrop;
import kiln.nn.io.Checkpoint;
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
import kiln.nn.train.Callback;
import kiln.nn.train.EarlyStopping;
import kiln.nn.train.Monitor;
import kiln.nn.train.TrainResult;
import kiln.nn.train.Trainer;

/**
 * One training run on data already loaded, split and scaled: a new model built from a {@link Recipe},
 * its optimizer and loaders, trained on the training split and validated after each epoch. {@code kiln
 * train} is one such run with callbacks that write a run folder; each {@code kiln tune} trial is one
 * without. Construction checks everything that can be refused (the model for the data's shape, the
 * initial weights, augmentation of a table) before anything is trained or written. Owns the model.
 */
final class TrainingRun implements AutoCloseable {
    private final Recipe recipe;
    private final Module model;
    private final Optimizer optimizer;
    private final DataLoader train;
    private final DataLoader validation;
    private final CrossEntropyLoss loss;

    /** Builds the model (parameters drawn from the recipe's seed) on {@code device}, its optimizer and the loaders. */
    TrainingRun(DataSource source, Prepared data, Recipe recipe, Device device) throws IOException {
        this.recipe = recipe;
        this.model = buildModel(source, data, recipe);
        try {
            if (recipe.init() != null) {
                Checkpoint.loadWeights(recipe.init(), model);
            }
            model.to(device);                                  // before the optimizer, whose state follows the parameters
            this.optimizer = optimizer(recipe, model);
            this.train = trainLoader(source, data, recipe);
            this.validation = data.validation() == null ? null : DataLoader.builder(data.validation()).batchSize(1000).build();
            this.loss = loss(recipe, data, source.classNames().size());
        } catch (IOException | RuntimeException refused) {
            model.close();
            throw refused;
        }
    }

    private static Module buildModel(DataSource source, Prepared prepared, Recipe recipe) {
        Hyperparameters h = recipe.hyper();
        try {
            return ModelZoo.build(recipe.model(), prepared.featureShape(), source.classNames().size(), h.width(), h.dropout(),
                    new Generator(recipe.seed()));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }

    private static DataLoader trainLoader(DataSource source, Prepared data, Recipe recipe) {
        DataLoader.Builder loader = DataLoader.builder(data.train()).batchSize(recipe.hyper().batch());
        loader = recipe.shuffle() ? loader.shuffle(recipe.seed()) : loader.seed(recipe.seed());
        if (recipe.augment()) {
            if (!source.images()) {
                throw new Main.UsageException("--augment works on images; " + source.spec() + " is a table");
            }
            int side = source.featureShape()[1];
            loader.transform(new Compose(new RandomCrop(side, 2), new HorizontalFlip(0.5)));
        }
        return loader.build();
    }

    private static Optimizer optimizer(Recipe recipe, Module model) {
        double lr = recipe.hyper().lr();
        double decay = recipe.hyper().weightDecay();
        double momentum = recipe.momentum();
        return switch (recipe.optimizer()) {
            case "adam" -> new Adam(model.parameters(), Adam.options().lr(lr).weightDecay(decay));
            case "adamw" -> new AdamW(model.parameters(), AdamW.options().lr(lr).weightDecay(decay));
            case "sgd" -> new SGD(model.parameters(), SGD.options().lr(lr).momentum(Double.isNaN(momentum) ? 0.9 : momentum).weightDecay(decay));
            case "rmsprop" -> new RMSprop(model.parameters(), RMSprop.options().lr(lr).momentum(Double.isNaN(momentum) ? 0 : momentum).weightDecay(decay));
            case "adagrad" -> new Adagrad(model.parameters(), Adagrad.options().lr(lr).weightDecay(decay));
            default -> throw new IllegalStateException("Recipe.from admits no optimizer '" + recipe.optimizer() + "'");
        };
    }

    /** The model being trained (its weights are the last epoch's after {@link #fit}). */
    Module model() {
        return model;
    }

    /** True when there is a validation split to select the best epoch on. */
    boolean validates() {
        return validation != null;
    }

    /** The metric the best epoch is chosen by: validation accuracy, or training accuracy without validation. */
    Monitor monitor() {
        return Monitor.of(validation != null ? "val_accuracy" : "train_accuracy");
    }

    /**
     * Trains for the recipe's epochs with its schedule, clipping and early stopping, calling
     * {@code callbacks} (in order, before the early stopping) around each epoch.
     */
    TrainResult fit(List<Callback> callbacks) {
        List<Callback> all = new ArrayList<>(callbacks);
        if (recipe.patience() >= 0) {
            all.add(new EarlyStopping(monitor(), recipe.patience(), false));
        }
        Trainer.Builder trainer = Trainer.builder(model, loss, optimizer).epochs(recipe.epochs())
                .callbacks(all.toArray(Callback[]::new)).clipGradNorm(recipe.clip());
        int totalSteps = recipe.epochs() * train.batchCount();
        switch (recipe.schedule()) {
            case "cosine" -> trainer.scheduler(new CosineAnnealingLR(optimizer, totalSteps, 0), Trainer.ScheduleUnit.STEP);
            case "onecycle" -> trainer.scheduler(new OneCycleLR(optimizer, recipe.hyper().lr(), totalSteps), Trainer.ScheduleUnit.STEP);
            default -> { }                                  // "none": a constant learning rate
        }
        return trainer.build().fit(train, validation);
    }

    /**
     * Cross-entropy, weighted by class when the recipe balances classes: class c weighs n / (k · n_c) for
     * n training examples, k classes and n_c examples of c (scikit-learn's "balanced"), so a rare class's
     * errors cost as much in total as a common one's. A class the training split lacks weighs 0: it is
     * never a target there.
     */
    static CrossEntropyLoss loss(Recipe recipe, Prepared data, int classes) {
        if (!recipe.balanced()) {
            return new CrossEntropyLoss();
        }
        long[] labels = ClassLabels.of(data.train());
        int[] counts = new int[classes];
        for (long label : labels) {
            counts[(int) label]++;
        }
        float[] weights = new float[classes];
        for (int c = 0; c < classes; c++) {
            weights[c] = counts[c] == 0 ? 0 : (float) ((double) labels.length / ((double) classes * counts[c]));
        }
        return new CrossEntropyLoss().withClassWeights(Tensor.fromArray(weights, classes));
    }

    @Override
    public void close() {
        model.close();
        if (loss.classWeights() != null) {
            loss.classWeights().close();
        }
    }
}

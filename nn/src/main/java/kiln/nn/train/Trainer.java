package kiln.nn.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Device;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.Parameter;
import kiln.nn.data.Batch;
import kiln.nn.data.BatchIterator;
import kiln.nn.data.DataLoader;
import kiln.nn.loss.Loss;
import kiln.nn.metrics.ClassificationAccumulator;
import kiln.nn.metrics.RegressionAccumulator;
import kiln.nn.optim.GradClip;
import kiln.nn.optim.LrScheduler;
import kiln.nn.optim.Optimizer;
import kiln.nn.optim.ReduceLROnPlateau;

/**
 * The training loop: epochs of mini-batch steps, validation after each epoch, callbacks around it.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, new CrossEntropyLoss(), new Adam(model.parameters(), 1e-3))
 *         .epochs(10).callbacks(new ProgressBar(System.err), new EarlyStopping("val_loss", 3, true)).build();
 * TrainResult result = trainer.fit(trainLoader, validationLoader);
 * }</pre>
 *
 * One step is: zero the gradients, forward, loss, backward, optionally clip, optimizer step, optionally
 * a schedule step. Everything a step allocates lives in a {@link MemoryScope} closed at the end of the
 * step, so memory stays flat however long the run. A NaN or infinite loss or gradient stops training
 * with a {@link NonFiniteLossException} naming the epoch, the step and the first layer or parameter at
 * fault.
 */
public final class Trainer {
    /** When a learning-rate schedule advances. */
    public enum ScheduleUnit { STEP, EPOCH }

    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final int epochs;
    private final LrScheduler scheduler;
    private final ScheduleUnit scheduleUnit;
    private final ReduceLROnPlateau plateau;
    private final double clipNorm;
    private final List<Callback> callbacks;

    private Trainer(Builder b) {
        this.model = b.model;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.epochs = b.epochs;
        this.scheduler = b.scheduler;
        this.scheduleUnit = b.scheduleUnit;
        this.plateau = b.plateau;
        this.clipNorm = b.clipNorm;
        this.callbacks = List.copyOf(b.callbacks);
    }

    public static Builder builder(Module model, Loss loss, Optimizer optimizer) {
        return new Builder(model, loss, optimizer);
    }

    /**
     * Trains for the configured number of epochs (fewer if a callback asks to stop), validating after each
     * epoch when {@code validation} is not null.
     */
    public TrainResult fit(DataLoader train, DataLoader validation) {
        if (train == null || train.batchCount() == 0) {
            throw new IllegalArgumentException("Trainer.fit: the training loader yields no batches"
                    + (train == null ? " (it is null)" : " (" + train.dataset().size() + " examples, batch size "
                    + train.batchSize() + ")"));
        }
        TrainingState state = new TrainingState(model, optimizer, epochs, train.batchCount());
        Throwable failure = null;
        try {
            callbacks.forEach(c -> c.onTrainStart(state));
            for (int epoch = 1; epoch <= epochs && state.stopReason() == null; epoch++) {
                state.startEpoch(epoch);
                callbacks.forEach(c -> c.onEpochStart(state));
                EpochLog log = runEpoch(state, train, validation);
                state.record(log);
                if (scheduler != null && scheduleUnit == ScheduleUnit.EPOCH) {
                    scheduler.step();
                }
                if (plateau != null) {
                    plateau.step(validation != null ? log.validationLoss() : log.trainLoss());
                }
                callbacks.forEach(c -> c.onEpochEnd(state, log));
            }
            return new TrainResult(state.history(), state.stopReason());
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            endCallbacks(state, failure);
        }
    }

    /**
     * Every callback's {@code onTrainEnd} runs, even when one throws: a failure of the run itself stays the
     * exception the caller sees (callbacks' failures are attached to it as suppressed); without one, the
     * first callback failure is thrown after all have run.
     */
    private void endCallbacks(TrainingState state, Throwable failure) {
        RuntimeException first = null;
        for (Callback c : callbacks) {
            try {
                c.onTrainEnd(state, failure);
            } catch (RuntimeException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private EpochLog runEpoch(TrainingState state, DataLoader train, DataLoader validation) {
        model.train(true);
        double lr = optimizer.lr();
        double lossSum = 0;
        long correct = 0;
        long examples = 0;
        boolean classification = false;
        Device device = deviceOf(model);
        long start = System.nanoTime();
        // Closing the iterator when a step throws stops its prefetch thread and frees the batches it loaded ahead.
        try (BatchIterator batches = train.iterator()) {           // the loader's next epoch: a second fit reshuffles
            while (batches.hasNext()) {
                try (Batch batch = batches.next(); MemoryScope scope = MemoryScope.open()) {
                    optimizer.zeroGrad();
                    Tensor features = on(device, batch.features());
                    Tensor output = model.forward(features);
                    Tensor batchLoss = loss.apply(output, on(device, batch.targets()));
                    double value = batchLoss.item();
                    long step = state.step() + 1;
                    if (!Double.isFinite(value)) {
                        throw diverged(state, step, "the loss is " + value, features);
                    }
                    batchLoss.backward();
                    checkGradients(state, step, features);
                    optimizer.step();
                    if (scheduler != null && scheduleUnit == ScheduleUnit.STEP) {
                        scheduler.step();
                    }
                    classification = isClassLabels(batch.targets());
                    if (classification) {
                        correct += countCorrect(output, batch.targets());
                    }
                    lossSum += value * batch.size();
                    examples += batch.size();
                    state.finishStep();
                    callbacks.forEach(c -> c.onBatchEnd(state, value, batch.size()));
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double trainAccuracy = classification ? (double) correct / examples : Double.NaN;
        double validationLoss = Double.NaN;
        double validationAccuracy = Double.NaN;
        if (validation != null) {
            Evaluation v;
            try {
                v = evaluate(validation);
            } catch (NonFiniteEvaluation e) {   // weights that overflow on unseen data diverged as surely as a NaN loss
                String where = NonFiniteSearch.firstBadParameter(model);
                throw new NonFiniteLossException(state.epoch(), state.step(), "the validation loss is not finite",
                        where != null ? where : e.getMessage());
            }
            validationLoss = v.loss();
            validationAccuracy = v.accuracy();
        }
        return new EpochLog(state.epoch(), lossSum / examples, trainAccuracy, validationLoss, validationAccuracy, lr,
                seconds, examples / seconds);
    }

    /** Gradients must be finite before the optimizer uses them; clipping measures their norm anyway. */
    private void checkGradients(TrainingState state, long step, Tensor features) {
        boolean finite = clipNorm > 0
                ? Double.isFinite(GradClip.byGlobalNorm(optimizer.params(), clipNorm))
                : optimizer.params().stream().allMatch(p -> p.grad() == null || NonFiniteSearch.allFinite(p.grad()));
        if (!finite) {
            throw diverged(state, step, "a gradient is not finite", features);
        }
    }

    private NonFiniteLossException diverged(TrainingState state, long step, String what, Tensor features) {
        String where = NonFiniteSearch.firstBadParameter(model);
        if (where == null) {
            where = NonFiniteSearch.firstBadLayer(model, features);
        }
        return new NonFiniteLossException(state.epoch(), step, what,
                where != null ? where : "every parameter and layer output is finite: the loss itself overflowed");
    }

    /**
     * The model's loss (and for classification its predictions, probabilities and accuracy) over every
     * batch of {@code loader}, in evaluation mode and without recording gradients. The model is left in
     * evaluation mode.
     */
    public Evaluation evaluate(DataLoader loader) {
        return evaluate(model, loss, loader);
    }

    /** {@link #evaluate(DataLoader)} for any model and loss. */
    public static Evaluation evaluate(Module model, Loss loss, DataLoader loader) {
        model.eval();
        double lossSum = 0;
        int examples = 0;
        ClassificationAccumulator classes = null;        // made at the first batch, once the output's width is known
        RegressionAccumulator values = null;
        Device device = deviceOf(model);
        try (var off = Autograd.noGrad(); BatchIterator batches = loader.iterator()) {
            while (batches.hasNext()) {
                try (Batch batch = batches.next(); MemoryScope scope = MemoryScope.open()) {
                    Tensor output = model.forward(on(device, batch.features()));
                    double batchLoss = loss.apply(output, on(device, batch.targets())).item();
                    if (!Double.isFinite(batchLoss)) {
                        throw new NonFiniteEvaluation("the loss of examples " + examples + " to " + (examples + batch.size() - 1)
                                + " is " + batchLoss + ": the model's outputs are not finite");
                    }
                    lossSum += batchLoss * batch.size();
                    examples += batch.size();
                    if (isClassLabels(batch.targets())) {
                        classes = classes != null ? classes : new ClassificationAccumulator(output.dim(1));
                        classes.add(output, batch.targets());
                    } else {
                        values = values != null ? values : new RegressionAccumulator(output.rank() == 1 ? 1 : output.dim(1));
                        values.add(output, batch.targets());
                    }
                }
            }
        }
        if (examples == 0) {
            throw new IllegalArgumentException("Trainer.evaluate: the loader yielded no examples");
        }
        if (classes == null) {
            return new Evaluation(examples, lossSum / examples, Double.NaN, null, null, null, values.targets(), values.predictions());
        }
        return new Evaluation(examples, lossSum / examples, classes.accuracy(), classes.labels(), classes.predictions(),
                classes.probabilities(), null, null);
    }

    /** Evaluation met a non-finite loss: the model's weights or outputs overflowed. */
    static final class NonFiniteEvaluation extends IllegalStateException {
        NonFiniteEvaluation(String message) {
            super(message);
        }
    }

    private static boolean isClassLabels(Tensor targets) {
        return !targets.dtype().isFloatingPoint();
    }

    private static long countCorrect(Tensor output, Tensor labels) {
        try (var off = Autograd.noGrad()) {
            Tensor predicted = on(labels.device(), output.argmax(1, false));    // compared where the labels are
            return (long) predicted.eq(labels).to(DType.FLOAT64).sum().item();
        }
    }

    /**
     * Where the model computes: the device of its parameters (the CPU for a model without any). The
     * trainer brings each batch there, so a model moved with {@link Module#to(Device)} trains on the GPU
     * from the same data loaders.
     */
    static Device deviceOf(Module model) {
        List<Parameter> parameters = model.parameters();
        return parameters.isEmpty() ? Device.CPU : parameters.get(0).value().device();
    }

    /** {@code t} on {@code device}: itself when already there, else a copy, released with the step's memory scope. */
    private static Tensor on(Device device, Tensor t) {
        return t.device().equals(device) ? t : t.to(device);
    }

    /** Configures a {@link Trainer}; every setter validates its argument. */
    public static final class Builder {
        private final Module model;
        private final Loss loss;
        private final Optimizer optimizer;
        private int epochs = 1;
        private LrScheduler scheduler;
        private ScheduleUnit scheduleUnit = ScheduleUnit.EPOCH;
        private ReduceLROnPlateau plateau;
        private double clipNorm;
        private final List<Callback> callbacks = new ArrayList<>();

        private Builder(Module model, Loss loss, Optimizer optimizer) {
            if (model == null || loss == null || optimizer == null) {
                throw new IllegalArgumentException("Trainer.builder: model, loss and optimizer are required");
            }
            this.model = model;
            this.loss = loss;
            this.optimizer = optimizer;
        }

        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("Trainer: epochs must be at least 1, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** A schedule advanced after every optimizer step ({@code STEP}) or after every epoch ({@code EPOCH}). */
        public Builder scheduler(LrScheduler scheduler, ScheduleUnit unit) {
            if (scheduler != null && unit == null) {
                throw new IllegalArgumentException("Trainer: a scheduler needs a ScheduleUnit (STEP or EPOCH), got null");
            }
            this.scheduler = scheduler;
            this.scheduleUnit = unit;
            return this;
        }

        /** Lowers the learning rate when the validation loss (training loss without validation) stops improving. */
        public Builder reduceOnPlateau(ReduceLROnPlateau plateau) {
            this.plateau = plateau;
            return this;
        }

        /** Clips the gradients' global L2 norm to {@code maxNorm} before each step; 0 turns clipping off. */
        public Builder clipGradNorm(double maxNorm) {
            if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) {
                throw new IllegalArgumentException("Trainer: clipGradNorm must be finite and >= 0, got " + maxNorm);
            }
            this.clipNorm = maxNorm;
            return this;
        }

        public Builder callbacks(Callback... more) {
            callbacks.addAll(Arrays.asList(more));
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}

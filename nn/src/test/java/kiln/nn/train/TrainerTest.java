package kiln.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Linear;
import kiln.nn.layers.Sequential;
import kiln.nn.data.DataLoader;
import kiln.nn.data.TensorDataset;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.optim.Adam;

class TrainerTest {
    /** Points in the plane, class 1 where x0 + x1 > 0: a linear boundary an MLP learns in a few epochs. */
    private static TensorDataset halfPlanes(int n, long seed) {
        Generator rng = new Generator(seed);
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) rng.nextGaussian();
            x[2 * i + 1] = (float) rng.nextGaussian();
            y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0;
        }
        return new TensorDataset(Tensor.fromArray(x, n, 2), Tensor.fromArray(y, n));
    }

    private static Module mlp(long seed) {
        Generator rng = new Generator(seed);
        return new Sequential(new Linear(2, 16, rng), Activation.relu(), new Linear(16, 2, rng));
    }

    private static TrainResult train(Module model, TensorDataset train, TensorDataset valid, int epochs, Callback... callbacks) {
        Trainer trainer = Trainer.builder(model, new CrossEntropyLoss(), new Adam(model.parameters(), 0.01))
                .epochs(epochs).callbacks(callbacks).build();
        return trainer.fit(DataLoader.builder(train).batchSize(32).shuffle(7).build(),
                DataLoader.builder(valid).batchSize(100).build());
    }

    @Test
    void learnsAndLogsEveryEpoch() {
        try (TensorDataset train = halfPlanes(512, 1); TensorDataset valid = halfPlanes(200, 2); Module model = mlp(3)) {
            TrainResult result = train(model, train, valid, 5);
            assertEquals(5, result.epochs());
            assertNull(result.stopReason());
            List<EpochLog> h = result.history();
            assertTrue(h.getLast().trainLoss() < h.getFirst().trainLoss() / 2, "train loss " + h.getFirst().trainLoss() + " -> " + h.getLast().trainLoss());
            assertTrue(h.getLast().validationAccuracy() >= 0.95, "validation accuracy " + h.getLast().validationAccuracy());
            assertTrue(h.getLast().samplesPerSecond() > 0 && h.getLast().seconds() > 0);
            assertEquals(0.01, h.getLast().lr(), 0);
        }
    }

    @Test
    void sameSeedSameRun() {
        try (TensorDataset train = halfPlanes(256, 1); TensorDataset valid = halfPlanes(100, 2);
             Module a = mlp(3); Module b = mlp(3)) {
            List<EpochLog> first = train(a, train, valid, 3).history();
            List<EpochLog> second = train(b, train, valid, 3).history();
            for (int e = 0; e < 3; e++) {
                assertEquals(first.get(e).trainLoss(), second.get(e).trainLoss(), 0, "epoch " + (e + 1));
                assertEquals(first.get(e).validationLoss(), second.get(e).validationLoss(), 0, "epoch " + (e + 1));
            }
        }
    }

    @Test
    void memoryStaysFlatAcrossEpochs() {
        try (TensorDataset train = halfPlanes(256, 1); TensorDataset valid = halfPlanes(100, 2); Module model = mlp(3)) {
            long[] afterEpoch = new long[6];
            Callback probe = new Callback() {
                @Override
                public void onEpochEnd(TrainingState state, EpochLog log) {
                    afterEpoch[log.epoch() - 1] = NativeMemory.settledLiveBytes();
                }
            };
            train(model, train, valid, 6, probe);
            assertEquals(afterEpoch[1], afterEpoch[5], "live off-heap bytes after epoch 2 and epoch 6");
        }
    }

    @Test
    void nanParameterIsReportedWithStepAndName() {
        try (TensorDataset train = halfPlanes(128, 1); TensorDataset valid = halfPlanes(64, 2); Module model = mlp(3)) {
            Callback poison = new Callback() {
                @Override
                public void onEpochEnd(TrainingState state, EpochLog log) {
                    try (var off = Autograd.noGrad()) {
                        model.namedParameters().get("2.bias").value().fill(Double.NaN);
                    }
                }
            };
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> train(model, train, valid, 3, poison));
            assertEquals(2, e.epoch());
            assertEquals(128 / 32 + 1, e.step(), "the first step of epoch 2");
            assertTrue(e.getMessage().contains("parameter '2.bias'"), e.getMessage());
        }
    }

    @Test
    void aNonFiniteValidationLossIsDivergenceToo() {
        try (TensorDataset train = halfPlanes(128, 1); TensorDataset valid = halfPlanes(64, 2); Module model = mlp(3)) {
            Callback poisonAfterTheLastStep = new Callback() {
                @Override
                public void onBatchEnd(TrainingState state, double loss, int batchSize) {
                    if (state.step() == 128 / 32) {   // the epoch's last step is done: only validation sees the NaN
                        try (var off = Autograd.noGrad()) {
                            model.namedParameters().get("2.bias").value().fill(Double.NaN);
                        }
                    }
                }
            };
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> train(model, train, valid, 2, poisonAfterTheLastStep));
            assertEquals(1, e.epoch());
            assertTrue(e.getMessage().contains("the validation loss is not finite"), e.getMessage());
            assertTrue(e.getMessage().contains("parameter '2.bias'"), e.getMessage());
        }
    }

    /** The loader threads alive now (each prefetching epoch has one). */
    private static Set<Thread> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("kiln-data-loader")).collect(Collectors.toSet());
    }

    @Test
    void aFailedStepStopsTheEpochsPrefetchThread() {
        try (TensorDataset train = halfPlanes(256, 1); TensorDataset valid = halfPlanes(64, 2); Module model = mlp(3)) {
            Set<Thread> before = loaderThreads();
            Callback poison = new Callback() {
                @Override
                public void onBatchEnd(TrainingState state, double loss, int batchSize) {
                    try (var off = Autograd.noGrad()) {
                        model.namedParameters().get("0.weight").value().fill(Double.NaN);
                    }
                }
            };
            // 8 batches of 32, prefetched 2 ahead: when step 2 fails, the loader thread still has batches to load.
            assertThrows(NonFiniteLossException.class, () -> train(model, train, valid, 1, poison));
            Set<Thread> left = loaderThreads();
            left.removeAll(before);
            assertEquals(Set.of(), left, "loader threads left running after the failure");
        }
    }

    @Test
    void builderRefusesAScheduleWithoutAUnitAndALoaderWithoutBatches() {
        try (TensorDataset tiny = halfPlanes(10, 1); Module model = mlp(3)) {
            Adam adam = new Adam(model.parameters(), 0.01);
            Trainer.Builder builder = Trainer.builder(model, new CrossEntropyLoss(), adam);
            IllegalArgumentException noUnit = assertThrows(IllegalArgumentException.class,
                    () -> builder.scheduler(new kiln.nn.optim.CosineAnnealingLR(adam, 10, 0), null));
            assertTrue(noUnit.getMessage().contains("Trainer"), noUnit.getMessage());
            DataLoader empty = DataLoader.builder(tiny).batchSize(32).dropLast(true).build();
            IllegalArgumentException noBatches = assertThrows(IllegalArgumentException.class,
                    () -> builder.build().fit(empty, null));
            assertTrue(noBatches.getMessage().contains("no batches"), noBatches.getMessage());
        }
    }

    /** A layer that overflows to infinity: x · 10³⁰ · 10³⁰ in float32. */
    private static final class Overflow extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.mul(1e30).mul(1e30);
        }
    }

    @Test
    void overflowingLayerIsNamed() {
        Generator rng = new Generator(3);
        try (TensorDataset train = halfPlanes(64, 1); TensorDataset valid = halfPlanes(64, 2);
             Module model = new Sequential(new Linear(2, 4, rng), new Overflow(), new Linear(4, 2, rng))) {
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> train(model, train, valid, 1));
            assertEquals(1, e.step());
            assertTrue(e.location().startsWith("output of layer '1'"), e.location());
        }
    }

    /** √(0·x): the output is a finite 0, but √'s derivative at 0 is ∞, so the gradient below it is NaN. */
    private static final class InfiniteSlope extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.mul(0).sqrt();
        }
    }

    @Test
    void aNonFiniteGradientUnderAFiniteLossIsCaughtWithAndWithoutClipping() {
        for (double clip : new double[] {0, 1}) {
            Generator rng = new Generator(3);
            try (TensorDataset train = halfPlanes(64, 1);
                 Module model = new Sequential(new Linear(2, 4, rng), new InfiniteSlope(), new Linear(4, 2, rng))) {
                Trainer trainer = Trainer.builder(model, new CrossEntropyLoss(), new Adam(model.parameters(), 0.01))
                        .clipGradNorm(clip).build();
                NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                        () -> trainer.fit(DataLoader.builder(train).batchSize(32).build(), null), "clip " + clip);
                assertEquals(1, e.step(), "clip " + clip);
                assertTrue(e.getMessage().contains("a gradient is not finite"), e.getMessage());
                assertEquals("gradient of '0.weight' is not finite", e.location(), "clip " + clip);
            }
        }
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        try (TensorDataset train = halfPlanes(256, 1); TensorDataset valid = halfPlanes(100, 2); Module model = mlp(3)) {
            // From epoch 2 on, the first layer is zeroed after each epoch (after EarlyStopping has looked), so
            // the few steps of one epoch never get the validation loss back to epoch 2's.
            float[][] atBest = new float[1][];
            Callback scramble = new Callback() {
                @Override
                public void onEpochEnd(TrainingState state, EpochLog log) {
                    Tensor w = model.namedParameters().get("0.weight").value();
                    if (log.epoch() == 2) {
                        atBest[0] = w.toFloatArray();
                    }
                    if (log.epoch() >= 2) {
                        try (var off = Autograd.noGrad()) {
                            w.fill(0);
                        }
                    }
                }
            };
            EarlyStopping stop = new EarlyStopping("val_loss", 1, true);
            TrainResult result = train(model, train, valid, 10, stop, scramble);
            assertNotNull(result.stopReason());
            assertTrue(result.epochs() < 10, "ran " + result.epochs() + " epochs");
            assertEquals(2, stop.bestEpoch());
            assertArrayEqualsExactly(atBest[0], model.namedParameters().get("0.weight").value().toFloatArray());
        }
    }

    private static void assertArrayEqualsExactly(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 0, "element " + i);
        }
    }

    @Test
    void evaluateReturnsPredictionsAndProbabilities() {
        try (TensorDataset valid = halfPlanes(100, 2); Module model = mlp(3)) {
            Evaluation ev = Trainer.evaluate(model, new CrossEntropyLoss(), DataLoader.builder(valid).batchSize(33).build());
            assertEquals(100, ev.examples());
            assertEquals(100, ev.predictions().length);
            long[] truth = valid.targets().toLongArray();
            int correct = 0;
            for (int i = 0; i < 100; i++) {
                assertEquals(truth[i], ev.labels()[i]);
                double[] p = ev.probabilities()[i];
                assertEquals(1.0, p[0] + p[1], 1e-6);
                assertEquals(p[1] > p[0] ? 1 : 0, ev.predictions()[i]);
                correct += ev.predictions()[i] == truth[i] ? 1 : 0;
            }
            assertEquals(correct / 100.0, ev.accuracy(), 0);
            assertTrue(!model.isTraining(), "evaluation leaves the model in eval mode");
        }
    }

    @Test
    void aFailingOnTrainEndHidesNeitherTheRunsFailureNorTheOtherCallbacks() {
        try (TensorDataset train = halfPlanes(64, 1); TensorDataset valid = halfPlanes(64, 2); Module model = mlp(3)) {
            Callback broken = new Callback() {
                @Override
                public void onEpochStart(TrainingState state) {
                    try (var off = Autograd.noGrad()) {
                        model.namedParameters().get("0.weight").value().fill(Double.NaN);
                    }
                }

                @Override
                public void onTrainEnd(TrainingState state, Throwable failure) {
                    throw new IllegalStateException("callback bug");
                }
            };
            boolean[] laterRan = {false};
            Callback later = new Callback() {
                @Override
                public void onTrainEnd(TrainingState state, Throwable failure) {
                    laterRan[0] = true;
                }
            };
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> train(model, train, valid, 2, broken, later));
            assertEquals("callback bug", e.getSuppressed()[0].getMessage());
            assertTrue(laterRan[0], "the callback after the broken one still ran");
        }
    }

    @Test
    void aSecondFitDrawsNewShuffles() {
        try (TensorDataset train = halfPlanes(256, 1); TensorDataset valid = halfPlanes(64, 2); Module a = mlp(3); Module b = mlp(3)) {
            DataLoader loader = DataLoader.builder(train).batchSize(32).shuffle(7).build();
            DataLoader validation = DataLoader.builder(valid).batchSize(64).build();
            Trainer first = Trainer.builder(a, new CrossEntropyLoss(), new Adam(a.parameters(), 0.01)).epochs(1).build();
            first.fit(loader, validation);
            double secondRun = first.fit(loader, validation).history().getFirst().trainLoss();
            // b trains its first epoch on the loader's epoch 1, as the first fit's second epoch would: the same numbers
            Trainer other = Trainer.builder(b, new CrossEntropyLoss(), new Adam(b.parameters(), 0.01)).epochs(2).build();
            double secondEpoch = other.fit(DataLoader.builder(train).batchSize(32).shuffle(7).build(), validation).history().get(1).trainLoss();
            assertEquals(secondEpoch, secondRun, 1e-6);
        }
    }
}

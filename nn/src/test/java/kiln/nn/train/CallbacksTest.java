package kiln.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.engine.Generator;
import kiln.nn.Module;
import kiln.nn.io.Checkpoint;
import kiln.nn.layers.Linear;

class CallbacksTest {
    private static EpochLog log(int epoch, double trainAcc, double valAcc, double valLoss) {
        return new EpochLog(epoch, 0.5, trainAcc, valLoss, valAcc, 1e-3, 2.0, 1000);
    }

    private static TrainingState feed(Callback callback, EpochLog... logs) {
        TrainingState state = new TrainingState(null, null, logs.length, 10);
        for (EpochLog log : logs) {
            state.startEpoch(log.epoch());
            state.record(log);
            callback.onEpochEnd(state, log);
        }
        return state;
    }

    @Test
    void overfittingIsFlaggedOnlyWhenTheGapKeepsGrowing() {
        OverfittingMonitor monitor = new OverfittingMonitor(2, 0.01, null);
        feed(monitor, log(1, 0.80, 0.80, 1), log(2, 0.85, 0.84, 1), log(3, 0.88, 0.85, 1), log(4, 0.91, 0.85, 1));
        List<String> warnings = monitor.warnings();
        // gap 0, 1, 3, 6 points: two rises by epoch 3 (warned), a third at epoch 4 updates the same trend
        assertEquals(List.of("overfitting: the train-validation accuracy gap grew from 0.00% (epoch 1) to 6.00% (epoch 4)"), warnings);

        OverfittingMonitor twice = new OverfittingMonitor(2, 0.01, null);
        feed(twice, log(1, 0.80, 0.80, 1), log(2, 0.85, 0.84, 1), log(3, 0.88, 0.85, 1), log(4, 0.88, 0.86, 1),
                log(5, 0.90, 0.87, 1), log(6, 0.93, 0.88, 1));
        assertEquals(2, twice.warnings().size(), "gap 0, 1, 3, 2, 3, 5: two separate trends " + twice.warnings());

        OverfittingMonitor late = new OverfittingMonitor(2, 0.01, null);
        feed(late, log(1, 0.80, 0.80, 1), log(2, 0.803, 0.80, 1), log(3, 0.806, 0.80, 1), log(4, 0.82, 0.80, 1));
        assertEquals(List.of("overfitting: the train-validation accuracy gap grew from 0.00% (epoch 1) to 2.00% (epoch 4)"),
                late.warnings(), "a trend that crosses the threshold only in its third epoch");

        OverfittingMonitor calm = new OverfittingMonitor(2, 0.01, null);
        feed(calm, log(1, 0.80, 0.79, 1), log(2, 0.85, 0.83, 1), log(3, 0.86, 0.85, 1), log(4, 0.88, 0.86, 1));
        assertEquals(List.of(), calm.warnings(), "a gap that shrinks in between is not a trend");
    }

    @Test
    void earlyStoppingWaitsPatienceEpochs() {
        EarlyStopping stop = new EarlyStopping("val_accuracy", 2, false);
        TrainingState state = feed(stop, log(1, 0, 0.70, 1), log(2, 0, 0.75, 1), log(3, 0, 0.74, 1), log(4, 0, 0.75, 1));
        assertEquals(null, state.stopReason(), "two epochs without improvement are within patience 2");
        feed(stop, log(5, 0, 0.70, 1));
        assertEquals(2, stop.bestEpoch());
        assertEquals(0.75, stop.best());
    }

    @Test
    void earlyStoppingStartsAfreshForEachRun() {
        EarlyStopping stop = new EarlyStopping("val_accuracy", 1, false);
        TrainingState first = feed(stop, log(1, 0, 0.90, 1), log(2, 0, 0.80, 1), log(3, 0, 0.80, 1));
        assertTrue(first.stopReason() != null, "two epochs without a new best exceed patience 1");
        TrainingState second = new TrainingState(null, null, 2, 10);
        stop.onTrainStart(second);
        for (EpochLog log : List.of(log(1, 0, 0.60, 1), log(2, 0, 0.60, 1))) {
            second.startEpoch(log.epoch());
            second.record(log);
            stop.onEpochEnd(second, log);
        }
        assertEquals(null, second.stopReason(), "the first run's best (0.90) must not count against the second");
        assertEquals(1, stop.bestEpoch());
        assertEquals(0.60, stop.best());
    }

    @Test
    void bestCheckpointStartsAfreshForEachRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("best.safetensors");
        BestCheckpoint best = new BestCheckpoint(file, Monitor.of("val_accuracy"), Map.of());
        try (Module model = new Linear(2, 1, new Generator(1))) {
            for (double accuracy : new double[] {0.90, 0.60}) {   // the second run is worse than the first
                TrainingState state = new TrainingState(model, null, 1, 10);
                best.onTrainStart(state);
                EpochLog log = log(1, 0, accuracy, 1);
                state.startEpoch(1);
                state.record(log);
                best.onEpochEnd(state, log);
            }
            try (Checkpoint.Loaded loaded = Checkpoint.load(file, new Generator(2))) {
                assertEquals("0.6", loaded.metadata().get("kiln.val_accuracy"), "the file holds the second run's model");
            }
            assertEquals(0.60, best.best());
        }
    }

    @Test
    void monitorDirections() {
        assertTrue(Monitor.of("val_loss").minimize());
        assertTrue(!Monitor.of("val_accuracy").minimize());
        assertTrue(Monitor.of("val_loss").improves(0.5, Double.NaN));
        assertTrue(!new Monitor("val_loss", true, 0.1).improves(0.45, 0.5), "within minDelta is no improvement");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Monitor.of("val_acc"));
        assertTrue(e.getMessage().contains("val_accuracy"), e.getMessage());
    }

    @Test
    void metricsCsvHasOneRowPerEpoch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("metrics.csv");
        feed(new MetricsCsv(file), log(1, 0.8, 0.79, 0.6), new EpochLog(2, 0.25, 0.9, Double.NaN, Double.NaN, 1e-3, 1.5, 4000));
        List<String> lines = Files.readAllLines(file);
        assertEquals("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,epoch_seconds,samples_per_second,gap", lines.get(0));
        assertEquals("1,0.500000,0.800000,0.600000,0.790000,0.00100000,2.00000,1000.00,0.0100000", lines.get(1));
        assertEquals("2,0.250000,0.900000,,,0.00100000,1.50000,4000.00,", lines.get(2));
        assertEquals(3, lines.size());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void progressBarWritesOneSummaryLinePerEpochToALog() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        TrainingState state = new TrainingState(null, null, 2, 10);
        state.startEpoch(1);
        bar.onEpochStart(state);
        for (int i = 0; i < 10; i++) {
            state.finishStep();
            bar.onBatchEnd(state, 0.5, 32);
        }
        EpochLog first = log(1, 0.9, 0.88, 0.4);
        state.record(first);
        bar.onEpochEnd(state, first);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("epoch 1/2  train loss 0.5000 acc 90.00%  val loss 0.4000 acc 88.00%  gap +2.00%"), text);
        assertEquals("1m15s", ProgressBar.duration(75));
    }
}

package kiln.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.layers.Activation;
import kiln.nn.layers.BatchNorm1d;
import kiln.nn.layers.Dropout;
import kiln.nn.layers.LSTM;
import kiln.nn.layers.Linear;
import kiln.nn.layers.Sequential;

/** Checkpoints: one file rebuilds the model with its weights and metadata; files that do not fit are refused with the list of problems. */
class CheckpointTest {
    @TempDir
    Path dir;

    /** Linear, BatchNorm (buffers, an int64 count), ReLU, Dropout, Linear. */
    private static Module model(Generator rng) {
        return new Sequential(new Linear(5, 8, rng), new BatchNorm1d(8), Activation.relu(), new Dropout(0.5, rng), new Linear(8, 3, rng));
    }

    /** A model whose running statistics and step count are no longer the defaults. */
    private static Module trainedModel() {
        Module model = model(new Generator(1));
        try (MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            for (int step = 0; step < 3; step++) {
                model.forward(Tensor.randn(new Generator(10 + step), 6, 5));
            }
        }
        return model;
    }

    @Test
    void loadRebuildsTheModelWithItsWeightsInEvalModeAndTheMetadata() throws IOException {
        Path file = dir.resolve("best.safetensors");
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("kiln.classes", "[\"cat\", \"dog\", \"bird\"]");
        extra.put("kiln.dataset", "synthetic");
        try (Module original = trainedModel()) {
            Checkpoint.save(file, original, extra);
            original.eval();
            try (Checkpoint.Loaded loaded = Checkpoint.load(file, new Generator(99)); MemoryScope scope = MemoryScope.open()) {
                Module model = loaded.model();
                assertFalse(model.isTraining(), "a loaded model is ready to evaluate");
                assertEquals(List.of(Checkpoint.FORMAT_KEY, Checkpoint.ARCHITECTURE_KEY, "kiln.classes", "kiln.dataset"),
                        new ArrayList<>(loaded.metadata().keySet()));
                assertEquals("1", loaded.metadata().get(Checkpoint.FORMAT_KEY));
                assertEquals(Architecture.describe(original), loaded.metadata().get(Checkpoint.ARCHITECTURE_KEY));
                assertEquals("synthetic", loaded.metadata().get("kiln.dataset"));
                Map<String, Tensor> expected = original.stateDict();
                Map<String, Tensor> actual = model.stateDict();
                assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                        "1.num_batches_tracked", "4.weight", "4.bias"), new ArrayList<>(actual.keySet()), "PyTorch's state-dict names");
                assertArrayEquals(new long[] {3}, actual.get("1.num_batches_tracked").toLongArray());
                expected.forEach((name, t) -> assertArrayEquals(t.toDoubleArray(), actual.get(name).toDoubleArray(), name));
                Tensor x = Tensor.randn(new Generator(5), 4, 5);
                try (Autograd.NoGrad off = Autograd.noGrad()) {
                    assertArrayEquals(original.forward(x).toFloatArray(), model.forward(x).toFloatArray());
                }
            }
        }
    }

    @Test
    void loadWeightsWarmStartsAModelOfTheSameArchitectureAndKeepsItsMode() throws IOException {
        Path file = dir.resolve("w.safetensors");
        try (Module original = trainedModel(); Module fresh = model(new Generator(2))) {
            Checkpoint.save(file, original, Map.of());
            Checkpoint.loadWeights(file, fresh);
            assertTrue(fresh.isTraining());
            original.stateDict().forEach((name, t) -> assertArrayEquals(t.toDoubleArray(), fresh.stateDict().get(name).toDoubleArray(), name));
        }
    }

    @Test
    void aFileThatDoesNotFitIsRefusedWithEveryProblemAndTheModelIsUnchanged() throws IOException {
        Path file = dir.resolve("other.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("0.weight", Tensor.zeros(8, 4));                       // wrong shape
        tensors.put("0.bias", Tensor.zeros(DType.FLOAT64, 8));             // wrong dtype
        tensors.put("3.weight", Tensor.zeros(3));                           // unexpected; 2.weight and 2.bias are missing
        try (Module model = new Sequential(new Linear(5, 8, new Generator(3)), Activation.relu(), new Linear(8, 3, new Generator(4)))) {
            SafeTensors.write(file, tensors, Map.of());
            tensors.values().forEach(Tensor::close);
            double[] before = model.stateDict().get("0.weight").toDoubleArray();
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> Checkpoint.loadWeights(file, model));
            assertEquals("the tensors do not fit the model; missing: 2.weight, 2.bias; unexpected: 3.weight; "
                    + "mismatched: 0.weight (file F32[8, 4], model F32[8, 5]), 0.bias (file F64[8], model F32[8])", e.reason());
            assertArrayEquals(before, model.stateDict().get("0.weight").toDoubleArray(), "nothing was loaded");
        }
    }

    @Test
    void saveRefusesReservedMetadataKeysAndModelsItCannotDescribe() {
        Path file = dir.resolve("x.safetensors");
        try (Module model = model(new Generator(6)); Module lstm = new Sequential(new LSTM(2, 2, 1, new Generator(7)))) {
            assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, model, Map.of(Checkpoint.FORMAT_KEY, "9")));
            assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, model, Map.of(Checkpoint.ARCHITECTURE_KEY, "{}")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, lstm, Map.of()));
            assertTrue(e.getMessage().contains("LSTM"), e.getMessage());
        }
        assertFalse(Files.exists(file));
    }

    @Test
    void loadRefusesAFileThatIsNotAKilnCheckpointOfThisFormat() throws IOException {
        try (Tensor t = Tensor.ones(2)) {
            SafeTensors.write(dir.resolve("bare"), Map.of("weight", t), Map.of());
            SafeTensors.write(dir.resolve("future"), Map.of("weight", t), Map.of(Checkpoint.FORMAT_KEY, "2", Checkpoint.ARCHITECTURE_KEY, "{}"));
            SafeTensors.write(dir.resolve("headless"), Map.of("weight", t), Map.of(Checkpoint.FORMAT_KEY, "1"));
            SafeTensors.write(dir.resolve("evil"), Map.of("weight", t),
                    Map.of(Checkpoint.FORMAT_KEY, "1", Checkpoint.ARCHITECTURE_KEY, "{\"type\":\"java.lang.ProcessBuilder\"}"));
            SafeTensors.write(dir.resolve("mismatch"), Map.of("weight", t),
                    Map.of(Checkpoint.FORMAT_KEY, "1", Checkpoint.ARCHITECTURE_KEY, "{\"type\":\"Linear\",\"in_features\":2,\"out_features\":1,\"bias\":false}"));
        }
        assertLoadRefused("bare", "no \"kiln.format\" metadata: not a Kiln checkpoint");
        assertLoadRefused("future", "checkpoint format \"2\"; this Kiln reads format 1");
        assertLoadRefused("headless", "no \"kiln.architecture\" metadata");
        assertLoadRefused("evil", "invalid architecture: Architecture.build: model: unknown layer type \"java.lang.ProcessBuilder\"");
        assertLoadRefused("mismatch", "mismatched: weight (file F32[2], model F32[1, 2])");
    }

    private void assertLoadRefused(String name, String reasonFragment) {
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> Checkpoint.load(dir.resolve(name), new Generator(8)));
        assertTrue(e.reason().contains(reasonFragment), e.reason() + "\nshould contain: " + reasonFragment);
    }
}

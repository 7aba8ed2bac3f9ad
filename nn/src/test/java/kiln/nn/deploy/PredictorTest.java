package kiln.nn.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.engine.Autograd;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.data.prep.InvalidRowException;
import kiln.nn.io.Checkpoint;
import kiln.nn.io.InvalidFileException;
import kiln.nn.io.Json;
import kiln.nn.models.ModelZoo;

/**
 * A checkpoint as a predictor: the training pipeline's scaling, the model, the softmax; concurrent calls
 * agree with serial ones, for a perceptron and for a convolutional model.
 */
class PredictorTest {
    @TempDir
    static Path dir;
    private static MoonsModel.Saved saved;

    @BeforeAll
    static void train() throws IOException {
        saved = MoonsModel.train(dir);
    }

    @Test
    void predictsWhatTheModelSaysOfTheScaledRawRows() throws IOException {
        List<List<Object>> rows = saved.rows(0, 50);
        double[][] expected = new double[rows.size()][];
        // The same computation done here by hand: z = (x − mean) / std in float32, the saved weights, a softmax in float64.
        try (Checkpoint.Loaded loaded = Checkpoint.load(saved.file(), new Generator(9));
             MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            float[] z = new float[rows.size() * 2];
            for (int i = 0; i < rows.size(); i++) {
                for (int j = 0; j < 2; j++) {
                    z[2 * i + j] = (saved.testPoints()[i][j] - (float) saved.mean()[j]) / (float) saved.std()[j];
                }
            }
            float[] logits = loaded.model().forward(Tensor.fromArray(z, rows.size(), 2)).toFloatArray();
            for (int i = 0; i < rows.size(); i++) {
                double a = logits[2 * i];
                double b = logits[2 * i + 1];
                double m = Math.max(a, b);
                double sum = Math.exp(a - m) + Math.exp(b - m);
                expected[i] = new double[] {Math.exp(a - m) / sum, Math.exp(b - m) / sum};
            }
        }
        try (Predictor predictor = Predictor.load(dir)) {
            assertEquals(saved.file(), predictor.checkpoint());
            assertEquals(MoonsModel.CLASSES, predictor.classNames());
            Prediction prediction = predictor.predict(rows);
            assertEquals(rows.size(), prediction.size());
            for (int i = 0; i < rows.size(); i++) {
                assertArrayEquals(expected[i], prediction.probabilities()[i], 1e-6, "row " + i);
                int best = expected[i][1] > expected[i][0] ? 1 : 0;
                assertEquals(best, prediction.classes()[i], "row " + i);
                assertEquals(MoonsModel.CLASSES.get(best), prediction.names().get(i));
                assertEquals(expected[i][best], prediction.probability(i), 1e-6);
            }
        }
    }

    @Test
    void theTrainedModelClassifiesRawTestPoints() throws IOException {
        try (Predictor predictor = Predictor.load(saved.file())) {
            Prediction prediction = predictor.predict(saved.rows(0, saved.testPoints().length));
            int correct = 0;
            for (int i = 0; i < prediction.size(); i++) {
                correct += prediction.classes()[i] == saved.testLabels()[i] ? 1 : 0;
            }
            assertTrue(correct >= 0.95 * prediction.size(), correct + " of " + prediction.size() + " test points right");
        }
    }

    @Test
    void concurrentPredictionsEqualSerialOnes() throws Exception {
        List<List<List<Object>>> requests = new ArrayList<>();
        for (int c = 0; c < 64; c++) {
            int from = (c * 7) % 150;
            requests.add(saved.rows(from, from + 1 + c % 40));      // batches of 1 to 40 rows
        }
        try (Predictor predictor = Predictor.load(dir)) {
            assertConcurrentEqualSerial(predictor, requests);
        }
    }

    /**
     * The same for a convolutional model, whose float32 convolutions spread a batch's images over the
     * compute pool with an im2col buffer per thread (engine Convolution): callers at once must not share one.
     * The weights are LeNet's initial ones; what matters is that every call computes them the same way.
     */
    @Test
    void concurrentConvolutionalPredictionsEqualSerialOnes() throws Exception {
        Path lenet = Files.createDirectories(dir.resolve("lenet"));
        List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        try (Module model = ModelZoo.build("lenet", new int[] {1, 28, 28}, classes.size(), new Generator(5))) {
            Checkpoint.save(lenet.resolve(Predictor.CHECKPOINT_NAME), model, Map.of("kiln.dataset", "fashion-mnist",
                    "kiln.input_shape", "[1,28,28]", "kiln.classes", Json.write(classes)));
        }
        Generator rng = new Generator(6);
        List<List<Object>> images = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            List<Object> pixels = new ArrayList<>();
            for (int p = 0; p < 28 * 28; p++) {
                pixels.add((double) rng.nextLong(256));
            }
            images.add(pixels);
        }
        List<List<List<Object>>> requests = new ArrayList<>();
        for (int c = 0; c < 24; c++) {
            int from = (c * 5) % 36;
            requests.add(images.subList(from, from + 1 + c % 12));    // batches of 1 to 12 images
        }
        try (Predictor predictor = Predictor.load(lenet)) {
            double[][] first = predictor.predict(images.subList(0, 2)).probabilities();
            assertFalse(Arrays.equals(first[0], first[1]), "the model tells two images apart, so a mix-up would show");
            assertConcurrentEqualSerial(predictor, requests);
        }
    }

    /** Each request answered by 8 threads at once, 4 times over, gives bit for bit the probabilities it gives alone. */
    private static void assertConcurrentEqualSerial(Predictor predictor, List<List<List<Object>>> requests) throws Exception {
        List<double[][]> serial = new ArrayList<>();
        for (List<List<Object>> rows : requests) {
            serial.add(predictor.predict(rows).probabilities());
        }
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<double[][]>> concurrent = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (List<List<Object>> rows : requests) {
                    Callable<double[][]> call = () -> predictor.predict(rows).probabilities();
                    concurrent.add(clients.submit(call));
                }
            }
            for (int i = 0; i < concurrent.size(); i++) {
                double[][] got = concurrent.get(i).get();
                double[][] want = serial.get(i % requests.size());
                assertEquals(want.length, got.length, "call " + i);
                for (int r = 0; r < want.length; r++) {
                    assertArrayEquals(want[r], got[r], "call " + i + ", row " + r + ": bit for bit");
                }
            }
        } finally {
            clients.shutdown();
        }
    }

    @Test
    void predictionsFreeTheirTensorsAndCloseFreesTheModel() throws IOException {
        long before = NativeMemory.settledLiveBytes();
        Predictor predictor = Predictor.load(dir);
        long loaded = NativeMemory.liveBytes();
        for (int i = 0; i < 20; i++) {
            predictor.predict(saved.rows(0, 100));
        }
        assertEquals(loaded, NativeMemory.liveBytes(), "each prediction frees what it allocated");
        predictor.close();
        assertEquals(before, NativeMemory.liveBytes(), "close frees the model");
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> predictor.predict(saved.rows(0, 1)));
        assertTrue(closed.getMessage().startsWith("Predictor: closed"), closed.getMessage());
    }

    @Test
    void badRowsAreRefusedWithTheRow() throws IOException {
        try (Predictor predictor = Predictor.load(dir)) {
            InvalidRowException e = assertThrows(InvalidRowException.class,
                    () -> predictor.predict(List.of(List.of(1.0, 2.0), List.of(1.0, 2.0, 3.0))));
            assertEquals("row 1: 3 values; expected 2 numbers per row (shape [2])", e.getMessage());
        }
    }

    @Test
    void checkpointsThatDoNotSayWhatTheyTakeAreRefusedWithTheEntry() throws IOException {
        FileNotFoundException none = assertThrows(FileNotFoundException.class, () -> Predictor.load(dir.resolve("elsewhere")));
        assertTrue(none.getMessage().startsWith("no checkpoint at " + dir.resolve("elsewhere")), none.getMessage());

        Path bare = Files.createDirectories(dir.resolve("bare"));
        long before = NativeMemory.settledLiveBytes();
        try (Module model = MoonsModel.architecture(new Generator(1))) {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("kiln.input_shape", "[2]");
            Checkpoint.save(bare.resolve(Predictor.CHECKPOINT_NAME), model, metadata);
            InvalidFileException noClasses = assertThrows(InvalidFileException.class, () -> Predictor.load(bare));
            assertEquals("the metadata entry kiln.classes is not usable: missing: the class names are unknown", noClasses.reason());

            metadata.put("kiln.classes", "[\"a\",\"b\"]");
            metadata.put("kiln.preprocessing", "{\"type\":\"standard\"}");
            Checkpoint.save(bare.resolve(Predictor.CHECKPOINT_NAME), model, metadata);
            InvalidFileException badScaler = assertThrows(InvalidFileException.class, () -> Predictor.load(bare));
            assertTrue(badScaler.reason().startsWith("the metadata entry kiln.preprocessing is not usable: "), badScaler.reason());
        }
        assertEquals(before, NativeMemory.liveBytes(), "a refused checkpoint's model is freed");
    }
}

package kiln.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import kiln.engine.Autograd;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Golden;
import kiln.nn.Module;
import kiln.nn.io.Architecture;
import kiln.nn.io.Checkpoint;
import kiln.nn.io.Json;

/**
 * The named models: their layers and state-dict shapes, and weights written by PyTorch for the same
 * nn.Sequential (tools/reference/make_checkpoint_goldens.py) giving PyTorch's logits.
 */
@SuppressWarnings("unchecked")
class ModelZooTest {

    /** name → shape, in state-dict order. */
    private static Map<String, List<Integer>> shapes(Module model) {
        Map<String, List<Integer>> shapes = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> shapes.put(name, Arrays.stream(t.dims()).boxed().toList()));
        return shapes;
    }

    @Test
    void theDefaultMlpIs784To256To128ToClasses() {
        try (Module mlp = ModelZoo.build("mlp", new int[] {1, 28, 28}, 10, new Generator(1))) {
            Map<String, List<Integer>> expected = new LinkedHashMap<>();
            expected.put("1.weight", List.of(256, 784));
            expected.put("1.bias", List.of(256));
            expected.put("3.weight", List.of(128, 256));
            expected.put("3.bias", List.of(128));
            expected.put("5.weight", List.of(10, 128));
            expected.put("5.bias", List.of(10));
            assertEquals(expected, shapes(mlp));
            assertEquals(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, mlp.parameterCount());
        }
    }

    @Test
    void lenetIsThePeersLeNet5With61706Parameters() {
        try (Module lenet = ModelZoo.build("lenet", new int[] {1, 28, 28}, 10, new Generator(2))) {
            Map<String, List<Integer>> expected = new LinkedHashMap<>();
            expected.put("0.weight", List.of(6, 1, 5, 5));
            expected.put("0.bias", List.of(6));
            expected.put("3.weight", List.of(16, 6, 5, 5));
            expected.put("3.bias", List.of(16));
            expected.put("7.weight", List.of(120, 400));
            expected.put("7.bias", List.of(120));
            expected.put("9.weight", List.of(84, 120));
            expected.put("9.bias", List.of(84));
            expected.put("11.weight", List.of(10, 84));
            expected.put("11.bias", List.of(10));
            assertEquals(expected, shapes(lenet));
            // 6·25+6 + 16·6·25+16 + 400·120+120 + 120·84+84 + 84·10+10, the classic count
            assertEquals(61_706, lenet.parameterCount());
        }
    }

    @Test
    void cnnIsAWiderLenetAndEveryModelIsDescribable() {
        try (Module cnn = ModelZoo.build("cnn", new int[] {1, 28, 28}, 10, new Generator(3))) {
            Map<String, List<Integer>> shapes = shapes(cnn);
            assertEquals(List.of(16, 1, 5, 5), shapes.get("0.weight"));
            assertEquals(List.of(32, 16, 5, 5), shapes.get("3.weight"));
            assertEquals(List.of(120, 800), shapes.get("7.weight"), "32 channels of 5x5 after the second pool");
            // 16·25+16 + 32·16·25+32 + 800·120+120 + 120·84+84 + 84·10+10
            assertEquals(416 + 12_832 + 96_120 + 10_164 + 850, cnn.parameterCount());
        }
        for (String name : ModelZoo.names().keySet()) {
            try (Module model = ModelZoo.build(name, new int[] {3, 32, 32}, 5, new Generator(4)); MemoryScope scope = MemoryScope.open();
                 Autograd.NoGrad off = Autograd.noGrad()) {
                Architecture.describe(model);
                assertArrayEquals(new int[] {2, 5}, model.forward(Tensor.randn(new Generator(5), 2, 3, 32, 32)).dims(), name);
            }
        }
    }

    @Test
    void mlpTakesHiddenSizesAndAnyInputShape() {
        try (Module mlp = ModelZoo.build("mlp:512, 64,32", new int[] {4}, 3, new Generator(6));
             MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            assertEquals(List.of(512, 4), shapes(mlp).get("1.weight"));
            assertEquals(List.of(64, 512), shapes(mlp).get("3.weight"));
            assertEquals(List.of(32, 64), shapes(mlp).get("5.weight"));
            assertEquals(List.of(3, 32), shapes(mlp).get("7.weight"));
            assertArrayEquals(new int[] {7, 3}, mlp.forward(Tensor.randn(new Generator(7), 7, 4)).dims());
        }
        try (Module linear = ModelZoo.build("linear", new int[] {2, 3}, 4, new Generator(8))) {
            assertEquals(Map.of("1.weight", List.of(4, 6), "1.bias", List.of(4)), shapes(linear));
        }
    }

    /** The layer types in order, from the architecture description (which is also what a checkpoint rebuilds from). */
    private static List<String> layerTypes(Module model) {
        Map<String, Object> spec = (Map<String, Object>) Json.parse(Architecture.describe(model));
        return ((List<Map<String, Object>>) spec.get("layers")).stream().map(layer -> (String) layer.get("type")).toList();
    }

    @Test
    void widthMultipliesTheMlpsHiddenSizesAndDropoutFollowsEachHiddenRelu() {
        try (Module mlp = ModelZoo.build("mlp", new int[] {1, 28, 28}, 10, 0.5, 0.25, new Generator(1))) {
            assertEquals(List.of("Flatten", "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"), layerTypes(mlp));
            Map<String, List<Integer>> shapes = shapes(mlp);
            assertEquals(List.of(128, 784), shapes.get("1.weight"), "256 × 0.5");
            assertEquals(List.of(64, 128), shapes.get("4.weight"), "128 × 0.5");
            assertEquals(List.of(10, 64), shapes.get("7.weight"));
            assertTrue(Architecture.describe(mlp).contains("{\"type\":\"Dropout\",\"p\":0.25}"), Architecture.describe(mlp));
        }
        // Rounded to the nearest integer, at least one unit: 10 × 0.26 = 2.6 → 3, 10 × 0.01 = 0.1 → 1.
        try (Module narrow = ModelZoo.build("mlp:10,10", new int[] {4}, 2, 0.26, 0, new Generator(2));
             Module tiny = ModelZoo.build("mlp:10", new int[] {4}, 2, 0.01, 0, new Generator(2))) {
            assertEquals(List.of(3, 4), shapes(narrow).get("1.weight"));
            assertEquals(List.of(3, 3), shapes(narrow).get("3.weight"));
            assertEquals(List.of(1, 4), shapes(tiny).get("1.weight"));
        }
    }

    @Test
    void widthScalesLenetsFiltersAndHiddenUnitsAndDropoutPrecedesEachHiddenLinear() {
        try (Module lenet = ModelZoo.build("lenet", new int[] {1, 28, 28}, 10, 2, 0.5, new Generator(3))) {
            assertEquals(List.of("Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten",
                    "Dropout", "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Linear"), layerTypes(lenet));
            Map<String, List<Integer>> shapes = shapes(lenet);
            assertEquals(List.of(12, 1, 5, 5), shapes.get("0.weight"), "6 filters × 2");
            assertEquals(List.of(32, 12, 5, 5), shapes.get("3.weight"), "16 filters × 2");
            assertEquals(List.of(240, 32 * 5 * 5), shapes.get("8.weight"), "120 units × 2 after 32 channels of 5x5");
            assertEquals(List.of(168, 240), shapes.get("11.weight"), "84 × 2");
            assertEquals(List.of(10, 168), shapes.get("13.weight"));
        }
        try (Module cnn = ModelZoo.build("cnn", new int[] {1, 28, 28}, 10, 0.5, 0, new Generator(4))) {
            Map<String, List<Integer>> shapes = shapes(cnn);
            assertEquals(List.of(8, 1, 5, 5), shapes.get("0.weight"), "16 × 0.5");
            assertEquals(List.of(16, 8, 5, 5), shapes.get("3.weight"), "32 × 0.5");
            assertEquals(List.of(60, 400), shapes.get("7.weight"), "no dropout: LeNet's layer indices");
            assertEquals(List.of(42, 60), shapes.get("9.weight"));
        }
    }

    @Test
    void widthOneAndNoDropoutIsTheNamedModelWeightForWeight() {
        for (String name : List.of("mlp", "lenet", "cnn", "linear")) {
            try (Module plain = ModelZoo.build(name, new int[] {1, 28, 28}, 10, new Generator(5));
                 Module knobs = ModelZoo.build(name, new int[] {1, 28, 28}, 10, 1, 0, new Generator(5))) {
                assertEquals(Architecture.describe(plain), Architecture.describe(knobs), name);
                plain.stateDict().forEach((key, t) -> assertArrayEquals(t.toFloatArray(), knobs.stateDict().get(key).toFloatArray(), name + " " + key));
            }
        }
    }

    @Test
    void dropoutIsActiveInTrainingOnlyAndTheModelRebuildsFromItsDescription() {
        try (Module mlp = ModelZoo.build("mlp:64", new int[] {8}, 3, 1, 0.5, new Generator(6));
             Module rebuilt = Architecture.build(Architecture.describe(mlp), new Generator(7));
             MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            Tensor x = Tensor.randn(new Generator(8), 16, 8);
            mlp.train(true);
            float[] first = mlp.forward(x).toFloatArray();
            float[] second = mlp.forward(x).toFloatArray();
            assertTrue(!Arrays.equals(first, second), "two training passes drop different units");
            mlp.eval();
            assertArrayEquals(mlp.forward(x).toFloatArray(), mlp.forward(x).toFloatArray(), "evaluation is deterministic");
            assertEquals(Architecture.describe(mlp), Architecture.describe(rebuilt));
            assertEquals(shapes(mlp), shapes(rebuilt));
        }
    }

    @ParameterizedTest(name = "[{index}] {0} width {1} dropout {2}")
    @CsvSource(delimiter = '|', value = {
            "mlp    | 0     | 0    | the width must be a positive number, got 0.0",
            "mlp    | -1    | 0    | the width must be a positive number, got -1.0",
            "mlp    | NaN   | 0    | the width must be a positive number, got NaN",
            "lenet  | Infinity | 0 | the width must be a positive number, got Infinity",
            "mlp    | 1     | 1    | dropout must be in [0, 1), got 1.0",
            "cnn    | 1     | -0.1 | dropout must be in [0, 1), got -0.1",
            "linear | 2     | 0    | linear has no hidden layer to widen or drop out, got width 2.0 and dropout 0.0",
            "linear | 1     | 0.5  | linear has no hidden layer to widen or drop out, got width 1.0 and dropout 0.5",
    })
    void refusesWidthsAndDropoutsThatMakeNoModel(String name, double width, double dropout, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelZoo.build(name, new int[] {1, 28, 28}, 10, width, dropout, new Generator(9)));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "resnet   | unknown model \"resnet\" (known: linear, mlp, lenet, cnn)",
            "mlp:     | hidden sizes must be positive integers",
            "mlp:64,  | hidden sizes must be positive integers",
            "mlp:0    | hidden sizes must be positive integers",
            "mlp:x    | hidden sizes must be positive integers",
            "lenet:2  | the model lenet takes no options",
    })
    void refusesUnknownNamesAndBadOptions(String spec, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelZoo.build(spec, new int[] {1, 28, 28}, 10, new Generator(9)));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void refusesShapesAModelCannotTake() {
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class,
                () -> ModelZoo.build("lenet", new int[] {784}, 10, new Generator(10)));
        assertEquals("ModelZoo: lenet needs images [C, H, W] of at least 12x12, got [784]", flat.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelZoo.build("cnn", new int[] {1, 11, 28}, 10, new Generator(10)));
        assertThrows(IllegalArgumentException.class, () -> ModelZoo.build("mlp", new int[] {1, 0}, 10, new Generator(10)));
        assertThrows(IllegalArgumentException.class, () -> ModelZoo.build("mlp", new int[] {784}, 0, new Generator(10)));
    }

    /**
     * PyTorch's weights give PyTorch's logits. Float32 with sums of up to 784 products summed in
     * another order: differences of a few ulp of the partial sums (at most 5e-7 seen on logits below 2),
     * so |kiln − torch| ≤ 1e-5 + 1e-5·|torch|.
     */
    @ParameterizedTest(name = "[{index}] {0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "linear      | linear    | 1,28,28 | 10",
            "mlp_64_32   | mlp:64,32 | 1,28,28 | 10",
            "lenet       | lenet     | 1,28,28 | 10",
            "mlp_tabular | mlp:16,8  | 4       | 3",
    })
    void weightsWrittenByPyTorchLoadAndGivePyTorchsLogits(String golden, String spec, String inputShape, int classes)
            throws IOException, URISyntaxException {
        int[] shape = Arrays.stream(inputShape.split(",")).mapToInt(Integer::parseInt).toArray();
        try (Module model = ModelZoo.build(spec, shape, classes, new Generator(11))) {
            assertLogitsMatch(golden, model);
        }
    }

    /** A hand-written architecture (as a PyTorch user would write it) with BatchNorm buffers from PyTorch, int64 count included. */
    @Test
    void aPyTorchBatchNormModelLoadsIntoAnArchitectureBuiltFromJson() throws IOException, URISyntaxException {
        String json = """
                {"type": "Sequential", "layers": [
                  {"type": "Conv2d", "in_channels": 1, "out_channels": 4, "kernel_size": [3, 3], "stride": [1, 1],
                   "padding": [1, 1], "dilation": [1, 1], "groups": 1, "bias": true},
                  {"type": "BatchNorm2d", "num_features": 4, "eps": 1e-5, "momentum": 0.1},
                  {"type": "ReLU"},
                  {"type": "Flatten", "start_dim": 1, "end_dim": -1},
                  {"type": "Linear", "in_features": 144, "out_features": 3, "bias": true}]}""";
        try (Module model = Architecture.build(json, new Generator(12))) {
            assertLogitsMatch("batchnorm", model);
            assertArrayEquals(new long[] {3}, model.stateDict().get("1.num_batches_tracked").toLongArray());
        }
    }

    private static void assertLogitsMatch(String golden, Module model) throws IOException, URISyntaxException {
        Path weights = Path.of(ModelZooTest.class.getResource("/golden/checkpoints/" + golden + ".safetensors").toURI());
        Checkpoint.loadWeights(weights, model);
        model.eval();
        Golden expected = Golden.load("/golden/checkpoints/" + golden + ".txt");
        try (MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            float[] logits = model.forward(expected.tensor("X")).toFloatArray();
            float[] torch = expected.floats("logits");
            assertEquals(torch.length, logits.length);
            for (int i = 0; i < torch.length; i++) {
                assertEquals(torch[i], logits[i], 1e-5 + 1e-5 * Math.abs(torch[i]), golden + " logit " + i);
            }
        }
    }
}

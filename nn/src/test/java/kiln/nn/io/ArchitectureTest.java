package kiln.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import kiln.engine.Autograd;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.layers.Activation;
import kiln.nn.layers.AdaptiveAvgPool2d;
import kiln.nn.layers.AvgPool2d;
import kiln.nn.layers.BatchNorm1d;
import kiln.nn.layers.BatchNorm2d;
import kiln.nn.layers.Conv2d;
import kiln.nn.layers.Dropout;
import kiln.nn.layers.Flatten;
import kiln.nn.layers.LSTM;
import kiln.nn.layers.LayerNorm;
import kiln.nn.layers.Linear;
import kiln.nn.layers.MaxPool2d;
import kiln.nn.layers.Sequential;
import kiln.nn.layers.Window2d;

/** Models described as JSON and rebuilt: the format, the round trip of every layer type, and the refusals. */
class ArchitectureTest {

    @Test
    void describesLayersUnderPyTorchsArgumentNames() {
        Generator rng = new Generator(1);
        try (Module model = new Sequential(
                new Conv2d(Conv2d.options(1, 6, Window2d.of(5).padding(2)), rng),
                Activation.relu(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(4, 3, false, rng))) {
            assertEquals("{\"type\":\"Sequential\",\"layers\":["
                    + "{\"type\":\"Conv2d\",\"in_channels\":1,\"out_channels\":6,\"kernel_size\":[5,5],\"stride\":[1,1],"
                    + "\"padding\":[2,2],\"dilation\":[1,1],\"groups\":1,\"bias\":true},"
                    + "{\"type\":\"ReLU\"},"
                    + "{\"type\":\"MaxPool2d\",\"kernel_size\":[2,2],\"stride\":[2,2],\"padding\":[0,0],\"dilation\":[1,1]},"
                    + "{\"type\":\"Flatten\",\"start_dim\":1,\"end_dim\":-1},"
                    + "{\"type\":\"Linear\",\"in_features\":4,\"out_features\":3,\"bias\":false}]}", Architecture.describe(model));
        }
    }

    /** Every supported type, with options away from their defaults, nested one level. */
    private static Module everything(Generator rng) {
        return new Sequential(
                new Conv2d(Conv2d.options(2, 4, new Window2d(3, 2, 2, 1, 1, 0, 1, 2)).groups(2).bias(false), rng),
                new BatchNorm2d(4, 1e-3, 0.2),
                Activation.leakyRelu(0.2),
                new MaxPool2d(new Window2d(2, 2, 1, 2, 1, 0, 1, 1)),
                new AvgPool2d(2, 1, 1),
                new AdaptiveAvgPool2d(3, 2),
                new Flatten(1, -1),
                new Dropout(0.25, rng),
                new Linear(24, 10, rng),
                new LayerNorm(new int[] {10}, 1e-6, true),
                Activation.gelu(),
                new Sequential(new Linear(10, 8, false, rng), Activation.silu(), new BatchNorm1d(8, 2e-5, 0.05)),
                Activation.tanh(),
                Activation.sigmoid(),
                new LayerNorm(new int[] {8}, 1e-5, false),
                new Flatten(0, 1),
                Activation.softmax(-1));
    }

    @Test
    void everyLayerTypeRoundTripsWithTheSameStateAndOutput() {
        try (Module original = everything(new Generator(2))) {
            String json = Architecture.describe(original);
            try (Module rebuilt = Architecture.build(json, new Generator(3)); MemoryScope scope = MemoryScope.open()) {
                assertEquals(json, Architecture.describe(rebuilt), "describing the rebuilt model gives the same text");
                assertEquals(original.toString(), rebuilt.toString(), "the same layers with the same options");
                Map<String, Tensor> a = original.stateDict();
                Map<String, Tensor> b = rebuilt.stateDict();
                assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()));
                a.forEach((name, t) -> {
                    assertArrayEquals(t.dims(), b.get(name).dims(), name);
                    assertEquals(t.dtype(), b.get(name).dtype(), name);
                });
                rebuilt.loadStateDict(a);
                original.eval();
                rebuilt.eval();
                Tensor x = Tensor.randn(new Generator(4), 2, 2, 7, 6);
                try (Autograd.NoGrad off = Autograd.noGrad()) {
                    assertArrayEquals(original.forward(x).toFloatArray(), rebuilt.forward(x).toFloatArray());
                }
            }
        }
    }

    @Test
    void describeRefusesAModuleTypeItCannotRebuildNamingItAndWhereItIs() {
        Generator rng = new Generator(5);
        try (Module model = new Sequential(new Linear(2, 2, rng), new Sequential(Activation.relu(), new LSTM(2, 3, 1, rng)))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.describe(model));
            assertEquals("Architecture.describe: model.1.1 is a LSTM, a module type the architecture format cannot describe", e.getMessage());
        }
        Module custom = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> Architecture.describe(custom));
    }

    @Test
    void readsHandWrittenJsonWithWhitespaceAndIntegersForNumbers() {
        String json = """
                {"type": "Sequential", "layers": [
                   {"type": "Linear", "in_features": 3, "out_features": 2, "bias": true},
                   {"type": "LeakyReLU", "negative_slope": 0},
                   {"type": "Dropout", "p": 0}
                ]}""";
        try (Module model = Architecture.build(json, new Generator(6))) {
            Sequential s = assertInstanceOf(Sequential.class, model);
            assertEquals(3, s.size());
            assertEquals("LeakyReLU(0.0)", ((Activation) s.get(1)).name());
            assertEquals(0.0, ((Dropout) s.get(2)).p());
        }
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{\"type\":\"java.lang.Runtime\"}` | model: unknown layer type \"java.lang.Runtime\"",
            "`{\"type\":\"Sequential\",\"layers\":[{\"type\":\"ReLU\"},{\"type\":\"Evil\"}]}` | model.1: unknown layer type \"Evil\"",
            "`{\"layers\":[]}` | model: missing \"type\"",
            "`{\"type\":7}` | model: \"type\" must be a string, got 7",
            "`[]` | model must be a JSON object, got []",
            "`{\"type\":\"Linear\",\"in_features\":3,\"out_features\":2}` | model (Linear): missing \"bias\"",
            "`{\"type\":\"Linear\",\"in_features\":3,\"out_features\":2,\"bias\":true,\"biass\":true}` | model (Linear): unknown member \"biass\"",
            "`{\"type\":\"Linear\",\"in_features\":\"3\",\"out_features\":2,\"bias\":true}` | model (Linear): \"in_features\" must be an integer, got \"3\"",
            "`{\"type\":\"Linear\",\"in_features\":0,\"out_features\":2,\"bias\":true}` | model (Linear): \"in_features\" must be at least 1, got 0",
            "`{\"type\":\"Sequential\",\"layers\":[{\"type\":\"Conv2d\",\"in_channels\":3,\"out_channels\":4,\"kernel_size\":[3,3],\"stride\":[1,1],\"padding\":[0,0],\"dilation\":[1,1],\"groups\":2,\"bias\":true}]}` | model.0 (Conv2d): Conv2d: inChannels 3 is not divisible by groups 2",
            "`{\"type\":\"MaxPool2d\",\"kernel_size\":[2],\"stride\":[2,2],\"padding\":[0,0],\"dilation\":[1,1]}` | model (MaxPool2d): \"kernel_size\" must be [height, width], got [2]",
            "`{\"type\":\"AvgPool2d\",\"kernel_size\":[2,2],\"stride\":[2,2],\"padding\":[0,0],\"dilation\":[1,1]}` | model (AvgPool2d): unknown member \"dilation\"",
            "`{\"type\":\"Dropout\",\"p\":1.5}` | model (Dropout): Dropout: p must be in [0, 1), got 1.5",
            "`{\"type\":\"ReLU\",\"inplace\":true}` | model (ReLU): unknown member \"inplace\"",
            "`{\"type\":\"Sequential\",\"layers\":{}}` | model (Sequential): \"layers\" must be an array, got {}",
            "`{\"type\":\"Linear\",` | expected a string key, found end of input",
    })
    void buildRefusesWhatItCannotBuildNamingTheLayer(String json, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.build(json, new Generator(7)));
        assertTrue(e.getMessage().startsWith("Architecture.build: " + problem), e.getMessage() + "\nshould start with: " + problem);
    }
}

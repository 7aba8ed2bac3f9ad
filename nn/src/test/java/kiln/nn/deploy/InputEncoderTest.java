package kiln.nn.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;
import kiln.nn.data.prep.InvalidRowException;
import kiln.nn.io.Json;

/** Raw rows to tensors: pixels divided as training divided them, numbers as they are, bad rows refused with their row. */
class InputEncoderTest {
    private static String refusal(InputEncoder encoder, List<List<Object>> rows) {
        return assertThrows(InvalidRowException.class, () -> encoder.encode(rows).close()).getMessage();
    }

    @Test
    void pixelsAreDividedByTheirMaximumInFloat32AsFashionMnistTrainingDoes() {
        PixelEncoder encoder = new PixelEncoder(new int[] {1, 2, 2}, 255);
        assertEquals(4, encoder.width());
        // Long and Double values, as JSON parsing gives them.
        try (Tensor x = encoder.encode(List.of(List.of(0L, 255L, 17L, 128.0), List.of(1L, 2L, 3L, 254L)))) {
            assertArrayEquals(new int[] {2, 1, 2, 2}, x.dims());
            float[] expected = {0f, 1f, 17f / 255f, 128f / 255f, 1f / 255f, 2f / 255f, 3f / 255f, 254f / 255f};
            assertArrayEquals(expected, x.toFloatArray(), 0f);
        }
    }

    @Test
    void pixelRowsThatDoNotFitAreRefusedWithTheRowAndTheValue() {
        PixelEncoder encoder = new PixelEncoder(new int[] {1, 2, 2}, 255);
        assertEquals("row 1: 3 values; expected 4 pixel values in [0, 255] per row (images [1, 2, 2])",
                refusal(encoder, List.of(List.of(1, 2, 3, 4), List.of(1, 2, 3))));
        assertEquals("row 0: value 2: \"dark\" is not a number", refusal(encoder, List.of(Arrays.asList(1, 2, "dark", 4))));
        assertEquals("row 0: value 3: missing (null); this model takes numbers only", refusal(encoder, List.of(Arrays.asList(1, 2, 3, null))));
        assertEquals("row 0: value 0: 256.0 is outside the pixel range [0, 255]", refusal(encoder, List.of(List.of(256, 0, 0, 0))));
        assertEquals("row 0: value 1: -1.0 is outside the pixel range [0, 255]", refusal(encoder, List.of(List.of(0, -1, 0, 0))));
        assertEquals("row 0: missing (null); expected 4 pixel values in [0, 255] per row (images [1, 2, 2])",
                refusal(encoder, Arrays.asList((List<Object>) null)));
        assertEquals("no rows: send at least one row of 4 pixel values in [0, 255] per row (images [1, 2, 2])",
                refusal(encoder, List.of()));
        InvalidRowException e = assertThrows(InvalidRowException.class, () -> encoder.encode(List.of(List.of(1, 2, 3, 4), List.of(1))));
        assertEquals(1, e.row());
        assertEquals("1 value; expected 4 pixel values in [0, 255] per row (images [1, 2, 2])", e.problem());
    }

    @Test
    void numbersAreUsedAsTheyAreAndMustBeFiniteFloats() {
        NumberEncoder encoder = new NumberEncoder(new int[] {3});
        try (Tensor x = encoder.encode(List.of(List.of(-1.5, 2L, 1e30)))) {
            assertArrayEquals(new int[] {1, 3}, x.dims());
            assertArrayEquals(new float[] {-1.5f, 2f, 1e30f}, x.toFloatArray(), 0f);
        }
        assertEquals("row 0: value 2: 1.0E39 is beyond float32's range", refusal(encoder, List.of(List.of(0, 0, 1e39))));
        assertEquals("row 0: value 0: NaN is not a finite number", refusal(encoder, List.of(List.of(Double.NaN, 0, 0))));
        assertEquals("row 0: value 1: true is not a number", refusal(encoder, List.of(List.of(0, true, 0))));
    }

    @Test
    void configsRoundTripAndTheDispatchNamesUnknownTypes() {
        for (InputEncoder encoder : List.of(new PixelEncoder(new int[] {1, 28, 28}, 255), new NumberEncoder(new int[] {4, 2}))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = (Map<String, Object>) Json.parse(Json.write(encoder.config()));
            InputEncoder rebuilt = InputEncoder.fromConfig(parsed);
            assertEquals(encoder.getClass(), rebuilt.getClass());
            assertArrayEquals(encoder.shape(), rebuilt.shape());
            assertEquals(encoder.describe(), rebuilt.describe());
        }
        assertEquals("{\"type\":\"pixels\",\"shape\":[1,28,28],\"max\":255}", Json.write(new PixelEncoder(new int[] {1, 28, 28}, 255).config()));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> InputEncoder.fromConfig(Map.of("type", "audio")));
        assertEquals("InputEncoder.fromConfig: unknown type \"audio\" (known: \"pixels\", \"numbers\", \"table\")", unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InputEncoder.fromConfig(Map.of("type", "numbers", "shape", List.of(2, 0))));
        assertThrows(IllegalArgumentException.class, () -> new PixelEncoder(new int[] {1, 28, 28}, 0));
    }

    @Test
    void fromMetadataReadsKilnInputOrDerivesItFromTheDataset() {
        InputEncoder saved = InputEncoder.fromMetadata(Map.of(InputEncoder.METADATA_KEY, "{\"type\":\"numbers\",\"shape\":[5]}",
                "kiln.dataset", "fashion-mnist", "kiln.input_shape", "[1,28,28]"));
        assertInstanceOf(NumberEncoder.class, saved, "kiln.input wins over the derivation");
        assertEquals(5, saved.width());

        InputEncoder fashion = InputEncoder.fromMetadata(Map.of("kiln.dataset", "fashion-mnist", "kiln.input_shape", "[1,28,28]"));
        PixelEncoder pixels = assertInstanceOf(PixelEncoder.class, fashion);
        assertEquals(255, pixels.max());
        assertArrayEquals(new int[] {1, 28, 28}, pixels.shape());

        InputEncoder moons = InputEncoder.fromMetadata(Map.of("kiln.dataset", "moons", "kiln.input_shape", "[2]"));
        assertInstanceOf(NumberEncoder.class, moons);
        assertArrayEquals(new int[] {2}, moons.shape());

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> InputEncoder.fromMetadata(Map.of("kiln.dataset", "moons")));
        assertEquals("no kiln.input or kiln.input_shape metadata: the input the model takes is unknown", none.getMessage());
    }
}

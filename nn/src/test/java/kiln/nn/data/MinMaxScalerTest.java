package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.data.FeatureScaler.Scope;

class MinMaxScalerTest {

    @Test
    void mapsEachTrainingColumnOntoTheUnitInterval() {
        // Columns 2 4 6 and −1 −1 3: to (x − 2) / 4 and (x + 1) / 4.
        try (Tensor train = Tensor.fromArray(new float[] {2, -1, 4, -1, 6, 3}, 3, 2);
             Tensor test = Tensor.fromArray(new float[] {8, -3}, 1, 2)) {
            MinMaxScaler scaler = MinMaxScaler.perFeature().fit(train);
            assertArrayEquals(new double[] {2, -1}, scaler.min(), 0);
            assertArrayEquals(new double[] {6, 3}, scaler.max(), 0);
            try (Tensor z = scaler.transform(train); Tensor zTest = scaler.transform(test)) {
                assertArrayEquals(new float[] {0, 0, 0.5f, 0, 1, 1}, z.toFloatArray(), 0);
                assertArrayEquals(new float[] {1.5f, -0.5f}, zTest.toFloatArray(), 0, "held-out values are not clipped");
            }
        }
    }

    @Test
    void mapsOntoAGivenRange() {
        try (Tensor train = Tensor.fromArray(new float[] {2, 4, 6}, 3, 1)) {
            MinMaxScaler scaler = MinMaxScaler.perFeature(-1, 1).fit(train);
            try (Tensor z = scaler.transform(train)) {
                assertArrayEquals(new float[] {-1, 0, 1}, z.toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void globalScalingUsesTheExtremesOfAllValues() {
        // Pixel values 0..255 as in an image dataset: to x / 255.
        try (Tensor images = Tensor.fromArray(new float[] {0, 51, 102, 255, 17, 34, 68, 85}, 2, 1, 2, 2)) {
            MinMaxScaler scaler = MinMaxScaler.global().fit(images);
            assertEquals(Scope.GLOBAL, scaler.scope());
            try (Tensor z = scaler.transform(images)) {
                assertArrayEquals(new float[] {0, 0.2f, 0.4f, 1, 1 / 15f, 2 / 15f, 4 / 15f, 1 / 3f}, z.toFloatArray(), 1e-7f);
            }
        }
    }

    @Test
    void aConstantFeatureMapsToTheLowEnd() {
        try (Tensor train = Tensor.fromArray(new float[] {1, 7, 3, 7}, 2, 2); Tensor test = Tensor.fromArray(new float[] {1, 9}, 1, 2)) {
            MinMaxScaler scaler = MinMaxScaler.perFeature(-1, 1).fit(train);
            try (Tensor z = scaler.transform(train); Tensor zTest = scaler.transform(test)) {
                assertArrayEquals(new float[] {-1, -1, 1, -1}, z.toFloatArray(), 1e-6f);
                // Range taken as 1, stretched by (high − low) = 2: 9 maps to −1 + (9 − 7) · 2.
                assertArrayEquals(new float[] {-1, 3}, zTest.toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void inverseAndConfigRoundTrip() {
        try (Tensor x = Tensor.randn(new Generator(4), 25, 3).mul(5)) {
            MinMaxScaler scaler = MinMaxScaler.perFeature(-2, 3).fit(x);
            Map<String, Object> config = scaler.config();
            assertEquals("minmax", config.get("type"));
            assertEquals(-2.0, config.get("low"));
            MinMaxScaler rebuilt = assertInstanceOf(MinMaxScaler.class, FeatureScaler.fromConfig(config));
            try (Tensor z = scaler.transform(x); Tensor again = rebuilt.transform(x); Tensor back = rebuilt.inverseTransform(z)) {
                assertArrayEquals(z.toFloatArray(), again.toFloatArray(), 0);
                assertArrayEquals(x.toFloatArray(), back.toFloatArray(), 1e-5f);
                float[] values = z.toFloatArray();
                for (float value : values) {
                    assertEquals(0.5, value, 2.5 + 1e-6, "inside [low, high] on the training data");
                }
            }
        }
    }

    @Test
    void refusesAnEmptyOrReversedRangeAndReversedExtremes() {
        assertThrows(IllegalArgumentException.class, () -> MinMaxScaler.perFeature(1, 1));
        assertThrows(IllegalArgumentException.class, () -> MinMaxScaler.global(2, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new MinMaxScaler(Scope.PER_FEATURE, new double[] {3}, new double[] {2}, 0, 1));
    }
}

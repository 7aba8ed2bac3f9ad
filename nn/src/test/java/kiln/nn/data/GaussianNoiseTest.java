package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;

class GaussianNoiseTest {

    private static Batch zeros(int n, int... featureShape) {
        int[] dims = new int[featureShape.length + 1];
        dims[0] = n;
        System.arraycopy(featureShape, 0, dims, 1, featureShape.length);
        return new Batch(Tensor.zeros(dims), Tensor.zeros(DType.INT64, n));
    }

    @Test
    void noiseHasMeanZeroAndTheGivenDeviation() {
        int values = 100 * 20 * 20;
        try (Batch batch = zeros(100, 1, 20, 20); Batch noisy = new GaussianNoise(0.5).apply(batch, new Generator(6))) {
            assertSame(batch, noisy, "changed in place");
            double sum = 0;
            double squares = 0;
            for (float value : noisy.features().toFloatArray()) {
                sum += value;
                squares += value * value;
            }
            double mean = sum / values;
            double std = Math.sqrt(squares / values - mean * mean);
            // Standard error of the mean 0.5 / 200 = 0.0025; of the deviation about 0.5 / √(2·40000) ≈ 0.0018.
            assertEquals(0, mean, 4 * 0.0025);
            assertEquals(0.5, std, 4 * 0.0018);
        }
    }

    @Test
    void addsToTheValuesAlreadyThereDeterministically() {
        try (Batch a = new Batch(Tensor.full(3, DType.FLOAT32, 10, 4), Tensor.zeros(DType.INT64, 10));
             Batch b = new Batch(Tensor.full(3, DType.FLOAT32, 10, 4), Tensor.zeros(DType.INT64, 10));
             Batch c = new Batch(Tensor.full(3, DType.FLOAT32, 10, 4), Tensor.zeros(DType.INT64, 10))) {
            GaussianNoise noise = new GaussianNoise(0.1);
            float[] first = noise.apply(a, new Generator(1)).features().toFloatArray();
            float[] again = noise.apply(b, new Generator(1)).features().toFloatArray();
            float[] other = noise.apply(c, new Generator(2)).features().toFloatArray();
            assertArrayEquals(first, again);
            assertFalse(Arrays.equals(first, other));
            Generator replay = new Generator(1);
            assertEquals((float) (3 + 0.1f * (float) replay.nextGaussian()), first[0], 1e-6f, "one normal draw per value, in order");
        }
    }

    @Test
    void zeroDeviationChangesNothing() {
        try (Batch batch = HorizontalFlipTest.countingImages(2, 1, 2, 2)) {
            float[] before = batch.features().toFloatArray();
            new GaussianNoise(0).apply(batch, new Generator(3));
            assertArrayEquals(before, batch.features().toFloatArray());
        }
    }

    @Test
    void leavesNoTemporariesBehind() {
        try (Batch batch = zeros(8, 3, 4, 4)) {
            long before = NativeMemory.settledLiveBytes();
            new GaussianNoise(1).apply(batch, new Generator(0));
            assertEquals(before, NativeMemory.settledLiveBytes());
        }
    }

    @Test
    void refusesABadDeviationOrIntegerFeatures() {
        assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(Double.POSITIVE_INFINITY));
        try (Batch integers = new Batch(Tensor.zeros(DType.INT64, 2, 2), Tensor.zeros(DType.INT64, 2))) {
            assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(1).apply(integers, new Generator(0)));
        }
    }
}

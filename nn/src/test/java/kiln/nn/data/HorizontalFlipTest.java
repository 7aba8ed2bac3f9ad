package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;

class HorizontalFlipTest {

    /** n images [channels, height, width] whose pixels count up from 1, labelled 0 .. n−1. */
    static Batch countingImages(int n, int channels, int height, int width) {
        float[] pixels = new float[n * channels * height * width];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i + 1;
        }
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i;
        }
        return new Batch(Tensor.fromArray(pixels, n, channels, height, width), Tensor.fromArray(labels, n));
    }

    @Test
    void mirrorsTheChosenImagesLeftToRight() {
        try (Batch batch = countingImages(2, 1, 2, 3); Tensor flipped = HorizontalFlip.flip(batch.features(), new boolean[] {true, false})) {
            // Image 0: rows 1 2 3 and 4 5 6 become 3 2 1 and 6 5 4; image 1 unchanged.
            assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 7, 8, 9, 10, 11, 12}, flipped.toFloatArray());
        }
        try (Batch batch = countingImages(1, 2, 1, 4); Tensor flipped = HorizontalFlip.flip(batch.features(), new boolean[] {true})) {
            assertArrayEquals(new float[] {4, 3, 2, 1, 8, 7, 6, 5}, flipped.toFloatArray(), "every channel");
        }
    }

    @Test
    void probabilityOneFlipsEveryImageAndZeroNone() {
        Batch batch = countingImages(3, 1, 1, 2);
        Batch same = new HorizontalFlip(0).apply(batch, new Generator(1));
        assertSame(batch, same, "nothing to change, nothing copied");
        try (Batch flipped = new HorizontalFlip(1).apply(same, new Generator(1))) {
            assertArrayEquals(new float[] {2, 1, 4, 3, 6, 5}, flipped.features().toFloatArray());
            assertArrayEquals(new long[] {0, 1, 2}, flipped.targets().toLongArray());
        }
    }

    @Test
    void flipsAnImageWhenItsDrawFallsBelowP() {
        int n = 64;
        Generator replay = new Generator(9);
        boolean[] expected = new boolean[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            expected[i] = replay.nextDouble() < 0.3;
            count += expected[i] ? 1 : 0;
        }
        assertTrue(count > 5 && count < n - 5, "a mixed case: " + count + " of " + n);
        try (Batch batch = countingImages(n, 1, 1, 2); Batch flipped = new HorizontalFlip(0.3).apply(batch, new Generator(9))) {
            float[] pixels = flipped.features().toFloatArray();
            for (int i = 0; i < n; i++) {
                float left = 2 * i + 1;
                assertEquals(expected[i] ? left + 1 : left, pixels[2 * i], "image " + i);
            }
        }
    }

    @Test
    void closesTheFeaturesItReplaces() {
        long before = NativeMemory.settledLiveBytes();
        Batch batch = countingImages(4, 1, 3, 3);
        Tensor original = batch.features();
        Batch flipped = new HorizontalFlip(1).apply(batch, new Generator(2));
        assertTrue(original.isClosed());
        assertSame(batch.targets(), flipped.targets());
        flipped.close();
        assertEquals(before, NativeMemory.settledLiveBytes());
    }

    @Test
    void refusesABadProbabilityOrANonImageBatch() {
        assertThrows(IllegalArgumentException.class, () -> new HorizontalFlip(1.5));
        assertThrows(IllegalArgumentException.class, () -> new HorizontalFlip(Double.NaN));
        try (Batch flat = new Batch(Tensor.zeros(2, 4), Tensor.zeros(DType.INT64, 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HorizontalFlip(0.5).apply(flat, new Generator(0)));
            assertTrue(e.getMessage().startsWith("HorizontalFlip"), e.getMessage());
        }
    }
}

package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;

class RandomCropTest {

    /** Crops image 1 2 3 / 4 5 6 / 7 8 9 (padded by 1 to 5×5) at one offset. */
    private static float[] cropOfNine(int top, int left) {
        try (Batch batch = HorizontalFlipTest.countingImages(1, 1, 3, 3);
             Tensor cropped = new RandomCrop(3, 1).crop(batch.features(), new int[] {top}, new int[] {left})) {
            return cropped.toFloatArray();
        }
    }

    @Test
    void cutsTheWindowAtAKnownOffsetOfThePaddedImage() {
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 0, 4, 5}, cropOfNine(0, 0));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, cropOfNine(1, 1), "offset (padding, padding) is the identity");
        assertArrayEquals(new float[] {5, 6, 0, 8, 9, 0, 0, 0, 0}, cropOfNine(2, 2));
        assertArrayEquals(new float[] {0, 0, 0, 2, 3, 0, 5, 6, 0}, cropOfNine(0, 2));
    }

    @Test
    void cropsEveryChannelAndExampleAtItsOwnOffset() {
        // Two examples of two 2×3 channels, no padding, a 2×2 window at left 1 for example 0 and left 0 for example 1.
        try (Batch batch = HorizontalFlipTest.countingImages(2, 2, 2, 3);
             Tensor cropped = new RandomCrop(2, 0).crop(batch.features(), new int[] {0, 0}, new int[] {1, 0})) {
            assertArrayEquals(new int[] {2, 2, 2, 2}, cropped.dims());
            assertArrayEquals(new float[] {2, 3, 5, 6, 8, 9, 11, 12, 13, 14, 16, 17, 19, 20, 22, 23}, cropped.toFloatArray());
        }
    }

    @Test
    void drawsTopThenLeftPerExampleFromTheGenerator() {
        int n = 8;
        Generator replay = new Generator(21);
        int[] tops = new int[n];
        int[] lefts = new int[n];
        for (int i = 0; i < n; i++) {
            tops[i] = (int) replay.nextLong(5);      // 4 + 2·2 − 4 + 1 positions
            lefts[i] = (int) replay.nextLong(3);     // 2 + 2·2 − 4 + 1
        }
        RandomCrop crop = new RandomCrop(4, 2);
        try (Batch batch = HorizontalFlipTest.countingImages(n, 3, 4, 2);
             Tensor expected = crop.crop(batch.features(), tops, lefts);
             Batch cropped = crop.apply(batch, new Generator(21))) {
            assertArrayEquals(new int[] {n, 3, 4, 4}, cropped.features().dims());
            assertArrayEquals(expected.toFloatArray(), cropped.features().toFloatArray());
            assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, cropped.targets().toLongArray());
        }
    }

    @Test
    void everyOffsetFromZeroToTwicePaddingOccurs() {
        // One pixel padded by 2 (5×5) and cropped 3×3: offsets 0..2; the pixel lands at (2 − top, 2 − left).
        int n = 200;
        try (Batch batch = new Batch(Tensor.ones(n, 1, 1, 1), Tensor.zeros(DType.INT64, n));
             Batch cropped = new RandomCrop(3, 2).apply(batch, new Generator(4))) {
            float[] pixels = cropped.features().toFloatArray();
            Set<Integer> positions = new HashSet<>();
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < 9; p++) {
                    if (pixels[9 * i + p] == 1) {
                        positions.add(p);
                    }
                }
            }
            assertEquals(9, positions.size(), "all 3 × 3 offsets drawn");
        }
    }

    @Test
    void closesTheFeaturesItReplaces() {
        long before = NativeMemory.settledLiveBytes();
        Batch batch = HorizontalFlipTest.countingImages(4, 1, 6, 6);
        Tensor original = batch.features();
        Batch cropped = new RandomCrop(6, 2).apply(batch, new Generator(3));
        assertTrue(original.isClosed());
        assertSame(batch.targets(), cropped.targets());
        cropped.close();
        assertEquals(before, NativeMemory.settledLiveBytes());
    }

    @Test
    void refusesWindowsThatDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(3, -1));
        try (Batch batch = HorizontalFlipTest.countingImages(1, 1, 3, 3)) {
            IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                    () -> new RandomCrop(6, 1).apply(batch, new Generator(0)));
            assertTrue(tooBig.getMessage().startsWith("RandomCrop"), tooBig.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new RandomCrop(3, 1).crop(batch.features(), new int[] {3}, new int[] {0}));
            assertThrows(IllegalArgumentException.class, () -> new RandomCrop(3, 1).crop(batch.features(), new int[] {0, 0}, new int[] {0, 0}));
        }
    }
}

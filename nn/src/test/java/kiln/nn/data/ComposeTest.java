package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;

class ComposeTest {

    @Test
    void appliesTheTransformsInOrderSharingOneGenerator() {
        BatchTransform crop = new RandomCrop(3, 1);
        BatchTransform noise = new GaussianNoise(0.2);
        Generator stepwise = new Generator(12);
        try (Batch expected = noise.apply(crop.apply(HorizontalFlipTest.countingImages(5, 2, 3, 3), stepwise), stepwise);
             Batch composed = new Compose(crop, noise).apply(HorizontalFlipTest.countingImages(5, 2, 3, 3), new Generator(12))) {
            assertArrayEquals(expected.features().toFloatArray(), composed.features().toFloatArray());
        }
    }

    @Test
    void twoCertainFlipsCancelAndNoTransformsChangeNothing() {
        try (Batch batch = HorizontalFlipTest.countingImages(2, 1, 2, 3)) {
            float[] before = batch.features().toFloatArray();
            try (Batch twice = new Compose(new HorizontalFlip(1), new HorizontalFlip(1)).apply(batch, new Generator(0))) {
                assertArrayEquals(before, twice.features().toFloatArray());
            }
        }
        try (Batch batch = HorizontalFlipTest.countingImages(1, 1, 1, 1)) {
            assertSame(batch, new Compose().apply(batch, new Generator(0)));
        }
    }
}

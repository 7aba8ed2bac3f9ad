package kiln.nn.data.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;
import kiln.nn.data.TensorDataset;
import kiln.nn.io.Json;

/** The audit of an image dataset, on tiny 2x2 images with planted duplicates, leakage, a blank image and imbalance. */
class ImageAuditTest {
    private static final List<String> CLASSES = List.of("dark", "light");

    /** Images of 1x2x2 pixels, one row of {@code pixels} each, and their labels. */
    private static TensorDataset images(float[][] pixels, long... labels) {
        float[] flat = new float[pixels.length * 4];
        for (int i = 0; i < pixels.length; i++) {
            System.arraycopy(pixels[i], 0, flat, 4 * i, 4);
        }
        return new TensorDataset(Tensor.fromArray(flat, pixels.length, 1, 2, 2), Tensor.fromArray(labels, labels.length));
    }

    private static final float[][] TRAIN = {
            {0, 1, 2, 3}, {1, 1, 1, 1}, {0, 1, 2, 3}, {3, 2, 1, 0}, {5, 5, 5, 6}, {0, 0, 1, 0}};   // image 2 repeats 0; 1 is blank
    private static final float[][] TEST = {{3, 2, 1, 0}, {9, 9, 9, 8}, {9, 9, 9, 8}};          // 0 is train image 3; 2 repeats 1

    private static ImageAudit audit() {
        try (TensorDataset train = images(TRAIN, 0, 0, 0, 1, 0, 0); TensorDataset test = images(TEST, 1, 0, 0)) {
            return ImageAudit.of("tiny", train, test, CLASSES);
        }
    }

    @Test
    void findsDuplicatesWithinEachSetAndLeakageBetweenThem() {
        ImageAudit audit = audit();
        assertEquals(List.of(new DuplicateRows.Repeat(2, 0)), audit.train().duplicates().examples());
        assertEquals(List.of(new DuplicateRows.Repeat(2, 1)), audit.test().duplicates().examples());
        assertEquals(List.of(new DuplicateRows.Repeat(0, 3)), audit.leakage().examples());
        assertEquals(List.of(1, 2, 2), audit.imageShape());
    }

    @Test
    void pixelStatisticsMatchATwoPassComputation() {
        double sum = 0;
        for (float[] image : TRAIN) {
            for (float v : image) {
                sum += v;
            }
        }
        double mean = sum / 24;
        double squares = 0;
        for (float[] image : TRAIN) {
            for (float v : image) {
                squares += (v - mean) * (v - mean);
            }
        }
        PixelSummary pixels = audit().train().pixels();
        assertEquals(24, pixels.pixels());
        assertEquals(0, pixels.min());
        assertEquals(6, pixels.max());
        assertEquals(mean, pixels.mean(), 1e-14);
        assertEquals(Math.sqrt(squares / 24), pixels.std(), 1e-14);
        assertEquals(1, pixels.blankImages());
    }

    @Test
    void everyPlantedProblemIsAFinding() {
        ImageAudit audit = audit();
        List<String> problems = audit.findings().stream().map(f -> f.subject() + ": " + f.problem()).toList();
        assertEquals(List.of(
                "train images: 1 duplicate image: image 2 repeats image 0",
                "train images: 1 blank image (one value in every pixel)",
                "test images: 1 duplicate image: image 2 repeats image 1",
                "test images: 1 image also in train: image 0 repeats train image 3",
                "target 'train labels': imbalanced: the largest class, 'dark', has 5 examples, the smallest, 'light', 1 (ratio 5.0 >= 3)"),
                problems);
        assertEquals(6.0 / (2 * 5), audit.train().classBalance().classes().get(0).weight(), 1e-15, "6 / (2 * 5)");
        String text = audit.format();
        assertTrue(text.startsWith("tiny: 6 training and 3 test images of 1x2x2, 2 classes"), text);
        assertTrue(text.contains("test images also in train: 1 (image 0 repeats train image 3)"), text);
        assertTrue(text.contains("findings (5):"), text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJsonHoldsBothSetsAndTheLeakage() {
        Map<String, Object> json = (Map<String, Object>) Json.parse(Json.write(audit().toJson()));
        Map<String, Object> train = (Map<String, Object>) json.get("train");
        assertEquals(6L, train.get("images"));
        assertEquals(1L, ((Map<String, Object>) train.get("pixels")).get("blank_images"));
        Map<String, Object> leak = ((List<Map<String, Object>>) ((Map<String, Object>) json.get("leakage")).get("examples")).getFirst();
        assertEquals(Map.of("image", 0L, "repeats_image", 3L), leak);
        assertEquals(5, ((List<?>) json.get("findings")).size());
    }

    @Test
    void refusesSetsOfDifferentShapes() {
        try (TensorDataset train = images(TRAIN, 0, 0, 0, 1, 0, 0);
             TensorDataset test = new TensorDataset(Tensor.fromArray(new float[9], 1, 1, 3, 3), Tensor.fromArray(new long[] {0}, 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageAudit.of("x", train, test, CLASSES));
            assertTrue(e.getMessage().contains("[1, 2, 2] but test images [1, 3, 3]"), e.getMessage());
        }
    }
}

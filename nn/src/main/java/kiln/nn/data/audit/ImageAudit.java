package kiln.nn.data.audit;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.engine.Tensor;
import kiln.nn.data.ClassLabels;
import kiln.nn.data.TensorDataset;

/**
 * A data-quality audit of an image classification dataset split into training and test images (e.g.
 * Fashion-MNIST): class balance, pixel range, duplicate images within each set and test images that
 * repeat training images (leakage).
 *
 * <p>Images are equal when every pixel is: each image is keyed by the SHA-256 of its pixel values (as
 * float32 bits), so 70,000 images need 70,000 small keys rather than their pixels. No two different inputs
 * with the same SHA-256 are known.
 *
 * @param dataset     the dataset's name, for the report
 * @param imageShape  the shape of one image, e.g. [1, 28, 28]
 * @param train       the training images
 * @param test        the test images
 * @param leakage     test images equal to a training image (positions are indices in each set, from 0)
 */
public record ImageAudit(String dataset, List<Integer> imageShape, Part train, Part test, DuplicateRows leakage) {
    /** Images read at a time: bounds the memory one read takes. */
    private static final int CHUNK = 1024;

    /**
     * One set of images.
     *
     * @param duplicates images equal to an earlier image of the same set (by index, from 0)
     */
    public record Part(String name, int images, ClassBalance classBalance, PixelSummary pixels, DuplicateRows duplicates) {}

    public ImageAudit {
        imageShape = List.copyOf(imageShape);
    }

    /**
     * Audits {@code train} and {@code test}: features {@code [n, ...image shape]}, targets int64 class
     * indices named by {@code classNames}. Both must hold images of the same shape.
     */
    public static ImageAudit of(String dataset, TensorDataset train, TensorDataset test, List<String> classNames) {
        int[] shape = train.featureShape();
        if (!Arrays.equals(shape, test.featureShape())) {
            throw new IllegalArgumentException("ImageAudit.of: training images are " + Arrays.toString(shape)
                    + " but test images " + Arrays.toString(test.featureShape()));
        }
        if (Arrays.stream(shape).reduce(1, (a, b) -> a * b) == 0 || train.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("ImageAudit.of: no pixels to audit (" + train.size() + " training and "
                    + test.size() + " test images of " + Arrays.toString(shape) + ")");
        }
        Scan trainScan = Scan.of(train);
        Scan testScan = Scan.of(test);
        DuplicateRows leakage = DuplicateRows.between("image", train.size(), i -> trainScan.keys[i], i -> i,
                test.size(), i -> testScan.keys[i], i -> i);
        return new ImageAudit(dataset, Arrays.stream(shape).boxed().toList(), trainScan.part("train", train, classNames),
                testScan.part("test", test, classNames), leakage);
    }

    /** One pass over a set's images: a key per image and the pixel statistics. */
    private record Scan(ByteBuffer[] keys, PixelSummary pixels) {
        static Scan of(TensorDataset images) {
            int n = images.size();
            int pixels = Arrays.stream(images.featureShape()).reduce(1, (a, b) -> a * b);
            ByteBuffer[] keys = new ByteBuffer[n];
            PixelSummary.Accumulator accumulator = new PixelSummary.Accumulator();
            MessageDigest sha256 = sha256();
            ByteBuffer bits = ByteBuffer.allocate(4 * pixels);
            for (int start = 0; start < n; start += CHUNK) {
                int count = Math.min(CHUNK, n - start);
                float[] values;
                try (Tensor chunk = images.features().narrow(0, start, count)) {
                    values = chunk.toFloatArray();
                }
                for (int i = 0; i < count; i++) {
                    bits.clear();
                    bits.asFloatBuffer().put(values, i * pixels, pixels);
                    keys[start + i] = ByteBuffer.wrap(sha256.digest(bits.array()));
                    accumulator.add(values, i * pixels, pixels);
                }
            }
            return new Scan(keys, accumulator.summary());
        }

        Part part(String name, TensorDataset images, List<String> classNames) {
            DuplicateRows duplicates = DuplicateRows.within("image", keys.length, i -> keys[i], i -> i);
            return new Part(name, keys.length, ClassBalance.of(name + " labels", ClassLabels.of(images), classNames), pixels, duplicates);
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("ImageAudit: this JDK has no SHA-256, which every JDK must have", e);
            }
        }
    }

    /** Duplicates within each set, leakage, blank images, and an imbalanced training set. */
    public List<Finding> findings() {
        List<Finding> findings = new ArrayList<>();
        for (Part part : List.of(train, test)) {
            if (part.duplicates().count() > 0) {
                findings.add(new Finding(part.name() + " images", Values.count(part.duplicates().count(), "duplicate image")
                        + ": " + part.duplicates().describe(null, 1), part == train
                        ? "drop the copies before splitting off validation images, or a copy on each side inflates the validation score"
                        : "count each once for an exact test score: copies weigh twice"));
            }
            if (part.pixels().blankImages() > 0) {
                findings.add(new Finding(part.name() + " images", Values.count(part.pixels().blankImages(), "blank image")
                        + " (one value in every pixel)", "check them: they show nothing to learn from"));
            }
        }
        if (leakage.count() > 0) {
            findings.add(new Finding("test images", Values.count(leakage.count(), "image") + " also in train: "
                    + leakage.describe("train", 1), "leave them out of the test set for a score on unseen images,"
                    + " or say that the score includes them"));
        }
        findings.addAll(train.classBalance().findings(false));
        return findings;
    }

    /** The report as text, ending with the numbered findings. */
    public String format() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s: %,d training and %,d test images of %s, %d classes%n%n", dataset,
                train.images(), test.images(), String.join("x", imageShape.stream().map(String::valueOf).toList()),
                train.classBalance().classes().size()));
        TextTable overview = new TextTable("set", ">images", ">pixel min", ">max", ">mean", ">std", ">blank", ">duplicates");
        for (Part part : List.of(train, test)) {
            PixelSummary p = part.pixels();
            overview.add(part.name(), String.format(Locale.ROOT, "%,d", part.images()), Values.number(p.min()), Values.number(p.max()),
                    Values.number(p.mean()), Values.number(p.std()), String.valueOf(p.blankImages()),
                    String.valueOf(part.duplicates().count()));
        }
        text.append(overview.format("  "));
        text.append(String.format(Locale.ROOT, "%ntest images also in train: %s%n", leakage.count() == 0 ? "none"
                : String.format(Locale.ROOT, "%,d (%s)", leakage.count(), leakage.describe("train", DuplicateRows.EXAMPLES))));
        text.append('\n').append(train.classBalance().format());
        text.append('\n').append(test.classBalance().format());
        return text.append('\n').append(Finding.formatList(findings())).toString();
    }

    /** The report for {@link kiln.nn.io.Json#write}. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", dataset);
        json.put("image_shape", imageShape);
        for (Part part : List.of(train, test)) {
            Map<String, Object> set = new LinkedHashMap<>();
            set.put("images", part.images());
            set.put("pixels", part.pixels().toJson());
            set.put("duplicates", part.duplicates().toJson());
            set.put("class_balance", part.classBalance().toJson());
            json.put(part.name(), set);
        }
        json.put("leakage", leakage.toJson());
        json.put("findings", findings().stream().map(Finding::toJson).toList());
        return json;
    }
}

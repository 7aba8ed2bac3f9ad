package kiln.nn.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import kiln.engine.Tensor;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 70,000 grayscale 28×28 images of clothing in 10
 * classes, 60,000 for training and 10,000 for testing, in four IDX files.
 *
 * <pre>{@code
 * try (FashionMnist.Data data = FashionMnist.load(dataFlagOrNull)) {
 *     data.train();   // features float32 [60000, 1, 28, 28] in [0, 1], targets int64 [60000]
 *     data.test();    // [10000, ...]
 * }
 * }</pre>
 * {@link #load} finds the files with {@link FashionMnistLocator} (the --data folder, $KILN_DATA, the
 * Debian package, a verified download) and {@link #read} reads them from a folder.
 *
 * <p>Every file is checked against the SHA-256 of the official file's content (after decompression,
 * so the official gzip files, Debian's recompressed ones and unpacked copies all pass), computed while
 * the file is read: a damaged or different file is refused rather than trained on.
 */
public final class FashionMnist {
    /** The class names, by label: label 0 is "T-shirt/top", 9 is "Ankle boot". */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * The four files. The SHA-256 values are of the decompressed content; they agree with the sums of
     * Debian's dataset-fashion-mnist files, and their MD5 counterparts with the "raw" MD5 sums torchvision
     * publishes for the official downloads.
     */
    public enum Part {
        TRAIN_IMAGES("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        TRAIN_LABELS("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        TEST_IMAGES("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        TEST_LABELS("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

        private final String baseName;
        private final String contentSha256;

        Part(String baseName, String contentSha256) {
            this.baseName = baseName;
            this.contentSha256 = contentSha256;
        }

        /** The official file name, as published (gzipped): e.g. {@code train-images-idx3-ubyte.gz}. */
        public String fileName() {
            return baseName + ".gz";
        }

        /** This part in {@code folder}, gzipped or unpacked (the unpacked one first), or null if neither is there. */
        Path find(Path folder) {
            for (String name : new String[] {baseName, fileName()}) {
                Path file = folder.resolve(name);
                if (Files.isRegularFile(file)) {
                    return file;
                }
            }
            return null;
        }

        /** Reads {@code file}, refusing it unless its content is this part's official content. */
        IdxArray readVerified(Path file) throws IOException {
            MessageDigest sha256;
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JDK has no SHA-256", e);   // every JDK must have it
            }
            IdxArray array = Idx.read(file, sha256);
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(contentSha256)) {
                throw new IOException(file + ": not the official Fashion-MNIST " + baseName + " (content SHA-256 "
                        + actual + ", expected " + contentSha256 + "); the file is damaged or a different dataset");
            }
            return array;
        }
    }

    /** The training and test sets with the class names; closing it frees both sets. */
    public record Data(TensorDataset train, TensorDataset test, List<String> classNames, Path folder)
            implements AutoCloseable {
        @Override
        public void close() {
            train.close();
            test.close();
        }
    }

    private FashionMnist() {}

    /**
     * Finds the data ({@link FashionMnistLocator#defaults()}: {@code dataFlag} if not null, then
     * $KILN_DATA, the Debian package, the download cache, a download) and reads it.
     *
     * @throws FileNotFoundException if it is nowhere, with a one-line message saying how to get it
     * @throws IOException if a file is unreadable or not the official one
     */
    public static Data load(Path dataFlag) throws IOException {
        return read(FashionMnistLocator.defaults().locate(dataFlag));
    }

    /** Reads and verifies the four files in {@code folder} (see {@link Part#find} for the names accepted). */
    public static Data read(Path folder) throws IOException {
        TensorDataset train = null;
        try {
            train = readSplit(folder, Part.TRAIN_IMAGES, Part.TRAIN_LABELS);
            return new Data(train, readSplit(folder, Part.TEST_IMAGES, Part.TEST_LABELS), CLASS_NAMES, folder);
        } catch (IOException | RuntimeException e) {
            if (train != null) {
                train.close();
            }
            throw e;
        }
    }

    private static TensorDataset readSplit(Path folder, Part imagesPart, Part labelsPart) throws IOException {
        IdxArray images = imagesPart.readVerified(require(folder, imagesPart));
        IdxArray labels = labelsPart.readVerified(require(folder, labelsPart));
        int n = images.dims()[0];
        float[] pixels = images.toFloats();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] /= 255f;   // division, not multiplication by 1/255: the same floats as PyTorch's ToTensor
        }
        Tensor features = Tensor.fromArray(pixels, n, 1, images.dims()[1], images.dims()[2]);
        return new TensorDataset(features, Tensor.fromArray(labels.toLongs(), n));
    }

    private static Path require(Path folder, Part part) throws IOException {
        Path file = part.find(folder);
        if (file == null) {
            throw new FileNotFoundException(folder + ": no " + part.fileName() + " (or unpacked " + part.baseName + ")");
        }
        return file;
    }
}

package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * Fashion-MNIST: reading the real files (from Debian's dataset-fashion-mnist, skipped when it is not
 * installed), the checksum check, the search order of {@link FashionMnistLocator}, and a download from a
 * local HTTP server.
 */
class FashionMnistTest {
    private static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path tmp;

    private static void assumeDebianFiles() {
        Assumptions.assumeTrue(Arrays.stream(FashionMnist.Part.values()).allMatch(p -> p.find(DEBIAN) != null),
                "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)");
    }

    @Test
    void readsTheRealFiles() throws IOException {
        assumeDebianFiles();
        try (FashionMnist.Data data = FashionMnist.read(DEBIAN)) {
            assertEquals(60_000, data.train().size());
            assertEquals(10_000, data.test().size());
            assertArrayEquals(new int[] {1, 28, 28}, data.train().featureShape());
            assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                    "Bag", "Ankle boot"), data.classNames());

            long[] trainLabels = data.train().targets().toLongArray();
            long[] testLabels = data.test().targets().toLongArray();
            // The dataset's README: 6,000 training and 1,000 test images per class.
            for (int c = 0; c < 10; c++) {
                final long label = c;
                assertEquals(6000, Arrays.stream(trainLabels).filter(l -> l == label).count(), "train class " + c);
                assertEquals(1000, Arrays.stream(testLabels).filter(l -> l == label).count(), "test class " + c);
            }
            // The first training images are an ankle boot, two T-shirts, a dress and a T-shirt (also numpy's reading).
            assertArrayEquals(new long[] {9, 0, 0, 3, 0}, Arrays.copyOf(trainLabels, 5));

            float[] pixels = data.train().features().toFloatArray();
            double sum = 0;
            double sumSquares = 0;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            int notByteOver255 = 0;
            for (float p : pixels) {
                sum += p;
                sumSquares += (double) p * p;
                min = Math.min(min, p);
                max = Math.max(max, p);
                if (Math.round(p * 255) / 255f != p) {
                    notByteOver255++;
                }
            }
            assertEquals(0, notByteOver255, "every value is a byte divided by 255");
            assertEquals(0f, min);
            assertEquals(1f, max);
            // The normalization constants everyone quotes for Fashion-MNIST's training set: mean 0.2860, std 0.3530.
            double mean = sum / pixels.length;
            assertEquals(0.2860, mean, 5e-5);
            assertEquals(0.3530, Math.sqrt(sumSquares / pixels.length - mean * mean), 5e-5);
        }
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    @Test
    void anUnpackedCopyPassesTheChecksumAndOneChangedLabelFailsIt() throws IOException {
        assumeDebianFiles();
        byte[] labels = gunzip(DEBIAN.resolve("train-labels-idx1-ubyte.gz"));
        Path unpacked = Files.write(tmp.resolve("train-labels-idx1-ubyte"), labels);
        assertEquals(60_000, FashionMnist.Part.TRAIN_LABELS.readVerified(unpacked).count());

        labels[8 + 123] = (byte) ((labels[8 + 123] + 1) % 10);   // still a valid IDX file with valid labels
        Path changed = Files.write(tmp.resolve("changed"), labels);
        IOException e = assertThrows(IOException.class, () -> FashionMnist.Part.TRAIN_LABELS.readVerified(changed));
        assertTrue(e.getMessage().contains("not the official Fashion-MNIST train-labels-idx1-ubyte"), e.getMessage());
    }

    /** A folder with four empty files named as the parts: enough for the locator, which only looks for them. */
    private Path fakeData(String name) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve(name));
        for (FashionMnist.Part part : FashionMnist.Part.values()) {
            Files.createFile(folder.resolve(part.fileName()));
        }
        return folder;
    }

    private FashionMnistLocator locator(Map<String, String> env, Path debian, Path cache, List<URI> mirrors) {
        UnaryOperator<String> environment = env::get;
        return new FashionMnistLocator(environment, debian, cache, mirrors, Duration.ofSeconds(5));
    }

    /** An address where nothing listens: connections are refused at once. */
    private static URI closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
        }
    }

    @Test
    void searchesTheFlagThenKilnDataThenDebianThenTheCache() throws IOException {
        Path flag = fakeData("flag");
        Path env = fakeData("env");
        Path debian = fakeData("debian");
        Path cache = fakeData("cache");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Map<String, String> kilnData = Map.of("KILN_DATA", env.toString());

        assertEquals(flag, locator(kilnData, debian, cache, List.of()).locate(flag));
        assertEquals(env, locator(kilnData, debian, cache, List.of()).locate(null));
        assertEquals(debian, locator(Map.of(), debian, cache, List.of()).locate(null));
        assertEquals(debian, locator(Map.of("KILN_DATA", empty.toString()), debian, cache, List.of()).locate(null),
                "a KILN_DATA without the files is passed over");
        assertEquals(cache, locator(Map.of(), empty, cache, List.of()).locate(null));
        assertEquals(cache, locator(Map.of(), tmp.resolve("absent"), cache, List.of()).locate(null));
    }

    @Test
    void aFashionMnistSubfolderCountsAndUnpackedFilesToo() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("datasets"));
        Path sub = Files.createDirectories(root.resolve("fashion-mnist"));
        for (FashionMnist.Part part : FashionMnist.Part.values()) {
            Files.createFile(sub.resolve(part.fileName().replace(".gz", "")));
        }
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(sub, locator(Map.of(), empty, empty, List.of()).locate(root));
        assertEquals(sub, locator(Map.of("KILN_DATA", root.toString()), empty, empty, List.of()).locate(null));
    }

    @Test
    void aDataFlagWithoutTheFilesIsAnErrorEvenWhenOtherPlacesHaveThem() throws IOException {
        Path partial = Files.createDirectories(tmp.resolve("partial"));
        Files.createFile(partial.resolve("train-images-idx3-ubyte.gz"));
        Path debian = fakeData("debian");
        FileNotFoundException e = assertThrows(FileNotFoundException.class,
                () -> locator(Map.of(), debian, debian, List.of()).locate(partial));
        assertTrue(e.getMessage().startsWith("--data " + partial), e.getMessage());
        assertTrue(e.getMessage().contains("missing train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,"
                + " t10k-labels-idx1-ubyte.gz"), e.getMessage());
    }

    @Test
    void whenNothingWorksOneLineSaysHowToGetTheData() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        URI nobody = closedPort();
        FileNotFoundException e = assertThrows(FileNotFoundException.class,
                () -> locator(Map.of(), empty, tmp.resolve("cache"), List.of(nobody)).locate(null));
        String message = e.getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        for (String hint : List.of("--data DIR", "KILN_DATA=DIR", "apt-get install dataset-fashion-mnist", "going online",
                "127.0.0.1")) {
            assertTrue(message.contains(hint), "'" + hint + "' in: " + message);
        }
        assertFalse(Files.exists(tmp.resolve("cache")), "no empty cache folder is left when nothing answered");
    }

    /** Serves {@code files} (name to bytes) under http://127.0.0.1:port/fm/; anything else is a 404. */
    private static HttpServer serve(Map<String, byte[]> files) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/fm/", exchange -> {
            byte[] body = files.get(exchange.getRequestURI().getPath().substring("/fm/".length()));
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                if (body != null) {
                    out.write(body);
                }
            }
        });
        server.start();
        return server;
    }

    private static URI mirror(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fm/");
    }

    private static Map<String, byte[]> officialFiles() throws IOException {
        Map<String, byte[]> files = new java.util.HashMap<>();
        for (FashionMnist.Part part : FashionMnist.Part.values()) {
            files.put(part.fileName(), Files.readAllBytes(DEBIAN.resolve(part.fileName())));
        }
        return files;
    }

    @Test
    void downloadsVerifiesAndRenamesIntoTheCache() throws IOException {
        assumeDebianFiles();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path cache = tmp.resolve("cache");
        HttpServer server = serve(officialFiles());
        try {
            // The first mirror refuses connections; the locator moves on to the second.
            Path found = locator(Map.of(), empty, cache, List.of(closedPort(), mirror(server))).locate(null);
            assertEquals(cache, found);
        } finally {
            server.stop(0);
        }
        for (FashionMnist.Part part : FashionMnist.Part.values()) {
            assertArrayEquals(Files.readAllBytes(DEBIAN.resolve(part.fileName())), Files.readAllBytes(cache.resolve(part.fileName())));
        }
        try (var listing = Files.list(cache)) {
            assertEquals(4, listing.count(), "nothing but the four files: no partial downloads left");
        }
    }

    @Test
    void aDownloadWithTheWrongContentIsRefusedAndLeavesNothingBehind() throws IOException {
        assumeDebianFiles();
        Map<String, byte[]> files = officialFiles();
        byte[] labels = gunzip(DEBIAN.resolve("t10k-labels-idx1-ubyte.gz"));
        labels[8] = (byte) ((labels[8] + 1) % 10);
        files.put("t10k-labels-idx1-ubyte.gz", gzip(labels));
        files.remove("train-labels-idx1-ubyte.gz");   // and one file missing on the server: HTTP 404

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path cache = tmp.resolve("cache");
        HttpServer server = serve(files);
        FileNotFoundException e;
        try {
            e = assertThrows(FileNotFoundException.class, () -> locator(Map.of(), empty, cache, List.of(mirror(server))).locate(null));
        } finally {
            server.stop(0);
        }
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        // Once the server has the labels file, the damaged test labels are what stops the download.
        files.put("train-labels-idx1-ubyte.gz", Files.readAllBytes(DEBIAN.resolve("train-labels-idx1-ubyte.gz")));
        HttpServer second = serve(files);
        try {
            e = assertThrows(FileNotFoundException.class, () -> locator(Map.of(), empty, cache, List.of(mirror(second))).locate(null));
        } finally {
            second.stop(0);
        }
        assertTrue(e.getMessage().contains("not the official Fashion-MNIST t10k-labels-idx1-ubyte"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("t10k-labels-idx1-ubyte.gz")), "a refused file never gets its real name");
        try (var listing = Files.list(cache)) {
            assertTrue(listing.noneMatch(p -> p.toString().endsWith(".part")), "no partial download left");
        }
    }
}

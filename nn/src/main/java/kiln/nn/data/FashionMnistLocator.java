package kiln.nn.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Finds the Fashion-MNIST files, looking in this order:
 * <ol>
 *   <li>the folder given on the command line ({@code --data DIR}), or its {@code fashion-mnist}
 *       subfolder; a folder named there must hold the data: a wrong path is an error, not a reason to
 *       look elsewhere;</li>
 *   <li>{@code $KILN_DATA}, or its {@code fashion-mnist} subfolder;</li>
 *   <li>the Debian package's folder {@code /usr/share/datasets/fashion-mnist}
 *       ({@code apt-get install dataset-fashion-mnist});</li>
 *   <li>the download cache {@code ~/.cache/kiln/fashion-mnist};</li>
 *   <li>a download of the official files into that cache, if the machine is online: each file is
 *       written to a temporary name, checked against the SHA-256 of the official content, then renamed into place, so that an
 *       interrupted or corrupted download never looks like data.</li>
 * </ol>
 * A folder counts when all four files are in it, gzipped or not ({@link FashionMnist.Part#find}).
 * When every place fails, one {@link FileNotFoundException} says, in one line, how to get the data.
 *
 * <p>The environment, the folders and the mirrors are fields so that tests can replace them.
 */
public record FashionMnistLocator(UnaryOperator<String> environment, Path debianFolder, Path cacheFolder,
                                  List<URI> mirrors, Duration answerTimeout) {
    /** The official locations: GitHub (HTTPS) first, then the authors' S3 bucket. */
    public static final List<URI> OFFICIAL_MIRRORS = List.of(
            URI.create("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
            URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

    /** The real environment, Debian's folder, {@code ~/.cache/kiln/fashion-mnist}, the official mirrors, 5 s to answer. */
    public static FashionMnistLocator defaults() {
        return new FashionMnistLocator(System::getenv, Path.of("/usr/share/datasets/fashion-mnist"),
                Path.of(System.getProperty("user.home"), ".cache", "kiln", "fashion-mnist"), OFFICIAL_MIRRORS,
                Duration.ofSeconds(5));
    }

    /**
     * The folder holding the four files.
     *
     * @param dataFlag the {@code --data} folder, or null when none was given
     * @throws FileNotFoundException if {@code dataFlag} lacks the data, or if no place has it and no mirror gave a
     *         verified copy (the message ends with each mirror's reason)
     */
    public Path locate(Path dataFlag) throws IOException {
        if (dataFlag != null) {
            Path folder = holder(dataFlag);
            if (folder == null) {
                throw new FileNotFoundException("--data " + dataFlag + ": no Fashion-MNIST there or in its fashion-mnist"
                        + " subfolder (missing " + missing(dataFlag) + ")");
            }
            return folder;
        }
        String kilnData = environment.apply("KILN_DATA");
        if (kilnData != null && !kilnData.isBlank() && holder(Path.of(kilnData)) != null) {
            return holder(Path.of(kilnData));
        }
        for (Path folder : List.of(debianFolder, cacheFolder)) {
            if (complete(folder)) {
                return folder;
            }
        }
        List<String> failures = new ArrayList<>();
        for (URI mirror : mirrors) {
            try {
                downloadAll(mirror);
                return cacheFolder;
            } catch (IOException e) {   // offline, mirror down, broken transfer or wrong checksum: try the next
                failures.add(mirror.getHost() + ": " + e.getMessage());
            }
        }
        throw new FileNotFoundException("Fashion-MNIST not found; get it with one of: --data DIR (a folder with "
                + fileNames() + "), KILN_DATA=DIR (that folder or one with a fashion-mnist subfolder),"
                + " `apt-get install dataset-fashion-mnist`, or going online to download it into " + cacheFolder
                + (failures.isEmpty() ? "" : " (download: " + String.join("; ", failures) + ")"));
    }

    /** {@code folder} or its fashion-mnist subfolder, whichever holds all four files, or null. */
    private static Path holder(Path folder) {
        for (Path candidate : List.of(folder, folder.resolve("fashion-mnist"))) {
            if (complete(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean complete(Path folder) {
        return Arrays.stream(FashionMnist.Part.values()).allMatch(part -> part.find(folder) != null);
    }

    private static String missing(Path folder) {
        return Arrays.stream(FashionMnist.Part.values()).filter(part -> part.find(folder) == null)
                .map(FashionMnist.Part::fileName).collect(Collectors.joining(", "));
    }

    private static String fileNames() {
        return Arrays.stream(FashionMnist.Part.values()).map(FashionMnist.Part::fileName).collect(Collectors.joining(", "));
    }

    /** Downloads every part the cache lacks from {@code mirror}, each verified before it is renamed into place. */
    private void downloadAll(URI mirror) throws IOException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(answerTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build()) {
            for (FashionMnist.Part part : FashionMnist.Part.values()) {
                if (part.find(cacheFolder) == null) {
                    download(client, mirror.resolve(part.fileName()), part);
                }
            }
        }
    }

    private void download(HttpClient client, URI uri, FashionMnist.Part part) throws IOException {
        try (InputStream body = openBody(client, uri)) {
            Files.createDirectories(cacheFolder);   // only now: an offline machine gets no empty cache folder
            Path partial = Files.createTempFile(cacheFolder, part.fileName() + ".", ".part");
            try {
                Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
                part.readVerified(partial);   // throws, naming the checksums, if the bytes are not the official ones
                Files.move(partial, cacheFolder.resolve(part.fileName()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
        }
    }

    /**
     * The response body of a GET of {@code uri}. Waits at most {@code answerTimeout} for the server's answer
     * (name lookup, connection and response headers together), which is how an offline machine is told apart
     * quickly; the body itself then streams without a deadline.
     */
    private InputStream openBody(HttpClient client, URI uri) throws IOException {
        CompletableFuture<HttpResponse<InputStream>> answer =
                client.sendAsync(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        try {
            response = answer.get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new IOException("no answer within " + answerTimeout.toSeconds() + " s (offline?)");
        } catch (ExecutionException e) {
            throw new IOException("cannot connect: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("HTTP " + response.statusCode() + " for " + uri);
        }
        return response.body();
    }
}

package kiln.nn.data.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import kiln.nn.data.Csv;
import kiln.nn.data.CsvTable;

/** CSV text written to a temporary file and read back as {@link Csv#read} reads it, for the audit's tests. */
final class Tables {
    private Tables() {}

    /** A file of the test classpath, e.g. a golden table. */
    static CsvTable resource(String path) {
        try {
            return Csv.read(Path.of(Tables.class.getResource(path).toURI()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static CsvTable read(String name, String text) {
        try {
            Path dir = Files.createTempDirectory("kiln-audit");
            Path file = Files.writeString(dir.resolve(name), text);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return Csv.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

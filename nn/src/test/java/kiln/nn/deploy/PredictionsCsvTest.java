package kiln.nn.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.nn.data.Csv;
import kiln.nn.data.CsvTable;

/** The predictions file, read back with the project's CSV reader: names with commas and quotes survive. */
class PredictionsCsvTest {
    @TempDir
    Path dir;

    private static final List<String> NAMES = List.of("plain", "with, comma", "say \"hi\"");
    private static final double[][] PROBABILITIES = {{0.1, 0.7, 0.2}, {0.05, 0.05, 0.9}};

    @Test
    void withTrueClassesForEvaluation() throws IOException {
        Path file = dir.resolve("predictions.csv");
        PredictionsCsv.write(file, NAMES, new int[] {1, 0}, new int[] {1, 2}, PROBABILITIES);
        assertEquals("index,true_class,true_name,predicted_class,predicted_name,probability\n"
                + "0,1,\"with, comma\",1,\"with, comma\",0.700000\n"
                + "1,0,plain,2,\"say \"\"hi\"\"\",0.900000\n", Files.readString(file));
        CsvTable table = Csv.read(file);
        assertEquals("say \"hi\"", table.column("predicted_name").text(1));
        assertEquals(0.9, table.column("probability").value(1), 0);
    }

    @Test
    void withoutTrueClassesForNewData() throws IOException {
        Path file = dir.resolve("new.csv");
        PredictionsCsv.write(file, NAMES, null, new int[] {1, 2}, PROBABILITIES);
        CsvTable table = Csv.read(file);
        assertEquals(List.of("index", "predicted_class", "predicted_name", "probability"), table.columnNames());
        assertEquals("with, comma", table.column("predicted_name").text(0));
        assertThrows(IllegalArgumentException.class, () -> PredictionsCsv.write(file, NAMES, new int[] {1}, new int[] {1, 2}, PROBABILITIES));
    }
}

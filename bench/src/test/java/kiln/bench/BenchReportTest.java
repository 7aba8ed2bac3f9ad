package kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rewriting RESULTS.md keeps the sections below the JMH report's end marker. */
class BenchReportTest {
    @TempDir
    Path dir;

    @Test
    void whatFollowsTheMarkerIsKept() throws IOException {
        Path file = dir.resolve("RESULTS.md");
        Files.writeString(file, "# old JMH report\n\n" + BenchReport.KEEP_BELOW + "\n\n## Kiln beside its peers\n| a |\n");
        assertEquals("## Kiln beside its peers\n| a |\n", BenchReport.keptSections(file));
    }

    @Test
    void aFileWithoutTheMarkerOrNoFileKeepsNothing() throws IOException {
        Path file = dir.resolve("RESULTS.md");
        assertEquals("", BenchReport.keptSections(file));
        Files.writeString(file, "# a report written before the marker existed\n");
        assertEquals("", BenchReport.keptSections(file));
    }
}

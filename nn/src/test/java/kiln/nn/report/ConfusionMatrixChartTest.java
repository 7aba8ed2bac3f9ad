package kiln.nn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Confusion-matrix heatmaps, checked cell by cell. */
class ConfusionMatrixChartTest {
    private static final int WIDTH = 700;
    private static final int HEIGHT = 640;

    @TempDir
    Path folder;

    /** The brightness of a cell's background, sampled near its top-left corner, away from the centred count. */
    private static double cellBrightness(ConfusionMatrixChart chart, BufferedImage image, int row, int column) {
        Rectangle2D cell = chart.cellBounds(row, column, image.getWidth(), image.getHeight());
        return Pixels.brightness(image, (int) (cell.getX() + cell.getWidth() * 0.15),
                (int) (cell.getY() + cell.getHeight() * 0.15));
    }

    /** The darkest and the lightest pixel in the middle half of a cell. */
    private static double[] extremesInside(ConfusionMatrixChart chart, BufferedImage image, int row, int column) {
        Rectangle2D cell = chart.cellBounds(row, column, image.getWidth(), image.getHeight());
        double darkest = 1;
        double lightest = 0;
        for (int y = (int) (cell.getY() + cell.getHeight() / 4); y < cell.getY() + cell.getHeight() * 3 / 4; y++) {
            for (int x = (int) (cell.getX() + cell.getWidth() / 4); x < cell.getX() + cell.getWidth() * 3 / 4; x++) {
                darkest = Math.min(darkest, Pixels.brightness(image, x, y));
                lightest = Math.max(lightest, Pixels.brightness(image, x, y));
            }
        }
        return new double[] {darkest, lightest};
    }

    @Test
    void writesAReadablePngOfTheRequestedSize() throws Exception {
        Path file = folder.resolve("confusion.png");
        ConfusionMatrixChart.of(new long[][] {{5, 1}, {2, 7}}, List.of("cat", "dog")).writePng(file, WIDTH, HEIGHT);
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image);
        assertEquals(WIDTH, image.getWidth());
        assertEquals(HEIGHT, image.getHeight());
    }

    @Test
    void moreMeansDarker() {
        long[][] counts = {{90, 3, 0}, {12, 40, 7}, {1, 25, 60}};
        ConfusionMatrixChart chart = ConfusionMatrixChart.of(counts, List.of("a", "b", "c"));
        BufferedImage image = chart.render(WIDTH, HEIGHT);
        List<long[]> cells = new ArrayList<>(); // {count, row, column}
        for (int row = 0; row < 3; row++) {
            for (int column = 0; column < 3; column++) {
                cells.add(new long[] {counts[row][column], row, column});
            }
        }
        cells.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < cells.size(); i++) {
            long[] smaller = cells.get(i - 1);
            long[] larger = cells.get(i);
            double lighter = cellBrightness(chart, image, (int) smaller[1], (int) smaller[2]);
            double darker = cellBrightness(chart, image, (int) larger[1], (int) larger[2]);
            assertTrue(darker < lighter, "count " + larger[0] + " must be darker than " + smaller[0] + ": brightness "
                    + darker + " vs " + lighter);
        }
        assertTrue(cellBrightness(chart, image, 0, 2) > 0.9, "a zero count is nearly white");
    }

    @Test
    void rowNormalizationColoursByShareOfTheRow() {
        long[][] counts = {{10, 0}, {100, 900}};
        List<String> names = List.of("rare", "common");
        ConfusionMatrixChart byCount = ConfusionMatrixChart.of(counts, names);
        BufferedImage plain = byCount.render(WIDTH, HEIGHT);
        assertTrue(cellBrightness(byCount, plain, 0, 0) > cellBrightness(byCount, plain, 1, 1),
                "by count, 10 is lighter than 900");
        ConfusionMatrixChart byShare = ConfusionMatrixChart.of(counts, names).normalizeRows();
        BufferedImage normalized = byShare.render(WIDTH, HEIGHT);
        assertTrue(cellBrightness(byShare, normalized, 0, 0) < cellBrightness(byShare, normalized, 1, 1),
                "by share of the row, 10 of 10 (100%) is darker than 900 of 1000 (90%)");
        assertTrue(cellBrightness(byShare, normalized, 1, 0) > cellBrightness(byShare, normalized, 1, 1),
                "10% is lighter than 90%");
    }

    @Test
    void countsAreWrittenInAColourThatContrastsWithTheCell() {
        long[][] counts = {{1000, 30}, {30, 1000}};
        ConfusionMatrixChart chart = ConfusionMatrixChart.of(counts, List.of("x", "y"));
        BufferedImage image = chart.render(WIDTH, HEIGHT);
        double[] dark = extremesInside(chart, image, 0, 0);
        assertTrue(dark[0] < 0.25 && dark[1] > 0.75, "light text on the dark cell: " + dark[0] + ".." + dark[1]);
        double[] light = extremesInside(chart, image, 0, 1);
        assertTrue(light[1] > 0.85 && light[0] < 0.3, "dark text on the light cell: " + light[0] + ".." + light[1]);
    }

    @Test
    void awkwardMatricesRender() {
        List<String> longNames = new ArrayList<>();
        long[][] many = new long[40][40];
        for (int i = 0; i < 40; i++) {
            longNames.add("class number " + i + " with a rather long name <&>\"");
            many[i][i] = 100 + i;
            many[i][(i + 1) % 40] = i;
        }
        assertEquals(800, ConfusionMatrixChart.of(many, longNames).normalizeRows().render(800, 800).getWidth());
        BufferedImage zeros = ConfusionMatrixChart.of(new long[2][2], List.of("a", "b")).render(300, 300);
        assertEquals(300, zeros.getHeight());
        ConfusionMatrixChart one = ConfusionMatrixChart.of(new long[][] {{5}}, List.of("only"));
        assertTrue(cellBrightness(one, one.render(300, 300), 0, 0) < 0.3, "a 1x1 matrix is its own maximum");
    }

    @Test
    void refusesMalformedMatrices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrixChart.of(new long[][] {{1, 2}, {3}}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("row 1 has 1 columns for 2 rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrixChart.of(new long[][] {{1, -2}, {3, 4}}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("[0][1] is -2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrixChart.of(new long[][] {{1, 2}, {3, 4}}, List.of("a")));
        assertTrue(e.getMessage().contains("1 class names for a 2x2 matrix"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrixChart.of(new long[0][0], List.of()));
    }
}

package kiln.nn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Line charts, checked by reading their pixels back. */
class LineChartTest {
    /** The first two Okabe-Ito colours, which the chart documents as its first two series colours. */
    private static final Color BLUE = new Color(0x0072B2);
    private static final Color VERMILLION = new Color(0xD55E00);
    private static final int TOLERANCE = 12;

    @TempDir
    Path folder;

    private static double[] range(int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        return values;
    }

    /** The columns and rows of the pixels close to a colour, in scan order. */
    private static List<int[]> pixelsOf(BufferedImage image, Color color) {
        List<int[]> found = new ArrayList<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (Pixels.near(image, x, y, color, TOLERANCE)) {
                    found.add(new int[] {x, y});
                }
            }
        }
        return found;
    }

    @Test
    void writesAReadablePngOfTheRequestedSize() throws Exception {
        Path file = folder.resolve("loss.png");
        LineChart.titled("Loss").xLabel("epoch").yLabel("loss")
                .series("train", new double[] {1, 2, 3}, new double[] {0.9, 0.5, 0.3})
                .writePng(file, 640, 400);
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "ImageIO must decode the file");
        assertEquals(640, image.getWidth());
        assertEquals(400, image.getHeight());
        try (var listing = Files.list(folder)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file is left beside the PNG");
        }
    }

    @Test
    void eachSeriesIsDrawnInItsOwnColour() {
        BufferedImage image = LineChart.titled("two").series("a", range(10), range(10))
                .series("b", range(10), new double[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}).render(600, 400);
        assertTrue(pixelsOf(image, BLUE).size() > 300, "the first series is blue");
        assertTrue(pixelsOf(image, VERMILLION).size() > 300, "the second series is vermillion");
    }

    @Test
    void aRisingSeriesClimbsFromLeftToRight() {
        BufferedImage image = LineChart.titled("").series("rising", range(50), range(50)).render(600, 400);
        List<int[]> blue = pixelsOf(image, BLUE);
        int minX = blue.stream().mapToInt(p -> p[0]).min().orElseThrow();
        int maxX = blue.stream().mapToInt(p -> p[0]).max().orElseThrow();
        int third = (maxX - minX) / 3;
        double leftRow = blue.stream().filter(p -> p[0] < minX + third).mapToInt(p -> p[1]).average().orElseThrow();
        double rightRow = blue.stream().filter(p -> p[0] > maxX - third).mapToInt(p -> p[1]).average().orElseThrow();
        assertTrue(leftRow > rightRow + 100, "image rows grow downwards: left " + leftRow + ", right " + rightRow);
    }

    @Test
    void nanValuesLeaveAGap() {
        double[] y = new double[21];
        Arrays.fill(y, 1.0);
        y[9] = Double.NaN;
        y[10] = Double.POSITIVE_INFINITY;
        y[11] = Double.NaN;
        y[0] = 0.0; // not constant, so the line is not exactly on a gridline
        BufferedImage image = LineChart.titled("gap").series("s", range(21), y).render(700, 400);
        List<int[]> blue = pixelsOf(image, BLUE);
        // The line's own rows: the band around the row with the most blue pixels (the legend lies elsewhere).
        int[] perRow = new int[image.getHeight()];
        blue.forEach(p -> perRow[p[1]]++);
        int lineRow = 0;
        for (int row = 0; row < perRow.length; row++) {
            lineRow = perRow[row] > perRow[lineRow] ? row : lineRow;
        }
        int band = lineRow;
        List<int[]> onLine = blue.stream().filter(p -> Math.abs(p[1] - band) <= 4).toList();
        int minX = onLine.stream().mapToInt(p -> p[0]).min().orElseThrow();
        int maxX = onLine.stream().mapToInt(p -> p[0]).max().orElseThrow();
        int middle = (minX + maxX) / 2; // x = 10, inside the gap that runs from x = 8 to x = 12
        int gapHalfWidth = (maxX - minX) / 40;
        long inGap = onLine.stream().filter(p -> Math.abs(p[0] - middle) <= gapHalfWidth).count();
        long atQuarter = onLine.stream().filter(p -> Math.abs(p[0] - (minX + (maxX - minX) / 4)) <= gapHalfWidth).count();
        assertEquals(0, inGap, "no line through the missing values");
        assertTrue(atQuarter > 0, "the line is there before the gap");
    }

    @Test
    void aSinglePointIsADotInTheMiddle() {
        BufferedImage image = LineChart.titled("one").series("one point", new double[] {3}, new double[] {0.5})
                .render(500, 300);
        // Both axes are widened around the lone value, so it sits mid-plot, away from the legend in a corner.
        Rectangle middle = new Rectangle(200, 100, 125, 100);
        assertTrue(Pixels.count(image, middle, BLUE, TOLERANCE) >= 12, "a lone point is drawn as a dot");
    }

    @Test
    void aConstantSeriesIsAHorizontalLineAcrossThePlot() {
        BufferedImage image = LineChart.titled("flat").series("flat", range(30), new double[30]).render(500, 300);
        // The line lies on a pixel boundary here, so antialiasing blends it with white: count bluish pixels.
        int[] perRow = new int[image.getHeight()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                Color c = new Color(image.getRGB(x, y));
                perRow[y] += c.getBlue() > c.getRed() + 50 && c.getBlue() > c.getGreen() + 10 ? 1 : 0;
            }
        }
        int fullest = Arrays.stream(perRow).max().orElseThrow();
        assertTrue(fullest > 300, "one row holds most of a 500 px wide line, got " + fullest);
    }

    @Test
    void aPointBetweenGapsStaysVisibleAmongManyPoints() {
        // 400 points are too many for dots, but the one finite value among NaNs must still show.
        double[] y = new double[400];
        Arrays.fill(y, Double.NaN);
        y[200] = 1.5; // off the other series, which passes through (200, 1)
        BufferedImage image = LineChart.titled("").series("lonely", range(400), y)
                .series("other", new double[] {0, 399}, new double[] {0, 2}).render(600, 400);
        // The legend sample line is blue too, but it is a line; count a dot's worth of pixels in the plot's middle.
        Rectangle middle = new Rectangle(250, 120, 100, 160);
        assertTrue(Pixels.count(image, middle, BLUE, TOLERANCE) >= 12, "the isolated point is drawn");
    }

    @Test
    void emptyChartsSayNoDataInsteadOfFailing() {
        BufferedImage empty = LineChart.titled("Loss").xLabel("epoch").yLabel("loss").render(500, 300);
        BufferedImage allNaN = LineChart.titled("Loss")
                .series("train", new double[] {1, 2}, new double[] {Double.NaN, Double.NaN}).render(500, 300);
        for (BufferedImage image : List.of(empty, allNaN)) {
            boolean textInTheMiddle = false;
            for (int y = 130; y < 175 && !textInTheMiddle; y++) {
                for (int x = 200; x < 300 && !textInTheMiddle; x++) {
                    textInTheMiddle = Pixels.brightness(image, x, y) < 0.7;
                }
            }
            assertTrue(textInTheMiddle, "'no data' is written in the middle");
        }
    }

    @Test
    void logarithmicYSkipsValuesAtOrBelowZero() {
        BufferedImage image = LineChart.titled("log").logarithmicY()
                .series("s", range(6), new double[] {100, 10, 0, -1, 1, 0.1}).render(500, 300);
        assertTrue(pixelsOf(image, BLUE).size() > 100);
    }

    @Test
    void aMarkerIsAVerticalLineAtItsX() {
        BufferedImage without = LineChart.titled("m").series("s", range(11), range(11)).render(600, 400);
        BufferedImage with = LineChart.titled("m").series("s", range(11), range(11)).marker(5, "").render(600, 400);
        List<Integer> changedColumns = new ArrayList<>();
        int changedRows = 0;
        for (int y = 0; y < 400; y++) {
            boolean rowChanged = false;
            for (int x = 0; x < 600; x++) {
                if (with.getRGB(x, y) != without.getRGB(x, y)) {
                    changedColumns.add(x);
                    rowChanged = true;
                }
            }
            changedRows += rowChanged ? 1 : 0;
        }
        changedColumns.sort(null);
        int median = changedColumns.get(changedColumns.size() / 2);
        long nearMedian = changedColumns.stream().filter(x -> Math.abs(x - median) <= 3).count();
        assertTrue(nearMedian >= 0.9 * changedColumns.size(), "the change is one narrow column");
        assertTrue(changedRows > 200, "spanning most of the plot's height, got " + changedRows + " rows");
        assertTrue(median > 250 && median < 400, "x = 5 of 0..10 is near the middle of the plot, got " + median);
    }

    @Test
    void refusesBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LineChart.titled("t").series("train", new double[3], new double[2]));
        assertTrue(e.getMessage().contains("LineChart") && e.getMessage().contains("3 x values but 2 y values"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LineChart.titled("t").render(100, 300));
        assertTrue(e.getMessage().contains("100x300"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LineChart.titled("t").marker(Double.NaN, "best"));
        assertThrows(IllegalArgumentException.class, () -> LineChart.titled("t").series(" ", new double[0], new double[0]));
        assertThrows(NullPointerException.class, () -> LineChart.titled(null));
    }

    @Test
    void theSeriesIsCopiedWhenAdded() {
        double[] y = {1, 2, 3};
        LineChart chart = LineChart.titled("").series("s", new double[] {0, 1, 2}, y);
        BufferedImage before = chart.render(400, 300);
        y[1] = 100;
        BufferedImage after = chart.render(400, 300);
        for (int x = 0; x < 400; x += 7) {
            for (int row = 0; row < 300; row += 7) {
                assertEquals(before.getRGB(x, row), after.getRGB(x, row), "changing the caller's array changes nothing");
            }
        }
    }
}

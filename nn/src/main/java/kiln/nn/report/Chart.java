package kiln.nn.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A chart that renders itself at any size: into an image, or straight to a PNG file. Font sizes and margins
 * follow the image size, so a larger image is a sharper version of the same chart.
 */
public abstract sealed class Chart permits LineChart, ConfusionMatrixChart {
    Chart() {}

    /**
     * Renders the chart and writes it as a PNG, atomically (a reader never sees a half-written file, and the
     * old file stays whole if writing fails).
     *
     * @throws IllegalArgumentException when a side is outside 160..10000 pixels
     * @throws IOException naming the file when it cannot be written
     */
    public final void writePng(Path file, int width, int height) throws IOException {
        Canvas.writePng(render(width, height), file);
    }

    /**
     * Renders the chart into a new image of the given size.
     *
     * @throws IllegalArgumentException when a side is outside 160..10000 pixels
     */
    public final BufferedImage render(int width, int height) {
        Canvas canvas = Canvas.blank(width, height, getClass().getSimpleName());
        draw(canvas);
        return canvas.finish();
    }

    /** Draws the chart on a blank canvas. */
    abstract void draw(Canvas canvas);
}

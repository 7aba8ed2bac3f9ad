package kiln.nn.report;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;

/** Reading rendered charts back: colours, luminance, where a colour is. */
final class Pixels {
    private Pixels() {}

    /** Whether the pixel at (x, y) is within {@code tolerance} of {@code color} on every channel. */
    static boolean near(BufferedImage image, int x, int y, Color color, int tolerance) {
        Color pixel = new Color(image.getRGB(x, y));
        return Math.abs(pixel.getRed() - color.getRed()) <= tolerance
                && Math.abs(pixel.getGreen() - color.getGreen()) <= tolerance
                && Math.abs(pixel.getBlue() - color.getBlue()) <= tolerance;
    }

    /** How many pixels in the region are within {@code tolerance} of {@code color}. */
    static int count(BufferedImage image, Rectangle region, Color color, int tolerance) {
        int count = 0;
        for (int y = region.y; y < region.y + region.height; y++) {
            for (int x = region.x; x < region.x + region.width; x++) {
                if (near(image, x, y, color, tolerance)) {
                    count++;
                }
            }
        }
        return count;
    }

    static Rectangle whole(BufferedImage image) {
        return new Rectangle(0, 0, image.getWidth(), image.getHeight());
    }

    /** Perceived brightness in [0, 1] (Rec. 709 weights on the gamma-encoded channels: enough to order colours). */
    static double brightness(BufferedImage image, int x, int y) {
        Color c = new Color(image.getRGB(x, y));
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255;
    }
}

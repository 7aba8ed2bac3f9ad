package kiln.nn.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import kiln.nn.io.AtomicFiles;

/**
 * An off-screen image to draw a chart on, with the text helpers every chart needs: measure, align, rotate,
 * abbreviate.
 *
 * <p>Only {@link BufferedImage} and its {@link Graphics2D} are used, never a window or the AWT toolkit, so
 * charts render on a machine without a display (headless; the JDK detects a missing display by itself, and a
 * launcher may also pass {@code -Djava.awt.headless=true}). Font sizes follow the image size, so a larger
 * image is a sharper version of the same chart rather than the same chart with tiny text.
 */
final class Canvas {
    static final int MIN_SIZE = 160;
    static final int MAX_SIZE = 10_000;

    private final BufferedImage image;
    private final Graphics2D graphics;
    private final float fontSize;

    private Canvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        graphics = image.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        graphics.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        graphics.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, width, height);
        // About 13 px of body text on a 500 px tall chart; never below 10 px, where text stops being readable.
        fontSize = Math.clamp(Math.min(width, height) / 38f, 10f, 36f);
    }

    /**
     * A white canvas of the given size.
     *
     * @param owner the chart class, named in the message when the size is refused
     */
    static Canvas blank(int width, int height, String owner) {
        if (width < MIN_SIZE || height < MIN_SIZE || width > MAX_SIZE || height > MAX_SIZE) {
            throw new IllegalArgumentException(owner + ": image size " + width + "x" + height + " must be within "
                    + MIN_SIZE + ".." + MAX_SIZE + " pixels on each side");
        }
        return new Canvas(width, height);
    }

    Graphics2D graphics() {
        return graphics;
    }

    int width() {
        return image.getWidth();
    }

    int height() {
        return image.getHeight();
    }

    /** The body text size in pixels; other sizes are multiples of it. */
    float unit() {
        return fontSize;
    }

    /** The empty margin around a chart. */
    double pad() {
        return fontSize * 1.2;
    }

    /** Where the chart below the title starts: the pad, the title's line and a gap, or just the pad. */
    double belowTitle(String title) {
        return pad() + (title.isEmpty() ? 0 : textHeight(titleFont()) + fontSize * 0.8);
    }

    /**
     * Draws the title at the top, centred on {@code centre} (the plot's middle) unless that would push it off
     * the image, abbreviated when wider than the image.
     */
    void title(String title, double centre) {
        if (title.isEmpty()) {
            return;
        }
        Font font = titleFont();
        String text = abbreviate(title, font, width() - 2 * pad());
        double half = textWidth(text, font) / 2;
        text(text, font, Palette.TEXT, Math.clamp(centre, pad() + half, width() - pad() - half), pad(), 0.5, 0);
    }

    private Font titleFont() {
        return font(1.3, true);
    }

    /** The sans-serif font at {@code relative} times the body size. */
    Font font(double relative, boolean bold) {
        return new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, 1).deriveFont((float) (fontSize * relative));
    }

    double textWidth(String text, Font font) {
        return graphics.getFontMetrics(font).getStringBounds(text, graphics).getWidth();
    }

    /** The height of one line of text: ascent plus descent. */
    double textHeight(Font font) {
        FontMetrics metrics = graphics.getFontMetrics(font);
        return metrics.getAscent() + metrics.getDescent();
    }

    /**
     * Draws one line of text positioned by an anchor: {@code alignX} 0 puts the text's left edge at {@code x},
     * 0.5 its centre, 1 its right edge; {@code alignY} does the same with the top, middle and bottom of the line.
     */
    void text(String text, Font font, Color color, double x, double y, double alignX, double alignY) {
        FontMetrics metrics = graphics.getFontMetrics(font);
        double left = x - alignX * textWidth(text, font);
        double top = y - alignY * (metrics.getAscent() + metrics.getDescent());
        graphics.setFont(font);
        graphics.setColor(color);
        graphics.drawString(text, (float) left, (float) (top + metrics.getAscent()));
    }

    /** Like {@link #text}, with the line turned by {@code radians} (negative: counter-clockwise) about the anchor. */
    void rotatedText(String text, Font font, Color color, double x, double y, double radians, double alignX,
            double alignY) {
        AffineTransform saved = graphics.getTransform();
        graphics.translate(x, y);
        graphics.rotate(radians);
        text(text, font, color, 0, 0, alignX, alignY);
        graphics.setTransform(saved);
    }

    /** The text itself if it fits in {@code maxWidth}, else its longest prefix that fits with an ellipsis. */
    String abbreviate(String text, Font font, double maxWidth) {
        if (textWidth(text, font) <= maxWidth) {
            return text;
        }
        int keep = text.length();
        while (keep > 1 && textWidth(text.substring(0, keep) + "…", font) > maxWidth) {
            keep--;
        }
        return text.substring(0, keep).strip() + "…";
    }

    /** Finishes drawing and hands the picture over. */
    BufferedImage finish() {
        graphics.dispose();
        return image;
    }

    /** Encodes the image as PNG and writes it atomically ({@link AtomicFiles#write}). */
    static void writePng(BufferedImage image, Path target) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", png)) {
            throw new IllegalStateException("Canvas.writePng: this JDK has no PNG encoder");
        }
        AtomicFiles.write(target, png.toByteArray());
    }
}

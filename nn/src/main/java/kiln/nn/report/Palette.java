package kiln.nn.report;

import java.awt.Color;

/**
 * The colours of every chart: a series palette that colour-blind readers can tell apart, a light-to-dark
 * blue ramp for heatmaps, and neutral inks for text, axes and gridlines.
 */
final class Palette {
    private Palette() {}

    /**
     * Series colours, chosen to stay distinct under the common forms of colour blindness (the Okabe-Ito set),
     * most distinct first; the yellow of that set is left out because it vanishes on white.
     */
    private static final Color[] SERIES = {
        new Color(0x0072B2), // blue
        new Color(0xD55E00), // vermillion
        new Color(0x009E73), // bluish green
        new Color(0xCC79A7), // reddish purple
        new Color(0xE69F00), // orange
        new Color(0x56B4E9), // sky blue
        new Color(0x000000), // black
    };

    static final Color TEXT = new Color(0x222222);
    static final Color MUTED_TEXT = new Color(0x777777);
    static final Color AXIS = new Color(0x555555);
    static final Color GRID = new Color(0xE4E4E4);
    static final Color MARKER = new Color(0x444444);

    /** Light to dark; equal steps of the heat value give roughly equal steps of lightness. */
    private static final Color[] RAMP = {
        new Color(0xF4F8FB), new Color(0xC8DCEE), new Color(0x80B2D9), new Color(0x3B7EB9), new Color(0x175090),
        new Color(0x08264E),
    };

    /** The colour of the {@code index}-th series; after the palette runs out, colours repeat. */
    static Color series(int index) {
        return SERIES[index % SERIES.length];
    }

    /** How many series get distinct colours before they repeat (the chart then varies the line pattern). */
    static int seriesColours() {
        return SERIES.length;
    }

    /** The heatmap colour for {@code value} in [0, 1]: 0 nearly white, 1 dark blue; values outside are clamped. */
    static Color heat(double value) {
        double position = Math.clamp(value, 0, 1) * (RAMP.length - 1);
        int low = Math.min((int) position, RAMP.length - 2);
        double t = position - low;
        Color a = RAMP[low];
        Color b = RAMP[low + 1];
        return new Color(mix(a.getRed(), b.getRed(), t), mix(a.getGreen(), b.getGreen(), t),
                mix(a.getBlue(), b.getBlue(), t));
    }

    /** Relative luminance as WCAG defines it: 0 for black, 1 for white, weighted for the eye's sensitivity. */
    static double luminance(Color color) {
        return 0.2126 * linear(color.getRed()) + 0.7152 * linear(color.getGreen()) + 0.0722 * linear(color.getBlue());
    }

    /** Black-ish or white text, whichever contrasts more with the background (WCAG contrast ratio). */
    static Color textOn(Color background) {
        double l = luminance(background);
        double contrastWithWhite = 1.05 / (l + 0.05);
        double contrastWithDark = (l + 0.05) / (luminance(TEXT) + 0.05);
        return contrastWithWhite > contrastWithDark ? Color.WHITE : TEXT;
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }

    private static double linear(int channel) {
        double c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
}

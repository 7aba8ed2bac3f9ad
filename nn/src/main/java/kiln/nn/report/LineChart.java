package kiln.nn.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A chart of one or more series of (x, y) points joined by lines, drawn to a PNG: training curves and the
 * like.
 *
 * <pre>{@code
 * LineChart.titled("Loss").xLabel("epoch").yLabel("cross-entropy")
 *         .series("train", epochs, trainLoss)
 *         .series("validation", epochs, validationLoss)
 *         .marker(bestEpoch, "best")
 *         .writePng(runDir.resolve("loss.png"), 900, 560);
 * }</pre>
 *
 * <p>What it does with awkward data: a NaN or infinite value (and, on a logarithmic y axis, a value at or
 * below zero) is skipped and leaves a gap in its line; a point between two gaps is drawn as a dot so that it
 * stays visible. A single point or a constant series gets an axis widened around its value. A chart with no
 * drawable point says "no data". Points are joined in the order given, so x need not be sorted. Points are
 * marked with dots when they are few enough to tell apart.
 *
 * <p>The y axis is labelled loosely (its ends are ticks), the x axis tightly (it spans the data, with a
 * small margin) and with whole-number steps when every x is a whole number, as epochs are. The legend goes
 * in the corner of the plot that the lines cross least.
 */
public final class LineChart extends Chart {
    private record Series(String name, double[] x, double[] y) {}

    private record Marker(double x, String label) {}

    private final String title;
    private String xLabel = "";
    private String yLabel = "";
    private boolean logarithmicY;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    private LineChart(String title) {
        this.title = title;
    }

    /** A new, empty chart with this title (may be empty, not null). */
    public static LineChart titled(String title) {
        return new LineChart(nonNull(title, "title"));
    }

    /** The x axis caption, e.g. "epoch". */
    public LineChart xLabel(String label) {
        xLabel = nonNull(label, "xLabel");
        return this;
    }

    /** The y axis caption, e.g. "cross-entropy". */
    public LineChart yLabel(String label) {
        yLabel = nonNull(label, "yLabel");
        return this;
    }

    /** Draws the y axis on a base-10 logarithmic scale; values at or below zero are then skipped. */
    public LineChart logarithmicY() {
        logarithmicY = true;
        return this;
    }

    /**
     * Adds a series, copied; the name appears in the legend. Colours follow the order of the calls.
     *
     * @throws IllegalArgumentException when the name is blank or the arrays differ in length
     */
    public LineChart series(String name, double[] x, double[] y) {
        nonNull(name, "series name");
        Objects.requireNonNull(x, "LineChart.series: x of '" + name + "' must not be null");
        Objects.requireNonNull(y, "LineChart.series: y of '" + name + "' must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("LineChart.series: the name must not be blank");
        }
        if (x.length != y.length) {
            throw new IllegalArgumentException("LineChart.series: '" + name + "' has " + x.length + " x values but "
                    + y.length + " y values");
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    /** Adds a dashed vertical line at {@code x} captioned with {@code label}, e.g. the best epoch. */
    public LineChart marker(double x, String label) {
        nonNull(label, "marker label");
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("LineChart.marker: x " + x + " of '" + label + "' must be finite");
        }
        markers.add(new Marker(x, label));
        return this;
    }

    @Override
    void draw(Canvas canvas) {
        new Drawing(canvas).draw();
    }

    private static String nonNull(String text, String what) {
        return Objects.requireNonNull(text, "LineChart: " + what + " must not be null");
    }

    /** One rendering: the layout worked out for one image size, then the drawing. */
    private final class Drawing {
        private final Canvas canvas;
        private final Graphics2D g;
        private final double unit;
        private final double pad;
        private final Font labelFont;
        private final Font tickFont;
        private final Font legendFont;
        private Rectangle2D plot;
        private AxisScale xScale;
        private AxisScale yScale;
        /** Pixel positions along every drawn line and marker, to find the emptiest corner for the legend. */
        private final List<Point2D> inked = new ArrayList<>();

        Drawing(Canvas canvas) {
            this.canvas = canvas;
            this.g = canvas.graphics();
            this.unit = canvas.unit();
            this.pad = canvas.pad();
            this.labelFont = canvas.font(1.0, false);
            this.tickFont = canvas.font(0.88, false);
            this.legendFont = canvas.font(0.92, false);
        }

        void draw() {
            double top = canvas.belowTitle(title);
            double bottom = pad + captionSpace(xLabel) + canvas.textHeight(tickFont) + unit * 0.6;
            double[] dataRange = dataRange();
            if (dataRange == null) {
                double left = pad + captionSpace(yLabel);
                plot = new Rectangle2D.Double(left, top, canvas.width() - left - pad, canvas.height() - top - bottom);
                drawNoData();
            } else {
                layOut(dataRange, top, bottom);
                drawAxes();
                for (int i = 0; i < series.size(); i++) {
                    drawSeries(series.get(i), i);
                }
                markers.forEach(this::drawMarker);
                drawLegend();
            }
            canvas.title(title, plot.getCenterX());
        }

        /** Space for an axis caption plus its gap, or nothing when the caption is empty. */
        private double captionSpace(String caption) {
            return caption.isEmpty() ? 0 : canvas.textHeight(labelFont) + unit * 0.5;
        }

        private boolean acceptsY(double y) {
            return Double.isFinite(y) && (!logarithmicY || y > 0);
        }

        private boolean drawable(Series s, int i) {
            return Double.isFinite(s.x[i]) && acceptsY(s.y[i]);
        }

        /** {xMin, xMax, yMin, yMax} over the drawable points and the markers, or null when nothing is drawable. */
        private double[] dataRange() {
            double[] range = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY};
            for (Series s : series) {
                for (int i = 0; i < s.x.length; i++) {
                    if (drawable(s, i)) {
                        range[0] = Math.min(range[0], s.x[i]);
                        range[1] = Math.max(range[1], s.x[i]);
                        range[2] = Math.min(range[2], s.y[i]);
                        range[3] = Math.max(range[3], s.y[i]);
                    }
                }
            }
            if (range[0] > range[1]) {
                return null;
            }
            for (Marker m : markers) {
                range[0] = Math.min(range[0], m.x);
                range[1] = Math.max(range[1], m.x);
            }
            return range;
        }

        private boolean wholeNumbersOnX() {
            for (Series s : series) {
                for (int i = 0; i < s.x.length; i++) {
                    if (drawable(s, i) && s.x[i] != Math.rint(s.x[i])) {
                        return false;
                    }
                }
            }
            return markers.stream().allMatch(m -> m.x == Math.rint(m.x));
        }

        /**
         * Margins follow from the labels: the y ticks depend only on the plot's height, their widest label sets
         * the left margin, that sets the plot's width, and the width decides how many x ticks fit.
         */
        private void layOut(double[] range, double top, double bottom) {
            double plotHeight = canvas.height() - top - bottom;
            yScale = logarithmicY ? AxisScale.logarithmic(range[2], range[3]) : linearY(range[2], range[3], plotHeight);
            double left = pad + captionSpace(yLabel) + widestLabel(yScale) + unit * 0.6;
            double right = Math.max(pad, unit * 2);
            double plotWidth = canvas.width() - left - right;
            boolean wholeNumbers = wholeNumbersOnX();
            int target = Math.clamp((int) (plotWidth / (unit * 5)), 2, 12);
            do {
                xScale = AxisScale.linear(range[0], range[1], target, wholeNumbers).tightened(range[0], range[1], 0.025);
                target--;
            } while (target >= 2 && (widestLabel(xScale) + unit * 1.5) * xScale.ticks().length > plotWidth);
            plot = new Rectangle2D.Double(left, top, plotWidth, plotHeight);
        }

        /**
         * A loose linear y axis over the data plus 2% headroom on each side, so that a point at the extreme is not
         * drawn on top of the frame; data that never goes below zero keeps an axis that does not either.
         */
        private AxisScale linearY(double min, double max, double plotHeight) {
            double headroom = 0.02 * (max - min);
            double low = min >= 0 ? Math.max(0, min - headroom) : min - headroom;
            int target = Math.clamp((int) (plotHeight / (unit * 3.6)), 3, 10);
            return AxisScale.linear(low, max + headroom, target, false);
        }

        private double widestLabel(AxisScale scale) {
            double widest = 0;
            for (double tick : scale.ticks()) {
                widest = Math.max(widest, canvas.textWidth(scale.label(tick), tickFont));
            }
            return widest;
        }

        private double pixelX(double x) {
            return plot.getMinX() + xScale.fraction(x) * plot.getWidth();
        }

        private double pixelY(double y) {
            return plot.getMaxY() - yScale.fraction(y) * plot.getHeight();
        }

        private Point2D pixel(Series s, int i) {
            return new Point2D.Double(pixelX(s.x[i]), pixelY(s.y[i]));
        }

        private void drawAxes() {
            double tickLength = unit * 0.35;
            g.setStroke(new BasicStroke(1f));
            for (double tick : yScale.ticks()) {
                double y = pixelY(tick);
                g.setColor(Palette.GRID);
                g.draw(new Line2D.Double(plot.getMinX(), y, plot.getMaxX(), y));
                g.setColor(Palette.AXIS);
                g.draw(new Line2D.Double(plot.getMinX() - tickLength, y, plot.getMinX(), y));
                canvas.text(yScale.label(tick), tickFont, Palette.TEXT, plot.getMinX() - unit * 0.6, y, 1, 0.5);
            }
            for (double tick : xScale.ticks()) {
                double x = pixelX(tick);
                g.setColor(Palette.GRID);
                g.draw(new Line2D.Double(x, plot.getMinY(), x, plot.getMaxY()));
                g.setColor(Palette.AXIS);
                g.draw(new Line2D.Double(x, plot.getMaxY(), x, plot.getMaxY() + tickLength));
                canvas.text(xScale.label(tick), tickFont, Palette.TEXT, x, plot.getMaxY() + unit * 0.6, 0.5, 0);
            }
            g.setColor(Palette.AXIS);
            g.draw(new Line2D.Double(plot.getMinX(), plot.getMinY(), plot.getMinX(), plot.getMaxY()));
            g.draw(new Line2D.Double(plot.getMinX(), plot.getMaxY(), plot.getMaxX(), plot.getMaxY()));
            drawCaptions();
        }

        private void drawCaptions() {
            if (!xLabel.isEmpty()) {
                canvas.text(canvas.abbreviate(xLabel, labelFont, plot.getWidth()), labelFont, Palette.TEXT,
                        plot.getCenterX(), canvas.height() - pad, 0.5, 1);
            }
            if (!yLabel.isEmpty()) {
                canvas.rotatedText(canvas.abbreviate(yLabel, labelFont, plot.getHeight()), labelFont, Palette.TEXT,
                        pad, plot.getCenterY(), -Math.PI / 2, 0.5, 0);
            }
        }

        private void drawSeries(Series s, int index) {
            Color color = Palette.series(index);
            float width = (float) Math.max(1.5, unit * 0.16);
            // Past the palette, colours repeat: a dash pattern keeps the repeated ones apart.
            float[] dash = index < Palette.seriesColours() ? null : new float[] {width * 4, width * 2};
            g.setColor(color);
            g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
            Rectangle2D clip = new Rectangle2D.Double(plot.getX() - unit, plot.getY() - unit, plot.getWidth() + 2 * unit,
                    plot.getHeight() + 2 * unit);
            g.setClip(clip);
            Path2D.Double line = new Path2D.Double();
            Point2D previous = null;
            for (int i = 0; i < s.x.length; i++) {
                if (!drawable(s, i)) {
                    previous = null;
                    continue;
                }
                Point2D point = pixel(s, i);
                if (previous == null) {
                    line.moveTo(point.getX(), point.getY());
                } else {
                    line.lineTo(point.getX(), point.getY());
                    traceSegment(previous, point);
                }
                previous = point;
            }
            g.draw(line);
            // Dots when the points are far enough apart to tell from one another (gaps included in the count).
            boolean fewPoints = plot.getWidth() / s.x.length >= unit * 1.2;
            double radius = Math.max(2.5, unit * 0.28);
            for (int i = 0; i < s.x.length; i++) {
                // A point between two gaps has no line through it: without its dot it would not show at all.
                boolean isolated = drawable(s, i) && (i == 0 || !drawable(s, i - 1))
                        && (i + 1 == s.x.length || !drawable(s, i + 1));
                if (isolated || (fewPoints && drawable(s, i))) {
                    Point2D p = pixel(s, i);
                    inked.add(p);
                    g.fill(new Ellipse2D.Double(p.getX() - radius, p.getY() - radius, 2 * radius, 2 * radius));
                }
            }
            g.setClip(null);
        }

        /** Records points every few pixels along a segment, for the legend's placement. */
        private void traceSegment(Point2D from, Point2D to) {
            int steps = Math.max(1, (int) (from.distance(to) / (unit * 0.5)));
            for (int k = 0; k <= steps; k++) {
                double t = (double) k / steps;
                inked.add(new Point2D.Double(from.getX() + t * (to.getX() - from.getX()),
                        from.getY() + t * (to.getY() - from.getY())));
            }
        }

        private void drawMarker(Marker marker) {
            double x = pixelX(marker.x);
            float width = (float) Math.max(1.2, unit * 0.11);
            g.setColor(Palette.MARKER);
            g.setStroke(new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {width * 5, width * 4}, 0f));
            g.draw(new Line2D.Double(x, plot.getMinY(), x, plot.getMaxY()));
            traceSegment(new Point2D.Double(x, plot.getMinY()), new Point2D.Double(x, plot.getMaxY()));
            if (marker.label.isEmpty()) {
                return;
            }
            Font font = canvas.font(0.85, false);
            String text = canvas.abbreviate(marker.label, font, plot.getWidth() * 0.4);
            double textWidth = canvas.textWidth(text, font);
            double gap = unit * 0.35;
            // Right of the line when it fits inside the plot, else left of it.
            boolean right = x + gap + textWidth <= plot.getMaxX() - gap;
            double textX = right ? x + gap : x - gap;
            double textY = plot.getMinY() + unit * 0.3;
            double boxLeft = right ? textX - unit * 0.15 : textX - textWidth - unit * 0.15;
            g.setColor(new Color(255, 255, 255, 220));
            g.fill(new Rectangle2D.Double(boxLeft, textY, textWidth + unit * 0.3, canvas.textHeight(font)));
            canvas.text(text, font, Palette.MARKER, textX, textY, right ? 0 : 1, 0);
        }

        private void drawLegend() {
            double sample = unit * 1.8;
            double gap = unit * 0.5;
            double inner = unit * 0.55;
            double rowHeight = canvas.textHeight(legendFont) * 1.2;
            List<String> names = new ArrayList<>();
            double widest = 0;
            for (Series s : series) {
                String name = canvas.abbreviate(s.name, legendFont, plot.getWidth() * 0.45);
                names.add(name);
                widest = Math.max(widest, canvas.textWidth(name, legendFont));
            }
            double width = inner * 2 + sample + gap + widest;
            double height = inner * 2 + rowHeight * names.size() - (rowHeight - canvas.textHeight(legendFont));
            Rectangle2D box = emptiestCorner(width, height);
            g.setColor(new Color(255, 255, 255, 230));
            RoundRectangle2D frame = new RoundRectangle2D.Double(box.getX(), box.getY(), width, height, unit * 0.5,
                    unit * 0.5);
            g.fill(frame);
            g.setColor(new Color(0xCCCCCC));
            g.setStroke(new BasicStroke(1f));
            g.draw(frame);
            for (int i = 0; i < names.size(); i++) {
                double middle = box.getY() + inner + i * rowHeight + canvas.textHeight(legendFont) / 2;
                float lineWidth = (float) Math.max(1.5, unit * 0.16);
                float[] dash = i < Palette.seriesColours() ? null : new float[] {lineWidth * 4, lineWidth * 2};
                g.setColor(Palette.series(i));
                g.setStroke(new BasicStroke(lineWidth, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
                g.draw(new Line2D.Double(box.getX() + inner, middle, box.getX() + inner + sample, middle));
                canvas.text(names.get(i), legendFont, Palette.TEXT, box.getX() + inner + sample + gap, middle, 0, 0.5);
            }
        }

        /** Of the plot's four corners (top right first), the one whose legend box would cover the fewest lines. */
        private Rectangle2D emptiestCorner(double width, double height) {
            double inset = unit * 0.6;
            double left = plot.getMinX() + inset;
            double right = plot.getMaxX() - inset - width;
            double upper = plot.getMinY() + inset;
            double lower = plot.getMaxY() - inset - height;
            double[][] corners = {{right, upper}, {left, upper}, {right, lower}, {left, lower}};
            Rectangle2D best = null;
            long fewest = Long.MAX_VALUE;
            for (double[] corner : corners) {
                Rectangle2D box = new Rectangle2D.Double(corner[0], corner[1], width, height);
                Rectangle2D margin = new Rectangle2D.Double(box.getX() - unit * 0.3, box.getY() - unit * 0.3,
                        width + unit * 0.6, height + unit * 0.6);
                long covered = inked.stream().filter(margin::contains).count();
                if (covered < fewest) {
                    fewest = covered;
                    best = box;
                }
            }
            return best;
        }

        private void drawNoData() {
            g.setColor(Palette.GRID);
            g.setStroke(new BasicStroke(1f));
            g.draw(plot);
            drawCaptions();
            canvas.text("no data", canvas.font(1.2, false), Palette.MUTED_TEXT, plot.getCenterX(), plot.getCenterY(),
                    0.5, 0.5);
        }
    }
}

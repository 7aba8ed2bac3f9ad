package kiln.nn.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A confusion matrix drawn as a heatmap PNG: row {@code i}, column {@code j} holds how many examples of true
 * class {@code i} were predicted as class {@code j}, so a good classifier has a dark diagonal.
 *
 * <pre>{@code
 * ConfusionMatrixChart.of(counts, classNames).title("Confusion matrix (test set)")
 *         .normalizeRows()
 *         .writePng(runDir.resolve("confusion.png"), 820, 760);
 * }</pre>
 *
 * <p>Each cell shows its count, in black or white, whichever reads better on the cell's colour. By default
 * the colour is the count relative to the largest count; with {@link #normalizeRows()} it is the count's
 * share of its row (the per-class recall on the diagonal), which keeps rare classes visible, and the share is
 * printed under the count. A colour bar gives the scale. Class names are abbreviated with an ellipsis when
 * long, set at 45 degrees under the columns when they do not fit side by side, and thinned out (every n-th
 * name) when there are more classes than lines of text fit.
 */
public final class ConfusionMatrixChart extends Chart {
    private final long[][] counts;
    private final List<String> classNames;
    /** The largest count, and each row's total: the denominators of the two colourings. */
    private final long largestCount;
    private final long[] rowTotals;
    private String title = "Confusion matrix";
    private boolean normalizeRows;

    private ConfusionMatrixChart(long[][] counts, List<String> classNames) {
        this.counts = counts;
        this.classNames = classNames;
        this.rowTotals = new long[counts.length];
        long largest = 0;
        for (int row = 0; row < counts.length; row++) {
            for (long count : counts[row]) {
                rowTotals[row] += count;
                largest = Math.max(largest, count);
            }
        }
        this.largestCount = largest;
    }

    /**
     * A chart of a k×k matrix of counts (rows: true class, columns: predicted class), copied, with k class
     * names in class-index order.
     *
     * @throws IllegalArgumentException when the matrix is not square, has a negative count, or the number of
     *     names is not k
     */
    public static ConfusionMatrixChart of(long[][] counts, List<String> classNames) {
        Objects.requireNonNull(counts, "ConfusionMatrixChart: counts must not be null");
        Objects.requireNonNull(classNames, "ConfusionMatrixChart: classNames must not be null");
        int k = counts.length;
        if (k == 0) {
            throw new IllegalArgumentException("ConfusionMatrixChart: the matrix has no rows");
        }
        long[][] copy = new long[k][];
        for (int row = 0; row < k; row++) {
            if (counts[row] == null || counts[row].length != k) {
                throw new IllegalArgumentException("ConfusionMatrixChart: the matrix must be square, but row " + row
                        + " has " + (counts[row] == null ? "no" : counts[row].length) + " columns for " + k + " rows");
            }
            for (int column = 0; column < k; column++) {
                if (counts[row][column] < 0) {
                    throw new IllegalArgumentException("ConfusionMatrixChart: count [" + row + "][" + column + "] is "
                            + counts[row][column] + ", counts cannot be negative");
                }
            }
            copy[row] = counts[row].clone();
        }
        if (classNames.size() != k) {
            throw new IllegalArgumentException("ConfusionMatrixChart: " + classNames.size() + " class names for a "
                    + k + "x" + k + " matrix");
        }
        List<String> names = List.copyOf(classNames); // also refuses null names
        return new ConfusionMatrixChart(copy, names);
    }

    /** The title over the chart (default "Confusion matrix"). */
    public ConfusionMatrixChart title(String title) {
        this.title = Objects.requireNonNull(title, "ConfusionMatrixChart: title must not be null");
        return this;
    }

    /** Colours each cell by its share of its row instead of by its count relative to the largest count. */
    public ConfusionMatrixChart normalizeRows() {
        normalizeRows = true;
        return this;
    }

    @Override
    void draw(Canvas canvas) {
        new Drawing(canvas).draw();
    }

    /** Where the cell at ({@code row}, {@code column}) lands in an image of the given size: for tests. */
    Rectangle2D cellBounds(int row, int column, int width, int height) {
        Canvas canvas = Canvas.blank(width, height, "ConfusionMatrixChart");
        Drawing drawing = new Drawing(canvas);
        drawing.layOut();
        canvas.finish();
        return drawing.cell(row, column);
    }

    /** The heat of a cell in [0, 1]: its count over the largest count, or over its row's total when normalized. */
    private double heat(int row, int column) {
        long denominator = normalizeRows ? rowTotals[row] : largestCount;
        return denominator == 0 ? 0 : (double) counts[row][column] / denominator;
    }

    /** One rendering: the layout for one image size, then the drawing. */
    private final class Drawing {
        private static final double SIN_45 = Math.sqrt(0.5);

        private final Canvas canvas;
        private final Graphics2D g;
        private final double unit;
        private final double pad;
        private final int k = counts.length;
        private final Font nameFont;
        private final Font captionFont;
        private final Font scaleFont;
        private final AxisScale scale;
        private Rectangle2D matrix;
        private double cell;
        private boolean slantedColumnNames;
        private double nameWidthLimit;

        Drawing(Canvas canvas) {
            this.canvas = canvas;
            this.g = canvas.graphics();
            this.unit = canvas.unit();
            this.pad = canvas.pad();
            this.nameFont = canvas.font(0.9, false);
            this.captionFont = canvas.font(1.0, true);
            this.scaleFont = canvas.font(0.85, false);
            // The colour bar's scale: percent of the row, or counts (whole numbers, at least 0..1 when all are 0).
            double top = normalizeRows ? 100 : Math.max(1, largestCount);
            this.scale = AxisScale.linear(0, top, 6, true).tightened(0, top, 0);
        }

        void draw() {
            layOut();
            canvas.title(title, matrix.getCenterX());
            drawCells();
            drawNames();
            drawColourBar();
        }

        private String scaleLabel(double value) {
            return scale.label(value) + (normalizeRows ? "%" : "");
        }

        /**
         * Fits the matrix between the margins: names on the left and below, the colour bar on the right. Column
         * names go side by side when the widest fits a cell, else slanted, which needs more room below.
         */
        void layOut() {
            double top = canvas.belowTitle(title);
            double captionSpace = canvas.textHeight(captionFont) + unit * 0.6;
            nameWidthLimit = canvas.width() * 0.22;
            double widestName = 0;
            for (String name : classNames) {
                widestName = Math.max(widestName, canvas.textWidth(canvas.abbreviate(name, nameFont, nameWidthLimit),
                        nameFont));
            }
            double widestScaleLabel = 0;
            for (double tick : scale.ticks()) {
                widestScaleLabel = Math.max(widestScaleLabel, canvas.textWidth(scaleLabel(tick), scaleFont));
            }
            double left = pad + captionSpace + widestName + unit * 0.6;
            double right = pad + colourBarGap() + colourBarWidth() + unit * 0.5 + widestScaleLabel;
            double availableWidth = canvas.width() - left - right;
            double nameGap = unit * 0.5;

            double bottomFlat = pad + captionSpace + canvas.textHeight(nameFont) + nameGap;
            cell = Math.min(availableWidth, canvas.height() - top - bottomFlat) / k;
            slantedColumnNames = widestName > cell * 0.92;
            double bottom = bottomFlat;
            if (slantedColumnNames) {
                bottom = pad + captionSpace + (widestName + canvas.textHeight(nameFont)) * SIN_45 + nameGap;
                cell = Math.min(availableWidth, canvas.height() - top - bottom) / k;
            }
            cell = Math.max(cell, 1);
            double size = cell * k;
            double x = left + Math.max(0, (availableWidth - size) / 2);
            double y = top + Math.max(0, (canvas.height() - top - bottom - size) / 2);
            matrix = new Rectangle2D.Double(x, y, size, size);
        }

        private double colourBarWidth() {
            return unit * 1.1;
        }

        private double colourBarGap() {
            return unit * 1.2;
        }

        Rectangle2D cell(int row, int column) {
            return new Rectangle2D.Double(matrix.getX() + column * cell, matrix.getY() + row * cell, cell, cell);
        }

        private void drawCells() {
            for (int row = 0; row < k; row++) {
                for (int column = 0; column < k; column++) {
                    g.setColor(Palette.heat(heat(row, column)));
                    g.fill(cell(row, column));
                }
            }
            // Thin white lines between cells keep neighbours of similar colour apart.
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke((float) Math.clamp(cell * 0.03, 0.5, 2)));
            for (int i = 1; i < k; i++) {
                double offset = i * cell;
                g.draw(new Line2D.Double(matrix.getX() + offset, matrix.getY(), matrix.getX() + offset, matrix.getMaxY()));
                g.draw(new Line2D.Double(matrix.getX(), matrix.getY() + offset, matrix.getMaxX(), matrix.getY() + offset));
            }
            drawCellTexts();
        }

        /** Counts (and row shares when normalized) in a font sized to the cells; none when cells are too small. */
        private void drawCellTexts() {
            Font probe = canvas.font(1, false);
            double widestAtUnit = canvas.textWidth(Long.toString(largestCount), probe);
            double size = Math.min(1.0, Math.min(cell * 0.32 / canvas.textHeight(probe), cell * 0.8 / widestAtUnit));
            Font countFont = canvas.font(size, false);
            if (canvas.textHeight(countFont) < 7) {
                return;
            }
            Font shareFont = canvas.font(size * 0.78, false);
            boolean showShare = normalizeRows && canvas.textHeight(countFont) + canvas.textHeight(shareFont) <= cell * 0.85;
            for (int row = 0; row < k; row++) {
                for (int column = 0; column < k; column++) {
                    Rectangle2D box = cell(row, column);
                    Color background = Palette.heat(heat(row, column));
                    // A zero is the common case off the diagonal: muted, so the errors that exist stand out.
                    Color ink = counts[row][column] == 0 ? Palette.MUTED_TEXT : Palette.textOn(background);
                    String count = Long.toString(counts[row][column]);
                    if (showShare && counts[row][column] > 0) {
                        double lines = canvas.textHeight(countFont) + canvas.textHeight(shareFont);
                        double topOfText = box.getCenterY() - lines / 2;
                        canvas.text(count, countFont, ink, box.getCenterX(), topOfText, 0.5, 0);
                        canvas.text(percent(heat(row, column)), shareFont, ink, box.getCenterX(),
                                topOfText + canvas.textHeight(countFont), 0.5, 0);
                    } else {
                        canvas.text(count, countFont, ink, box.getCenterX(), box.getCenterY(), 0.5, 0.5);
                    }
                }
            }
        }

        private static String percent(double share) {
            double value = share * 100;
            return String.format(Locale.ROOT, value >= 9.95 || value == 0 ? "%.0f%%" : "%.1f%%", value);
        }

        private void drawNames() {
            double lineHeight = canvas.textHeight(nameFont);
            double gap = unit * 0.5;
            // With more classes than names fit, label every n-th class. Slanted names are cell * sin 45° apart.
            int rowStride = (int) Math.ceil(lineHeight / cell);
            for (int row = 0; row < k; row += rowStride) {
                String name = canvas.abbreviate(classNames.get(row), nameFont, nameWidthLimit);
                canvas.text(name, nameFont, Palette.TEXT, matrix.getX() - gap, cell(row, 0).getCenterY(), 1, 0.5);
            }
            int columnStride = (int) Math.ceil(lineHeight / (slantedColumnNames ? cell * SIN_45 : cell));
            double nameTop = matrix.getMaxY() + gap;
            double namesBottom = nameTop + lineHeight;
            for (int column = 0; column < k; column += columnStride) {
                String name = canvas.abbreviate(classNames.get(column), nameFont, nameWidthLimit);
                double centre = cell(0, column).getCenterX();
                if (slantedColumnNames) {
                    // The name ends under its column and rises to the right at 45 degrees.
                    canvas.rotatedText(name, nameFont, Palette.TEXT, centre + lineHeight * 0.35, nameTop, -Math.PI / 4,
                            1, 0.5);
                    namesBottom = Math.max(namesBottom, nameTop + (canvas.textWidth(name, nameFont) + lineHeight) * SIN_45);
                } else {
                    canvas.text(name, nameFont, Palette.TEXT, centre, nameTop, 0.5, 0);
                }
            }
            canvas.text("Predicted class", captionFont, Palette.TEXT, matrix.getCenterX(), namesBottom + unit * 0.6, 0.5, 0);
            canvas.rotatedText("True class", captionFont, Palette.TEXT, pad, matrix.getCenterY(), -Math.PI / 2, 0.5, 0);
        }

        /** A vertical bar, light at the bottom and dark at the top, with the scale's ticks beside it. */
        private void drawColourBar() {
            double x = matrix.getMaxX() + colourBarGap();
            double width = colourBarWidth();
            int steps = Math.max(2, (int) matrix.getHeight());
            for (int i = 0; i < steps; i++) {
                double fraction = (double) i / (steps - 1);
                double y = matrix.getMaxY() - fraction * matrix.getHeight();
                g.setColor(Palette.heat(fraction));
                g.fill(new Rectangle2D.Double(x, y - matrix.getHeight() / steps, width, matrix.getHeight() / steps + 1));
            }
            g.setColor(Palette.AXIS);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Rectangle2D.Double(x, matrix.getY(), width, matrix.getHeight()));
            for (double tick : scale.ticks()) {
                double y = matrix.getMaxY() - scale.fraction(tick) * matrix.getHeight();
                g.draw(new Line2D.Double(x + width, y, x + width + unit * 0.3, y));
                canvas.text(scaleLabel(tick), scaleFont, Palette.TEXT, x + width + unit * 0.5, y, 0, 0.5);
            }
        }
    }
}

package kiln.nn.report;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import kiln.nn.io.AtomicFiles;

/**
 * A report as one self-contained HTML page: styles inline, no scripts, fonts or links to anything outside,
 * so it opens the same in any browser, offline, years later.
 *
 * <pre>{@code
 * HtmlReport.titled("Fashion-MNIST, mlp, seed 42")
 *         .heading("Configuration").keyValues(configuration)
 *         .heading("Results").keyValues(metrics)
 *         .warning("overfitting: the train-validation gap grew from 0.8% to 4.1%")
 *         .heading("Curves").image(Path.of("loss.png"), "Loss").image(Path.of("accuracy.png"), "Accuracy")
 *         .heading("Classification report").preformatted(classificationReport)
 *         .heading("Per epoch").table(List.of("epoch", "loss", "accuracy"), rows)
 *         .write(runDir.resolve("report.html"));
 * }</pre>
 *
 * <p>Blocks appear in the order they are added. All text is escaped: a class name like {@code <b>&"x'} shows
 * as written and cannot break the page. Numbers in tables are right-aligned; a {@code double} or
 * {@code float} is shown with four significant digits (never fewer than its whole part needs), so
 * 0.891234 shows as 0.8912 and 12345.6 as 12346; pass a string to choose the format yourself.
 *
 * <p>Images are PNG files, referenced by default: the page names the PNG by its path relative to the page's folder
 * (normally a file beside it in the run folder), which keeps the page small and the PNGs usable on their own;
 * a referenced file is not read, so it may be written after the page. {@link #embedImages()} instead puts
 * each PNG's bytes in the page as a base64 {@code data:} URI, for a single file to send around; the images
 * must then exist when the page is written. Images show at their own size, never enlarged, shrunk to the
 * page's width when wider; consecutive images sit side by side when they fit (two charts up to 510 px wide do).
 *
 * <p>The page is written atomically and is well-formed XML as well as HTML.
 */
public final class HtmlReport {
    private sealed interface Block permits Heading, Paragraph, Callout, KeyValues, Table, Image, Preformatted {}

    private record Heading(String text) implements Block {}

    private record Paragraph(String text) implements Block {}

    private record Callout(String kind, String text) implements Block {}

    private record KeyValues(Map<String, Object> entries) implements Block {}

    private record Table(List<String> header, List<List<Object>> rows) implements Block {}

    private record Image(Path file, String caption) implements Block {}

    private record Preformatted(String text) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();
    private boolean embedImages;

    private HtmlReport(String title) {
        this.title = title;
    }

    /** A new, empty report; the title heads the page and names the browser tab. */
    public static HtmlReport titled(String title) {
        return new HtmlReport(nonNull(title, "title"));
    }

    /** A section heading. */
    public HtmlReport heading(String text) {
        blocks.add(new Heading(nonNull(text, "heading")));
        return this;
    }

    /** A paragraph of plain text. */
    public HtmlReport paragraph(String text) {
        blocks.add(new Paragraph(nonNull(text, "paragraph")));
        return this;
    }

    /** A highlighted note, for information worth a glance. */
    public HtmlReport note(String text) {
        blocks.add(new Callout("note", nonNull(text, "note")));
        return this;
    }

    /** A highlighted warning, e.g. "overfitting: the train-validation gap grew from 0.8% to 4.1%". */
    public HtmlReport warning(String text) {
        blocks.add(new Callout("warning", nonNull(text, "warning")));
        return this;
    }

    /**
     * A two-column table of names and values in the map's iteration order (use a {@link LinkedHashMap} or
     * {@code SequencedMap} for a chosen order): a run's configuration, its summary metrics.
     */
    public HtmlReport keyValues(Map<String, ?> entries) {
        Objects.requireNonNull(entries, "HtmlReport.keyValues: entries must not be null");
        Map<String, Object> copy = new LinkedHashMap<>();
        entries.forEach((key, value) -> copy.put(nonNull(key, "keyValues key"), value));
        blocks.add(new KeyValues(copy));
        return this;
    }

    /**
     * A table with a header row; each row must have one cell per header column. A null cell shows empty.
     *
     * @throws IllegalArgumentException when the header is empty or a row has the wrong number of cells
     */
    public HtmlReport table(List<String> header, List<? extends List<?>> rows) {
        Objects.requireNonNull(header, "HtmlReport.table: header must not be null");
        Objects.requireNonNull(rows, "HtmlReport.table: rows must not be null");
        if (header.isEmpty()) {
            throw new IllegalArgumentException("HtmlReport.table: the header has no columns");
        }
        List<List<Object>> copy = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            List<?> row = Objects.requireNonNull(rows.get(i), "HtmlReport.table: row " + i + " must not be null");
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("HtmlReport.table: row " + i + " has " + row.size() + " cells for "
                        + header.size() + " columns");
            }
            copy.add(new ArrayList<>(row));
        }
        blocks.add(new Table(List.copyOf(header), copy));
        return this;
    }

    /**
     * An image with a caption. A relative path is taken relative to the folder the page is written to; an
     * absolute one is turned into a path relative to it.
     */
    public HtmlReport image(Path file, String caption) {
        blocks.add(new Image(Objects.requireNonNull(file, "HtmlReport.image: file must not be null"),
                nonNull(caption, "image caption")));
        return this;
    }

    /** Text shown as written, in a fixed-width font: a classification report, a model summary. */
    public HtmlReport preformatted(String text) {
        blocks.add(new Preformatted(nonNull(text, "preformatted text")));
        return this;
    }

    /** Puts every image's bytes into the page as a data URI instead of referencing the file. */
    public HtmlReport embedImages() {
        embedImages = true;
        return this;
    }

    /**
     * Writes the page to {@code htmlFile} as UTF-8, atomically.
     *
     * @throws IOException when the file cannot be written, or an image to embed cannot be read (naming it)
     */
    public void write(Path htmlFile) throws IOException {
        Path folder = htmlFile.toAbsolutePath().getParent();
        AtomicFiles.write(htmlFile, toHtml(folder).getBytes(StandardCharsets.UTF_8));
    }

    private String toHtml(Path folder) throws IOException {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<meta name=\"generator\" content=\"Kiln\"/>\n")
                .append("<title>").append(escape(title)).append("</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n")
                .append("<h1>").append(escape(title)).append("</h1>\n");
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i) instanceof Image) {
                // Consecutive images share one row that wraps, so small charts sit side by side.
                html.append("<div class=\"figures\">\n");
                for (; i < blocks.size() && blocks.get(i) instanceof Image image; i++) {
                    appendImage(html, image, folder);
                }
                html.append("</div>\n");
                i--;
            } else {
                appendBlock(html, blocks.get(i));
            }
        }
        html.append("</main>\n<footer>Written by Kiln.</footer>\n</body>\n</html>\n");
        return html.toString();
    }

    private static void appendBlock(StringBuilder html, Block block) {
        switch (block) {
            case Heading h -> html.append("<h2>").append(escape(h.text())).append("</h2>\n");
            case Paragraph p -> html.append("<p>").append(escape(p.text())).append("</p>\n");
            case Callout c -> html.append("<div class=\"").append(c.kind()).append("\"><strong>")
                    .append(c.kind().equals("warning") ? "Warning" : "Note").append(":</strong> ")
                    .append(escape(c.text())).append("</div>\n");
            case KeyValues kv -> {
                html.append("<div class=\"scroll\"><table class=\"key-values\">\n<tbody>\n");
                kv.entries().forEach((key, value) -> html.append("<tr><th scope=\"row\">").append(escape(key))
                        .append("</th>").append(cell(text(value), value instanceof Number)).append("</tr>\n"));
                html.append("</tbody>\n</table></div>\n");
            }
            case Table t -> appendTable(html, t);
            case Preformatted p -> html.append("<pre>").append(escape(p.text())).append("</pre>\n");
            case Image i -> throw new IllegalStateException("HtmlReport: images are laid out in rows by toHtml");
        }
    }

    private void appendImage(StringBuilder html, Image image, Path folder) throws IOException {
        String source;
        if (embedImages) {
            Path file = folder.resolve(image.file());
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new IOException("HtmlReport: cannot embed image " + file + ": " + e.getMessage(), e);
            }
            source = "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
        } else {
            Path relative = image.file().isAbsolute() ? folder.relativize(image.file()) : image.file();
            source = urlPath(relative);
        }
        html.append("<figure><img src=\"").append(escape(source)).append("\" alt=\"").append(escape(image.caption()))
                .append("\"/><figcaption>").append(escape(image.caption())).append("</figcaption></figure>\n");
    }

    /**
     * A relative path as a URL path: segments joined by '/', every byte outside the unreserved set
     * percent-encoded, so "loss curve#1.png" becomes "loss%20curve%231.png" and is not cut at the '#'.
     */
    private static String urlPath(Path relative) {
        StringBuilder url = new StringBuilder();
        for (int i = 0; i < relative.getNameCount(); i++) {
            if (i > 0) {
                url.append('/');
            }
            for (byte b : relative.getName(i).toString().getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xFF);
                boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~';
                url.append(unreserved ? String.valueOf(c) : String.format("%%%02X", b & 0xFF));
            }
        }
        return url.toString();
    }

    /**
     * A table whose all-number columns are right-aligned, header included, with the same count of decimals
     * down each column so that the digits line up: 0.7 above 0.3667 shows as 0.7000.
     */
    private static void appendTable(StringBuilder html, Table table) {
        int columns = table.header().size();
        int rows = table.rows().size();
        String[][] texts = new String[rows][columns];
        boolean[] numeric = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            numeric[c] = rows > 0;
            int decimals = 0;
            for (int r = 0; r < rows; r++) {
                Object value = table.rows().get(r).get(c);
                texts[r][c] = text(value);
                numeric[c] &= value == null || value instanceof Number;
                decimals = Math.max(decimals, isFractional(value) ? decimals(texts[r][c]) : 0);
            }
            for (int r = 0; r < rows; r++) {
                if (isFractional(table.rows().get(r).get(c))) {
                    texts[r][c] = padDecimals(texts[r][c], decimals);
                }
            }
        }
        html.append("<div class=\"scroll\"><table>\n<thead>\n<tr>");
        for (int c = 0; c < columns; c++) {
            html.append(numeric[c] ? "<th class=\"num\">" : "<th>").append(escape(Objects.toString(table.header().get(c), "")))
                    .append("</th>");
        }
        html.append("</tr>\n</thead>\n<tbody>\n");
        for (int r = 0; r < rows; r++) {
            html.append("<tr>");
            for (int c = 0; c < columns; c++) {
                html.append(cell(texts[r][c], table.rows().get(r).get(c) instanceof Number));
            }
            html.append("</tr>\n");
        }
        html.append("</tbody>\n</table></div>\n");
    }

    private static boolean isFractional(Object value) {
        return value instanceof Double || value instanceof Float;
    }

    /** Digits after the decimal point of a plain number; 0 for scientific notation, NaN and whole numbers. */
    private static int decimals(String number) {
        int point = number.indexOf('.');
        return point < 0 || number.contains("E") ? 0 : number.length() - point - 1;
    }

    /** Appends zeros (and the point) to a plain number until it has {@code decimals} decimals. */
    private static String padDecimals(String number, int decimals) {
        if (number.contains("E") || !Character.isDigit(number.charAt(number.length() - 1)) || decimals(number) >= decimals) {
            return number;
        }
        return number + (number.contains(".") ? "" : ".") + "0".repeat(decimals - decimals(number));
    }

    /** The text a value shows as: numbers formatted, null empty. */
    private static String text(Object value) {
        return value instanceof Number number ? formatNumber(number) : Objects.toString(value, "");
    }

    /** A table cell; numbers right-aligned. */
    private static String cell(String text, boolean number) {
        return (number ? "<td class=\"num\">" : "<td>") + escape(text) + "</td>";
    }

    /**
     * Doubles and floats to four significant digits, but never rounding away whole digits; other numbers as
     * they print. Very small or very large values in scientific notation.
     */
    static String formatNumber(Number number) {
        if (!(number instanceof Double || number instanceof Float)) {
            return number.toString();
        }
        double value = number.doubleValue();
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        if (value == 0) {
            return "0";
        }
        // From the shortest decimal that reads back as this double, not its full binary expansion.
        BigDecimal decimal = BigDecimal.valueOf(value);
        int wholeDigits = decimal.precision() - decimal.scale();
        BigDecimal rounded = decimal.round(new MathContext(Math.max(4, wholeDigits))).stripTrailingZeros();
        int exponent = rounded.precision() - rounded.scale() - 1;
        return exponent >= -5 && exponent < 15 ? rounded.toPlainString() : rounded.toString();
    }

    /** Replaces the five characters that mean something in HTML text and attribute values. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String nonNull(String text, String what) {
        return Objects.requireNonNull(text, "HtmlReport: " + what + " must not be null");
    }

    /** The page's look. Kept free of '<', '>' and '&' so that the page stays well-formed XML. */
    private static final String STYLE = """
            :root { color-scheme: light; }
            body { margin: 0; background: #f6f7f9; color: #222; line-height: 1.45;
                   font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
            main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 8px; background: #fff;
                   box-shadow: 0 0 0 1px #e3e6ea; min-height: 100vh; box-sizing: border-box; }
            h1 { font-size: 1.6em; margin: 0.2em 0 0.6em; }
            h2 { font-size: 1.2em; margin: 1.6em 0 0.5em; padding-bottom: 0.2em; border-bottom: 1px solid #e3e6ea; }
            p { margin: 0.5em 0; }
            .scroll { overflow-x: auto; }
            table { border-collapse: collapse; font-size: 0.92em; margin: 0.4em 0 0.8em; }
            th, td { padding: 4px 12px; border-bottom: 1px solid #e8eaed; text-align: left; vertical-align: top; }
            thead th { background: #f1f3f5; border-bottom: 2px solid #d5d9de; white-space: nowrap; }
            tbody tr:nth-child(even) { background: #fafbfc; }
            table.key-values th { font-weight: 600; color: #444; white-space: nowrap; }
            .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            pre { background: #f6f8fa; border: 1px solid #e3e6ea; border-radius: 4px; padding: 10px 14px;
                  overflow-x: auto; font-size: 0.88em; line-height: 1.35;
                  font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
            .note, .warning { padding: 8px 12px; margin: 0.6em 0; border-radius: 4px; border-left: 4px solid; }
            .note { background: #eef5fb; border-color: #0072b2; }
            .warning { background: #fdf3e7; border-color: #d55e00; }
            .figures { display: flex; flex-wrap: wrap; gap: 16px; margin: 0.6em 0; justify-content: center; }
            figure { margin: 0; flex: 0 1 auto; max-width: 100%; }
            figure img { display: block; max-width: 100%; height: auto; border: 1px solid #e3e6ea; border-radius: 4px; }
            figcaption { font-size: 0.88em; color: #555; text-align: center; margin-top: 4px; }
            footer { max-width: 1100px; margin: 0 auto; padding: 10px 28px 24px; font-size: 0.8em; color: #888;
                     box-sizing: border-box; }
            """;
}

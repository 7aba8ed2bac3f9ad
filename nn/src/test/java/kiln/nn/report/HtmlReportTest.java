package kiln.nn.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The HTML report: escaping, tables, images, and a page that stands alone. */
class HtmlReportTest {
    /** A class name made of every character that means something in HTML. */
    private static final String NASTY = "<b>T-shirt & \"top\"</b> 'x'";

    @TempDir
    Path folder;

    /** Parses the page as XML: it is written well-formed, so any escaping slip fails here. */
    private static Document parse(Path html) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
    }

    private static List<String> texts(Document page, String tag) {
        NodeList nodes = page.getElementsByTagName(tag);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent());
        }
        return texts;
    }

    private static List<String> classes(Document page, String tag) {
        NodeList nodes = page.getElementsByTagName(tag);
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            classes.add(((Element) nodes.item(i)).getAttribute("class"));
        }
        return classes;
    }

    @Test
    void everyTextIsEscaped() throws Exception {
        Path html = folder.resolve("report.html");
        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put(NASTY, NASTY);
        HtmlReport.titled(NASTY).heading(NASTY).paragraph(NASTY).warning(NASTY).note(NASTY).keyValues(configuration)
                .table(List.of(NASTY), List.of(List.of(NASTY))).preformatted(NASTY + "\n  indented")
                .image(Path.of("plot.png"), NASTY).write(html);
        String raw = Files.readString(html);
        assertFalse(raw.contains("<b>"), "no markup from the text reaches the page");
        Document page = parse(html);
        assertEquals(List.of(NASTY), texts(page, "title"));
        assertEquals(List.of(NASTY), texts(page, "h1"));
        assertEquals(List.of(NASTY), texts(page, "h2"));
        assertEquals(List.of(NASTY), texts(page, "p"));
        assertEquals(List.of(NASTY + "\n  indented"), texts(page, "pre"), "preformatted text keeps its layout");
        assertEquals(List.of("Warning: " + NASTY, "Note: " + NASTY),
                texts(page, "div").stream().filter(t -> t.startsWith("Warning") || t.startsWith("Note")).toList());
        assertEquals(List.of(NASTY, NASTY), texts(page, "th"), "the key and the column header");
        assertEquals(List.of(NASTY, NASTY), texts(page, "td"));
        assertEquals(NASTY, ((Element) page.getElementsByTagName("img").item(0)).getAttribute("alt"));
    }

    @Test
    void tablesKeepTheirShapeAndAlignNumbersRight() throws Exception {
        Path html = folder.resolve("report.html");
        HtmlReport.titled("t").table(List.of("epoch", "loss", "note"),
                List.of(List.of(1, 0.912345, "warm-up"), List.of(2, 0.5, "")))
                .write(html);
        Document page = parse(html);
        assertEquals(List.of("epoch", "loss", "note"), texts(page, "th"));
        assertEquals(List.of("1", "0.9123", "warm-up", "2", "0.5000", ""), texts(page, "td"),
                "0.5 gets the decimals of 0.9123 above it, so the digits line up");
        assertEquals(3, page.getElementsByTagName("tr").getLength(), "a header row and two rows");
        assertEquals(List.of("num", "num", "", "num", "num", ""), classes(page, "td"));
        assertEquals(List.of("num", "num", ""), classes(page, "th"), "headers of number columns align with them");
    }

    @Test
    void refusesRaggedTables() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HtmlReport.titled("t").table(List.of("a", "b"), List.of(List.of(1, 2), List.of(3))));
        assertTrue(e.getMessage().contains("row 1 has 1 cells for 2 columns"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HtmlReport.titled("t").table(List.of(), List.of()));
    }

    @Test
    void numbersAreFormattedForReading() {
        assertEquals("0.8912", HtmlReport.formatNumber(0.891234));
        assertEquals("12346", HtmlReport.formatNumber(12345.6), "whole digits are never rounded away");
        assertEquals("0.001", HtmlReport.formatNumber(1e-3));
        assertEquals("1", HtmlReport.formatNumber(1.0));
        assertEquals("0.1", HtmlReport.formatNumber(0.1f), "a float's binary noise is not shown");
        assertEquals("0.0001235", HtmlReport.formatNumber(0.00012345));
        assertEquals("1.5E-9", HtmlReport.formatNumber(1.5e-9));
        assertEquals("NaN", HtmlReport.formatNumber(Double.NaN));
        assertEquals("123456789012", HtmlReport.formatNumber(123456789012L), "integers print whole");
    }

    @Test
    void imagesAreReferencedRelativeToThePage() throws Exception {
        Path html = folder.resolve("report.html");
        HtmlReport.titled("t").image(Path.of("loss curve#1.png"), "loss")
                .image(folder.resolve("plots").resolve("accuracy.png"), "accuracy").write(html);
        NodeList images = parse(html).getElementsByTagName("img");
        assertEquals("loss%20curve%231.png", ((Element) images.item(0)).getAttribute("src"));
        assertEquals("plots/accuracy.png", ((Element) images.item(1)).getAttribute("src"));
        String raw = Files.readString(html);
        assertEquals(1, raw.split("class=\"figures\"", -1).length - 1, "consecutive images share one row");
    }

    @Test
    void embeddedImagesCarryTheFileBytes() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 1, 2, (byte) 0xFF};
        Files.write(folder.resolve("loss.png"), png);
        Path html = folder.resolve("report.html");
        HtmlReport.titled("t").image(Path.of("loss.png"), "loss").embedImages().write(html);
        String source = ((Element) parse(html).getElementsByTagName("img").item(0)).getAttribute("src");
        String prefix = "data:image/png;base64,";
        assertTrue(source.startsWith(prefix), source);
        assertArrayEquals(png, Base64.getDecoder().decode(source.substring(prefix.length())));
    }

    @Test
    void aMissingImageToEmbedIsNamed() {
        IOException e = assertThrows(IOException.class, () -> HtmlReport.titled("t")
                .image(Path.of("missing.png"), "m").embedImages().write(folder.resolve("r.html")));
        assertTrue(e.getMessage().contains("missing.png"), e.getMessage());
        assertFalse(Files.exists(folder.resolve("r.html")), "no page is written");
    }

    @Test
    void thePageNeedsNothingFromOutside() throws Exception {
        Path html = folder.resolve("report.html");
        HtmlReport.titled("t").keyValues(Map.of("k", "v")).image(Path.of("a.png"), "a").write(html);
        String raw = Files.readString(html, StandardCharsets.UTF_8);
        for (String external : List.of("http:", "https:", "<script", "<link", "@import", "url(")) {
            assertFalse(raw.contains(external), "the page must not load " + external);
        }
        assertTrue(raw.contains("<style>"), "styles are inline");
    }

    @Test
    void rewritingReplacesThePageAtomically() throws Exception {
        Path html = folder.resolve("report.html");
        HtmlReport.titled("first").write(html);
        HtmlReport.titled("second").write(html);
        assertEquals(List.of("second"), texts(parse(html), "h1"));
        try (var files = Files.list(folder)) {
            assertEquals(List.of(html), files.toList(), "no temporary file is left");
        }
    }
}

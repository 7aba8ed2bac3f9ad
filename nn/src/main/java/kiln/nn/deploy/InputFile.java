package kiln.nn.deploy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import kiln.nn.data.Csv;
import kiln.nn.data.CsvTable;
import kiln.nn.data.Idx;
import kiln.nn.data.IdxArray;

/**
 * Examples to predict, read from a file as raw rows for an {@link InputEncoder}. The format is
 * recognized by the file's first bytes, whatever its name:
 *
 * <ul>
 *   <li>{@link Format#IDX} (plain or gzipped, {@link Idx}): one example per entry of the first
 *       dimension, e.g. Fashion-MNIST's {@code t10k-images-idx3-ubyte.gz}, 10,000 rows of 784 pixels;</li>
 *   <li>{@link Format#IMAGE} (PNG, JPEG, GIF): one example, converted to gray by {@link GrayImage}
 *       and resized to the model's image size if it differs (with a note);</li>
 *   <li>{@link Format#CSV}, anything else: a table with a header ({@link Csv}), one example per row:
 *       the cells of numeric columns are numbers, those of text columns texts, missing values null. For
 *       an encoder of numbers only, a text cell is refused with its line. For an encoder of named
 *       columns (a table), the columns are found by name, in any order, and the others (the target,
 *       an identifier) are not read.</li>
 * </ul>
 * Rows are made when asked for ({@link #rows}), so a large file is predicted batch by batch without
 * boxing every value at once.
 */
public final class InputFile {
    /** How the file was read. */
    public enum Format { IDX, IMAGE, CSV }

    private final Path file;
    private final Format format;
    private final int size;
    private final IntFunction<List<Object>> row;
    private final IntFunction<String> where;

    private InputFile(Path file, Format format, int size, IntFunction<List<Object>> row, IntFunction<String> where) {
        this.file = file;
        this.format = format;
        this.size = size;
        this.row = row;
        this.where = where;
    }

    /**
     * Reads {@code file} for a model whose inputs {@code encoder} describes, refusing a file whose
     * examples have the wrong number of values.
     *
     * @param ignoredColumn a CSV column to leave out (the model's target, when the file has it), or null
     * @param notes receives one line for each thing done that the user should know (a resized image)
     */
    public static InputFile read(Path file, InputEncoder encoder, String ignoredColumn, Consumer<String> notes) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException(file + ": no such file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(6);
        }
        if (isIdx(head)) {
            return idx(file, encoder);
        }
        if (isImage(head)) {
            return image(file, encoder, notes);
        }
        return csv(file, encoder, ignoredColumn, notes);
    }

    /** IDX begins with two zero bytes; gzip with 0x1f 0x8b (a gzipped file is taken for gzipped IDX). */
    private static boolean isIdx(byte[] head) {
        return head.length >= 2 && ((head[0] == 0 && head[1] == 0) || ((head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b));
    }

    /** PNG, JPEG and GIF by their signatures (none of which a CSV header can start with). */
    private static boolean isImage(byte[] head) {
        String start = new String(head, StandardCharsets.ISO_8859_1);
        return start.startsWith("\u0089PNG") || start.startsWith("\u00ff\u00d8\u00ff") || start.startsWith("GIF87a")
                || start.startsWith("GIF89a");
    }

    private static InputFile idx(Path file, InputEncoder encoder) throws IOException {
        IdxArray array = Idx.read(file);
        int[] dims = array.dims();
        int n = dims[0];
        if (n == 0) {
            throw new IOException(file + ": no examples (dimensions " + Arrays.toString(dims) + ")");
        }
        int width = array.count() / n;
        if (width != encoder.width()) {
            throw new IOException(file + ": each example holds " + width + " values (dimensions " + Arrays.toString(dims)
                    + "); the model takes " + encoder.describe());
        }
        float[] values = array.toFloats();
        return new InputFile(file, Format.IDX, n, i -> {
            List<Object> row = new ArrayList<>(width);
            for (int j = 0; j < width; j++) {
                row.add((double) values[i * width + j]);
            }
            return row;
        }, i -> file + ", example " + i);
    }

    private static InputFile image(Path file, InputEncoder encoder, Consumer<String> notes) throws IOException {
        int[] shape = encoder.shape();
        boolean grayImages = shape.length == 2 || (shape.length == 3 && shape[0] == 1);
        if (!grayImages) {
            throw new IOException(file + ": an image is one example of gray pixels, but the model takes " + encoder.describe());
        }
        int height = shape[shape.length - 2];
        int width = shape[shape.length - 1];
        GrayImage image = GrayImage.read(file);
        if (image.fromColor()) {
            notes.accept(file + ": in color; converted to gray (0.299 R + 0.587 G + 0.114 B)");
        }
        if (image.width() != width || image.height() != height) {
            notes.accept(file + ": " + image.width() + "×" + image.height() + " pixels; resized to the model's " + width + "×"
                    + height + " by area averaging");
            image = image.resize(width, height);
        }
        List<Object> pixels = image.row();
        return new InputFile(file, Format.IMAGE, 1, i -> pixels, i -> file.toString());
    }

    private static InputFile csv(Path file, InputEncoder encoder, String ignoredColumn, Consumer<String> notes) throws IOException {
        CsvTable table = Csv.read(file);
        List<CsvTable.Column> columns = encoder.columnNames() != null ? namedColumns(file, table, encoder)
                : new ArrayList<>(table.columns());
        if (encoder.columnNames() == null && ignoredColumn != null && columns.removeIf(c -> c.name().equals(ignoredColumn))) {
            notes.accept(file + ": column '" + ignoredColumn + "' left out (the model's target)");
        }
        if (columns.size() != encoder.width()) {
            throw new IOException(file + ": " + columns.size() + " columns; the model takes " + encoder.describe());
        }
        if (table.rowCount() == 0) {
            throw new IOException(file + ": no rows of data");
        }
        String[] textColumns = columns.stream().filter(c -> !c.isNumeric()).map(CsvTable.Column::name).toArray(String[]::new);
        if (!encoder.acceptsText() && textColumns.length > 0) {
            // One word makes a whole column text; reading it again as numbers names that word's line.
            Csv.read(file, Csv.Options.DEFAULT.numeric(textColumns));
        }
        // A table's values go as the texts read, so that a category "007" or "1.50" is not turned into 7 or 1.5 on the
        // way (the preparation parses numbers itself); other encoders take numbers.
        boolean asText = encoder.acceptsText();
        return new InputFile(file, Format.CSV, table.rowCount(), r -> {
            List<Object> values = new ArrayList<>(columns.size());
            for (CsvTable.Column column : columns) {
                values.add(column.isMissing(r) ? null : column.isNumeric() && !asText ? (Object) column.value(r) : column.text(r));
            }
            return values;
        }, r -> file + ":" + table.line(r));
    }

    /** The columns an encoder of named columns takes, found by name in any order; other columns are not read. */
    private static List<CsvTable.Column> namedColumns(Path file, CsvTable table, InputEncoder encoder) throws IOException {
        List<String> absent = encoder.columnNames().stream().filter(name -> !table.columnNames().contains(name)).toList();
        if (!absent.isEmpty()) {
            throw new IOException(file + ": no column " + String.join(", ", absent) + "; the model takes " + encoder.describe());
        }
        return encoder.columnNames().stream().map(table::column).toList();
    }

    public Path file() {
        return file;
    }

    public Format format() {
        return format;
    }

    /** The number of examples. */
    public int size() {
        return size;
    }

    /** The rows of examples {@code from} (inclusive) to {@code to} (exclusive). */
    public List<List<Object>> rows(int from, int to) {
        Objects.checkFromToIndex(from, to, size);
        List<List<Object>> rows = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            rows.add(row.apply(i));
        }
        return rows;
    }

    /** Where example {@code index} is, for messages: "data.csv:7" (its line), "images.idx, example 3", "shoe.png". */
    public String where(int index) {
        return where.apply(Objects.checkIndex(index, size));
    }
}

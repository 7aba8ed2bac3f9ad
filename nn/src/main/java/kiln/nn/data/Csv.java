package kiln.nn.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads CSV files (RFC 4180) into a {@link CsvTable}:
 * <ul>
 *   <li>fields are separated by the delimiter (',' unless told otherwise) and records by line breaks
 *       (LF, CRLF or CR);</li>
 *   <li>a field in double quotes may hold delimiters, line breaks and quotes, each quote written twice
 *       ({@code "say ""hi"", then go"}); a quote inside an unquoted field is taken literally, as in
 *       Python's csv module;</li>
 *   <li>the first record names the columns (unless {@code header(false)}: then they are
 *       {@code column1, column2, ...}); blank lines are skipped; a UTF-8 byte-order mark is ignored.</li>
 * </ul>
 * Problems are refused with an {@link IOException} naming the file, the line and the field: a quote
 * never closed, text after a closing quote, a record with the wrong number of fields, text that is
 * not UTF-8.
 *
 * <p>{@link #field} writes a text as a field that this reader reads back unchanged.
 */
public final class Csv {
    private Csv() {}

    /**
     * How to read a file.
     *
     * @param delimiter the field separator
     * @param header    whether the first record holds the column names
     * @param missing   the texts (compared after trimming) that mean "no value"
     * @param numeric   columns that must hold numbers: any other text there is an error, not a category
     */
    public record Options(char delimiter, boolean header, Set<String> missing, Set<String> numeric) {
        /** Comma, header row, missing values "", "NA", "N/A" and "NaN", types inferred. */
        public static final Options DEFAULT = new Options(',', true, Set.of("", "NA", "N/A", "NaN"), Set.of());

        public Options {
            if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
                throw new IllegalArgumentException("Csv.Options: the delimiter cannot be a quote or a line break");
            }
            missing = Set.copyOf(missing);
            numeric = Set.copyOf(numeric);
        }

        public Options delimiter(char newDelimiter) {
            return new Options(newDelimiter, header, missing, numeric);
        }

        public Options header(boolean hasHeader) {
            return new Options(delimiter, hasHeader, missing, numeric);
        }

        public Options missing(String... markers) {
            return new Options(delimiter, header, Set.of(markers), numeric);
        }

        public Options numeric(String... columns) {
            return new Options(delimiter, header, missing, Set.of(columns));
        }
    }

    public static CsvTable read(Path file) throws IOException {
        return read(file, Options.DEFAULT);
    }

    public static CsvTable read(Path file, Options options) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        List<Record> records = new Parser(text, options.delimiter(), file.toString()).records();
        if (options.header() && records.isEmpty()) {
            throw new IOException(file + ": empty file, no header row");
        }
        List<String> header = options.header() ? records.removeFirst().fields() : null;
        return CsvTable.of(file.toString(), header, records, options);
    }

    /**
     * A text as one field of a comma-separated record, for writers of CSV files: as it is, or in double
     * quotes with each inner quote doubled when it holds a comma, a quote or a line break (RFC 4180).
     * {@link #read} reads the field back as the same text.
     */
    public static String field(String text) {
        if (text == null) {
            throw new IllegalArgumentException("Csv.field: the text is null (write a missing value as an empty field)");
        }
        boolean quote = text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0;
        return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }

    /** One record: its fields and the line it starts on (1-based). */
    record Record(int line, List<String> fields) {}

    /** A single pass over the text, one character at a time, through four states. */
    private static final class Parser {
        private enum State { FIELD_START, UNQUOTED, QUOTED, AFTER_CLOSING_QUOTE }

        private final String text;
        private final char delimiter;
        private final String source;
        private final List<Record> records = new ArrayList<>();
        private List<String> fields = new ArrayList<>();
        private final StringBuilder field = new StringBuilder();
        private int line = 1;
        private int recordLine = 1;
        private int quoteLine;
        private boolean fieldWasQuoted;

        Parser(String text, char delimiter, String source) {
            this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
            this.delimiter = delimiter;
            this.source = source;
        }

        List<Record> records() throws IOException {
            State state = State.FIELD_START;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean lineBreak = c == '\n' || c == '\r';
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;   // CRLF is one line break
                }
                state = switch (state) {
                    case FIELD_START -> {
                        if (c == '"') {
                            quoteLine = line;
                            fieldWasQuoted = true;
                            yield State.QUOTED;
                        }
                        yield endOrAppend(c, lineBreak);
                    }
                    case UNQUOTED -> endOrAppend(c, lineBreak);
                    case QUOTED -> {
                        if (c == '"') {
                            yield State.AFTER_CLOSING_QUOTE;
                        }
                        field.append(lineBreak ? '\n' : c);
                        yield State.QUOTED;
                    }
                    case AFTER_CLOSING_QUOTE -> {
                        if (c == '"') {   // a doubled quote stands for one quote
                            field.append('"');
                            yield State.QUOTED;
                        }
                        if (c != delimiter && !lineBreak) {
                            throw new IOException(source + ":" + line + ": field " + (fields.size() + 1) + ": text after the"
                                    + " closing quote ('" + c + "'); inside a quoted field, write a quote twice");
                        }
                        yield endOrAppend(c, lineBreak);
                    }
                };
                if (lineBreak) {
                    line++;
                    if (state == State.FIELD_START) {
                        recordLine = line;
                    }
                }
            }
            if (state == State.QUOTED) {
                throw new IOException(source + ":" + quoteLine + ": field " + (fields.size() + 1)
                        + ": unterminated quoted field (its opening quote is never closed)");
            }
            if (state != State.FIELD_START || !fields.isEmpty()) {
                endRecord();   // the last record had no line break after it
            }
            return records;
        }

        /** Outside quotes: a delimiter ends the field, a line break ends the record, anything else is text. */
        private State endOrAppend(char c, boolean lineBreak) {
            if (c == delimiter) {
                endField();
                return State.FIELD_START;
            }
            if (lineBreak) {
                endRecord();
                return State.FIELD_START;
            }
            field.append(c);
            return State.UNQUOTED;
        }

        private void endField() {
            fields.add(field.toString());
            field.setLength(0);
            fieldWasQuoted = false;
        }

        private void endRecord() {
            boolean blankLine = fields.isEmpty() && field.isEmpty() && !fieldWasQuoted;
            endField();
            if (!blankLine) {
                records.add(new Record(recordLine, fields));
            }
            fields = new ArrayList<>();
        }
    }
}

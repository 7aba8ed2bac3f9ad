package kiln.nn.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A CSV file read by {@link Csv}: named columns of equal length, each typed by what it holds. A column
 * is <em>numeric</em> when every value that is not missing is a decimal number (e.g. {@code -1},
 * {@code 2.5}, {@code .5e-3}), otherwise <em>categorical</em> (text). Cells keep the text as read;
 * missing-value markers and numbers are recognized after trimming spaces, and texts are compared
 * trimmed ({@link Column#trimmedText}).
 *
 * <p>{@link #classification} and {@link #regression} turn the table into tensors for training.
 */
public final class CsvTable {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final String source;
    private final List<Column> columns;
    private final int[] lines;   // the line each row starts on

    private CsvTable(String source, List<Column> columns, int[] lines) {
        this.source = source;
        this.columns = List.copyOf(columns);
        this.lines = lines;
    }

    /** One column: its cells, which of them are missing, and their numbers if the column is numeric. */
    public static final class Column {
        private final String name;
        private final int position;      // 1-based, as in "field 3" of error messages
        private final String[] cells;
        private final boolean[] missing;
        private final double[] values;   // null for a categorical column; NaN where missing
        private final int missingCount;

        private Column(String name, int position, String[] cells, boolean[] missing, double[] values) {
            this.name = name;
            this.position = position;
            this.cells = cells;
            this.missing = missing;
            this.values = values;
            int count = 0;
            for (boolean m : missing) {
                count += m ? 1 : 0;
            }
            this.missingCount = count;
        }

        public String name() {
            return name;
        }

        /** Whether every value that is not missing is a number. */
        public boolean isNumeric() {
            return values != null;
        }

        /** The cell's text as read (quotes removed). */
        public String text(int row) {
            return cells[row];
        }

        /**
         * The cell's text without surrounding spaces: the value a text column holds for training, the
         * data audit and {@link CsvTable#rowKey} alike, so that "cat" and "cat " are one category.
         */
        public String trimmedText(int row) {
            return cells[row].strip();
        }

        public boolean isMissing(int row) {
            return missing[row];
        }

        /** The number in row {@code row}, NaN if missing; only for numeric columns. */
        public double value(int row) {
            if (values == null) {
                throw new IllegalStateException("CsvTable.Column.value: column '" + name + "' is not numeric");
            }
            return values[row];
        }

        public int missingCount() {
            return missingCount;
        }

        /**
         * The distinct {@linkplain #trimmedText trimmed texts} that are not missing, sorted (by
         * {@link String#compareTo}, so the order never varies).
         */
        public List<String> categories() {
            TreeSet<String> distinct = new TreeSet<>();
            for (int row = 0; row < cells.length; row++) {
                if (!missing[row]) {
                    distinct.add(trimmedText(row));
                }
            }
            return List.copyOf(distinct);
        }

        /** "column 'age' (field 3)": how error messages name it. */
        public String describe() {
            return "column '" + name + "' (field " + position + ")";
        }

        /** The first row whose value is not missing and not a number, or -1. */
        public int firstNonNumericRow() {
            return firstNonNumeric(cells, missing);
        }

        /** The first row whose value is missing, or -1. */
        public int firstMissingRow() {
            for (int row = 0; row < cells.length; row++) {
                if (missing[row]) {
                    return row;
                }
            }
            return -1;
        }
    }

    /**
     * Builds the table from parsed records, checking that every record has as many fields as the header
     * (or, without one, as the first record) and that the columns {@code options.numeric()} names hold numbers.
     *
     * @param header the column names, or null to call them column1, column2, ...
     */
    static CsvTable of(String source, List<String> header, List<Csv.Record> records, Csv.Options options)
            throws IOException {
        int width = header != null ? header.size() : records.isEmpty() ? 0 : records.getFirst().fields().size();
        List<String> names = columnNames(source, header, width);
        for (String forced : options.numeric()) {
            if (!names.contains(forced)) {
                throw new IllegalArgumentException("Csv: numeric column '" + forced + "' is not in " + source
                        + " (columns: " + String.join(", ", names) + ")");
            }
        }
        int[] lines = new int[records.size()];
        for (int row = 0; row < records.size(); row++) {
            Csv.Record record = records.get(row);
            if (record.fields().size() != width) {
                throw new IOException(source + ":" + record.line() + ": " + record.fields().size() + " fields, expected "
                        + width + (header != null ? " as in the header" : " as in the first record"));
            }
            lines[row] = record.line();
        }

        List<Column> columns = new ArrayList<>();
        for (int j = 0; j < width; j++) {
            String[] cells = new String[records.size()];
            boolean[] missing = new boolean[records.size()];
            for (int row = 0; row < cells.length; row++) {
                cells[row] = records.get(row).fields().get(j);
                missing[row] = options.missing().contains(cells[row].strip());
            }
            Column column = new Column(names.get(j), j + 1, cells, missing, null);
            int nonNumeric = firstNonNumeric(cells, missing);
            if (nonNumeric >= 0 && options.numeric().contains(column.name())) {
                throw new IOException(source + ":" + lines[nonNumeric] + ": " + column.describe() + ": '"
                        + cells[nonNumeric] + "' is not a number");
            }
            columns.add(nonNumeric >= 0 ? column : new Column(column.name(), j + 1, cells, missing, parseNumbers(cells, missing)));
        }
        return new CsvTable(source, columns, lines);
    }

    /** The header's names, trimmed; an empty one becomes columnN; a repeated one is an error. */
    private static List<String> columnNames(String source, List<String> header, int width) throws IOException {
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int j = 0; j < width; j++) {
            String name = header == null || header.get(j).isBlank() ? "column" + (j + 1) : header.get(j).strip();
            Integer earlier = seen.put(name, j + 1);
            if (earlier != null) {
                throw new IOException(source + ":1: the column name '" + name + "' appears twice (fields " + earlier
                        + " and " + (j + 1) + ")");
            }
            names.add(name);
        }
        return names;
    }

    /** Whether {@code text}, trimmed, is a decimal number as this class reads them (no "Infinity", no hex). */
    public static boolean isNumber(String text) {
        return NUMBER.matcher(text.strip()).matches();
    }

    private static int firstNonNumeric(String[] cells, boolean[] missing) {
        for (int row = 0; row < cells.length; row++) {
            if (!missing[row] && !isNumber(cells[row])) {
                return row;
            }
        }
        return -1;
    }

    private static double[] parseNumbers(String[] cells, boolean[] missing) {
        double[] values = new double[cells.length];
        for (int row = 0; row < cells.length; row++) {
            values[row] = missing[row] ? Double.NaN : Double.parseDouble(cells[row].strip());
        }
        return values;
    }

    /** The file the table came from, as error messages name it. */
    public String source() {
        return source;
    }

    public int rowCount() {
        return lines.length;
    }

    public List<Column> columns() {
        return columns;
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    /** The column named {@code name}; an unknown name is refused with the names there are. */
    public Column column(String name) {
        for (Column column : columns) {
            if (column.name().equals(name)) {
                return column;
            }
        }
        throw new IllegalArgumentException(source + ": no column named '" + name + "' (columns: "
                + String.join(", ", columnNames()) + ")");
    }

    /** The line of the file on which row {@code row} (0-based, header not counted) starts. */
    public int line(int row) {
        return lines[row];
    }

    /**
     * A key equal for two rows exactly when they hold the same values in every column: numbers compared
     * as numbers ("1" and "1.0" are one value), texts after trimming, missing values equal to each other.
     * Duplicate detection compares these keys.
     */
    public String rowKey(int row) {
        StringBuilder key = new StringBuilder();
        for (Column column : columns) {
            String value = column.isMissing(row) ? "" : column.isNumeric()
                    ? Double.toString(column.value(row) + 0.0)   // + 0.0 makes -0 and 0 one value
                    : column.trimmedText(row);
            // Length-prefixed, so no text can imitate a column boundary; a missing value has no length.
            key.append(column.isMissing(row) ? "-" : Integer.toString(value.length())).append(':').append(value);
        }
        return key.toString();
    }

    /** How many values each column misses, for the columns that miss any, in column order. */
    public Map<String, Integer> missingCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Column column : columns) {
            if (column.missingCount() > 0) {
                counts.put(column.name(), column.missingCount());
            }
        }
        return counts;
    }

    /** Tensors for classification: class indices of {@code target}; see {@link CsvDataset}. */
    public CsvDataset classification(String target) {
        return CsvDataset.encode(this, target, true);
    }

    /** Tensors for regression: the numbers of {@code target} as float32 [n, 1]; see {@link CsvDataset}. */
    public CsvDataset regression(String target) {
        return CsvDataset.encode(this, target, false);
    }
}

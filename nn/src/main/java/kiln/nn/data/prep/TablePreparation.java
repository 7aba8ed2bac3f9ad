package kiln.nn.data.prep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kiln.engine.Tensor;
import kiln.nn.data.Csv;
import kiln.nn.data.CsvTable;

/**
 * Turns the rows of a table into a float32 feature matrix, with every decision fitted on the training
 * rows alone and kept in this object (and its {@link #config()}, which a checkpoint stores), so that
 * validation, test and new rows are prepared exactly as the training rows were:
 *
 * <ol>
 *   <li>each numeric column: outliers clipped to bounds fitted on the training values ({@link OutlierRule}),
 *       then missing values filled ({@link MissingValues}, the statistic taken after clipping);</li>
 *   <li>each text column: encoded one-hot or as an index ({@link Encoding}), missing values filled with
 *       the most frequent category or a constant.</li>
 * </ol>
 * Columns keep the table's order; the target and the excluded columns are left out.
 *
 * <pre>{@code
 * TablePreparation prep = TablePreparation.Options.DEFAULT.missing(MissingValues.MEDIAN).outliers(OutlierRule.iqr(1.5))
 *         .fit(table, trainRows, "label");
 * Tensor trainX = prep.transform(table, trainRows);     // [rows, prep.width()]
 * Tensor testX = prep.transform(table, testRows);       // the training rows' medians and bounds
 * }</pre>
 */
public final class TablePreparation {
    /** The value of "type" in {@link #config()}. */
    public static final String TYPE = "table";
    /** More distinct texts than this in one column is likely an identifier, or numbers with a stray word: refused. */
    public static final int MAX_CATEGORIES = 100;

    private final String target;
    private final Options options;
    private final List<ColumnPreparation> columns;

    private TablePreparation(String target, Options options, List<ColumnPreparation> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("TablePreparation: no feature columns");
        }
        Set<String> names = new HashSet<>();
        for (ColumnPreparation column : columns) {
            if (!names.add(column.name())) {
                throw new IllegalArgumentException("TablePreparation: the column '" + column.name() + "' appears twice");
            }
        }
        this.target = target;
        this.options = options;
        this.columns = List.copyOf(columns);
    }

    /**
     * How to prepare: the missing-value rule, the encoding of text columns, the outlier rule, and columns
     * to leave out (identifiers, say).
     */
    public record Options(MissingValues missing, Encoding encoding, OutlierRule outliers, Set<String> excluded) {
        /** Refuse missing values, one-hot, no clipping, every column. */
        public static final Options DEFAULT = new Options(MissingValues.REFUSE, Encoding.ONE_HOT, OutlierRule.NONE, Set.of());

        public Options {
            if (missing == null || encoding == null || outliers == null || excluded == null) {
                throw new IllegalArgumentException("TablePreparation.Options: no field may be null");
            }
            excluded = Set.copyOf(excluded);
        }

        /** These options with {@code rule} for missing values. */
        public Options missing(MissingValues rule) {
            return new Options(rule, encoding, outliers, excluded);
        }

        /** These options with {@code rule} encoding the text columns. */
        public Options encoding(Encoding rule) {
            return new Options(missing, rule, outliers, excluded);
        }

        /** These options with {@code rule} clipping the numeric columns. */
        public Options outliers(OutlierRule rule) {
            return new Options(missing, encoding, rule, excluded);
        }

        /** These options leaving out {@code columns}, in place of any columns excluded before. */
        public Options exclude(String... columns) {
            return new Options(missing, encoding, outliers, Set.of(columns));
        }

        /** Fits a preparation of every column but {@code target} and the excluded ones, on {@code rows} of {@code table}. */
        public TablePreparation fit(CsvTable table, int[] rows, String target) {
            return TablePreparation.fit(table, rows, target, this);
        }
    }

    /**
     * Fits each feature column on the training {@code rows}: clipping bounds, fill values, categories.
     *
     * @param target the column the model predicts, left out of the features (null: no target)
     */
    public static TablePreparation fit(CsvTable table, int[] rows, String target, Options options) {
        if (target != null) {
            table.column(target);   // an unknown target is refused with the column names
        }
        for (String excluded : options.excluded()) {
            table.column(excluded);
        }
        if (rows.length == 0) {
            throw new IllegalArgumentException(table.source() + ": no rows to fit the preparation on");
        }
        List<ColumnPreparation> prepared = new ArrayList<>();
        for (CsvTable.Column column : table.columns()) {
            if (column.name().equals(target) || options.excluded().contains(column.name())) {
                continue;
            }
            if (options.missing().strategy() == MissingValues.Strategy.REFUSE) {
                refuseMissing(table, column, rows);
            }
            prepared.add(column.isNumeric() ? fitNumeric(table, column, rows, options) : fitCategorical(table, column, rows, options));
        }
        if (prepared.isEmpty()) {
            throw new IllegalArgumentException(table.source() + ": no feature columns besides the target '" + target + "'");
        }
        return new TablePreparation(target, options, prepared);
    }

    private static void refuseMissing(CsvTable table, CsvTable.Column column, int[] rows) {
        int count = 0;
        int first = -1;
        for (int row : rows) {
            if (column.isMissing(row)) {
                first = count++ == 0 ? row : first;
            }
        }
        if (count > 0) {
            throw new IllegalArgumentException(table.source() + ":" + table.line(first) + ": " + column.describe() + " has " + count
                    + " missing value(s), the first on this line; fill or drop them before training");
        }
    }

    private static NumericColumn fitNumeric(CsvTable table, CsvTable.Column column, int[] rows, Options options) {
        double[] values = Arrays.stream(rows).filter(row -> !column.isMissing(row)).mapToDouble(column::value).sorted().toArray();
        try {
            return NumericColumn.fit(column.name(), values, options.missing(), options.outliers());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(table.source() + ": " + e.getMessage(), e);
        }
    }

    private static CategoricalColumn fitCategorical(CsvTable table, CsvTable.Column column, int[] rows, Options options) {
        List<String> texts = Arrays.stream(rows).filter(row -> !column.isMissing(row)).mapToObj(column::trimmedText).toList();
        long distinct = texts.stream().distinct().count();
        if (distinct > MAX_CATEGORIES) {
            long numbers = texts.stream().filter(CsvTable::isNumber).count();
            if (numbers >= 0.9 * texts.size()) {   // numbers with a few stray words: most likely typos
                int row = column.firstNonNumericRow();
                throw new IllegalArgumentException(table.source() + ":" + table.line(row) + ": " + column.describe() + ": '"
                        + column.text(row) + "' is not a number, and the column's " + distinct + " distinct values are too many"
                        + " to encode as categories (at most " + MAX_CATEGORIES + "); fix the value, exclude the column or declare"
                        + " it numeric (Csv.Options.numeric)");
            }
            throw new IllegalArgumentException(table.source() + ": " + column.describe() + " holds " + distinct + " distinct texts,"
                    + " too many to encode as categories (at most " + MAX_CATEGORIES + "); an identifier? exclude the column");
        }
        try {
            return CategoricalColumn.fit(column.name(), texts, options.encoding(), options.missing());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(table.source() + ": " + e.getMessage(), e);
        }
    }

    /** The target column the preparation was fitted beside, or null. */
    public String target() {
        return target;
    }

    /** The options the preparation was fitted with. */
    public Options options() {
        return options;
    }

    /** The fitted preparation of each feature column, in the table's column order. */
    public List<ColumnPreparation> columns() {
        return columns;
    }

    /** The raw columns a row must hold, in order: what {@link #transform(List)} expects. */
    public List<String> inputColumns() {
        return columns.stream().map(ColumnPreparation::name).toList();
    }

    /** The name of each output feature, e.g. {@code age}, {@code color=red}. */
    public List<String> featureNames() {
        return columns.stream().flatMap(c -> c.featureNames().stream()).toList();
    }

    /** How many features a row becomes. */
    public int width() {
        return columns.stream().mapToInt(ColumnPreparation::width).sum();
    }

    /**
     * The features of {@code rows} of {@code table}, float32 {@code [rows, width()]}. The table may be
     * another file than the training one: its columns are found by name, extra ones are ignored. A cell
     * that cannot be prepared is refused with its file, line and column.
     */
    public Tensor transform(CsvTable table, int[] rows) {
        List<CsvTable.Column> sources = columns.stream().map(c -> table.column(c.name())).toList();
        // Cells go as written, so that a refusal quotes the file's own text.
        return encode(rows.length, (i, j) -> sources.get(j).isMissing(rows[i]) ? null : sources.get(j).text(rows[i]),
                (i, j, reason) -> new IllegalArgumentException(table.source() + ":" + table.line(rows[i]) + ": "
                        + sources.get(j).describe() + ": " + reason));
    }

    /**
     * The features of raw rows, float32 {@code [rows.size(), width()]}: each row holds one value per
     * {@link #inputColumns() input column}, in order, each a Number, a String or null (missing; so are
     * the texts a CSV file would read as missing, such as "" and "NA"). A row that cannot be prepared
     * is refused with an {@link InvalidRowException}.
     */
    public Tensor transform(List<? extends List<?>> rows) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i) == null || rows.get(i).size() != columns.size()) {
                throw new InvalidRowException(i, (rows.get(i) == null ? "no" : rows.get(i).size()) + " values, expected "
                        + columns.size() + " (" + String.join(", ", inputColumns()) + ")");
            }
        }
        return encode(rows.size(), (i, j) -> rawValue(rows.get(i).get(j), i, columns.get(j).name()),
                (i, j, reason) -> new InvalidRowException(i, "column '" + columns.get(j).name() + "': " + reason));
    }

    /**
     * The categories in raw rows (as for {@link #transform(List)}) that training never saw, per text
     * column, in the order met. Preparing treats them as missing values, filled without a word; this says
     * which they were, so that a typo or a new kind of value can be noticed.
     */
    public Map<String, Set<String>> unseenCategories(List<? extends List<?>> rows) {
        Map<String, Set<String>> unseen = new LinkedHashMap<>();
        for (int j = 0; j < columns.size(); j++) {
            if (columns.get(j) instanceof CategoricalColumn column) {
                for (int i = 0; i < rows.size(); i++) {
                    Object value = rawValue(rows.get(i).get(j), i, column.name());
                    if (value != null && !column.knows(value)) {
                        unseen.computeIfAbsent(column.name(), name -> new LinkedHashSet<>()).add(CategoricalColumn.category(value));
                    }
                }
            }
        }
        return unseen;
    }

    /**
     * A raw value as the columns take it: a Number or a String, or null when it is missing (so are NaN
     * and the texts a CSV file reads as missing, such as "" and "NA").
     */
    private static Object rawValue(Object value, int row, String column) {
        return switch (value) {
            case null -> null;
            case String text -> Csv.Options.DEFAULT.missing().contains(text.strip()) ? null : text;
            case Double d when Double.isNaN(d) -> null;
            case Number n -> n;
            default -> throw new InvalidRowException(row, "column '" + column + "': expected a number, a text or null, got " + value);
        };
    }

    /** A cell's raw value (a Number or a String), null when missing. */
    private interface Cells {
        Object value(int row, int column);
    }

    /** The error for a cell that cannot be prepared, saying where it is. */
    private interface Refusal {
        IllegalArgumentException of(int row, int column, String reason);
    }

    private Tensor encode(int rowCount, Cells cells, Refusal refusal) {
        int width = width();
        float[] x = new float[rowCount * width];
        for (int i = 0; i < rowCount; i++) {
            int offset = i * width;
            for (int j = 0; j < columns.size(); j++) {
                Object value = cells.value(i, j);   // outside the try: a raw value of the wrong kind is refused as it is
                try {
                    columns.get(j).encode(value, x, offset);
                } catch (IllegalArgumentException e) {
                    throw refusal.of(i, j, e.getMessage());
                }
                offset += columns.get(j).width();
            }
        }
        return Tensor.fromArray(x, rowCount, width);
    }

    /** One line per column: what was fitted. */
    public List<String> describe() {
        return columns.stream().map(ColumnPreparation::describe).toList();
    }

    /**
     * Everything needed to rebuild this preparation, as JSON-ready values: {@code "type": "table"}, the
     * target, the options as specs, and the fitted columns.
     */
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", TYPE);
        config.put("target", target);
        config.put("missing", options.missing().toString());
        config.put("encoding", options.encoding().toString());
        config.put("outliers", options.outliers().toString());
        config.put("excluded", options.excluded().stream().sorted().toList());
        config.put("columns", columns.stream().map(ColumnPreparation::config).toList());
        return config;
    }

    /** Rebuilds a preparation from its {@link #config()}, refusing anything malformed with the reason. */
    public static TablePreparation fromConfig(Map<?, ?> config) {
        try {
            if (!TYPE.equals(config.get("type"))) {
                throw new IllegalArgumentException("\"type\" must be \"" + TYPE + "\", got " + config.get("type"));
            }
            Object target = config.get("target");
            if (target != null && !(target instanceof String)) {
                throw new IllegalArgumentException("\"target\" must be a text or null, got " + target);
            }
            if (!(config.get("excluded") instanceof List<?> excluded) || !excluded.stream().allMatch(String.class::isInstance)) {
                throw new IllegalArgumentException("\"excluded\" must be a list of texts, got " + config.get("excluded"));
            }
            Options options = new Options(MissingValues.parse(Configs.string(config, "missing")),
                    Encoding.parse(Configs.string(config, "encoding")), OutlierRule.parse(Configs.string(config, "outliers")),
                    Set.copyOf(excluded.stream().map(String.class::cast).toList()));
            if (!(config.get("columns") instanceof List<?> list)) {
                throw new IllegalArgumentException("\"columns\" must be a list, got " + config.get("columns"));
            }
            List<ColumnPreparation> columns = new ArrayList<>();
            for (Object column : list) {
                if (!(column instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException("each column must be an object, got " + column);
                }
                columns.add(ColumnPreparation.fromConfig(map));
            }
            return new TablePreparation((String) target, options, columns);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TablePreparation.fromConfig: " + e.getMessage(), e);
        }
    }
}

package kiln.nn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.engine.Tensor;

/**
 * A {@link CsvTable} as tensors, with what is needed to read them back: which feature each column of
 * the matrix is, and which class each index stands for.
 *
 * <ul>
 *   <li>Features: float32 {@code [n, d]}, one column per numeric column of the table, and one per
 *       category for a categorical column (one-hot: 1 in the column of the row's category, 0 in the
 *       others; categories sorted, named {@code column=category}). A categorical column with more than
 *       {@value #MAX_CATEGORIES} categories is refused: it is more likely an identifier, or a numeric
 *       column with a stray word in it, than a category.</li>
 *   <li>Classification targets: int64 {@code [n]} class indices; the classes are the target's distinct
 *       values sorted (numerically for a numeric column, else by text), so the same file always gives
 *       the same indices.</li>
 *   <li>Regression targets: float32 {@code [n, 1]}; the target column must be numeric.</li>
 * </ul>
 * Missing values in any column used are refused (with the count and the first line): fill or drop
 * them before training.
 *
 * @param categories each categorical feature column's categories, in one-hot order
 * @param classNames the class of each index (empty for regression)
 */
public record CsvDataset(TensorDataset data, List<String> featureNames, List<String> classNames,
                         Map<String, List<String>> categories) implements AutoCloseable {
    public static final int MAX_CATEGORIES = 100;

    static CsvDataset encode(CsvTable table, String targetName, boolean classification) {
        CsvTable.Column target = table.column(targetName);
        List<CsvTable.Column> features = table.columns().stream().filter(c -> c != target).toList();
        if (table.rowCount() == 0) {
            throw new IllegalArgumentException(table.source() + ": no rows of data");
        }
        if (features.isEmpty()) {
            throw new IllegalArgumentException(table.source() + ": no feature columns besides the target '" + targetName + "'");
        }
        for (CsvTable.Column column : table.columns()) {
            refuseMissing(table, column);
        }

        Map<String, List<String>> categories = new LinkedHashMap<>();
        List<String> featureNames = new ArrayList<>();
        for (CsvTable.Column column : features) {
            if (column.isNumeric()) {
                featureNames.add(column.name());
            } else {
                List<String> values = checkedCategories(table, column);
                categories.put(column.name(), values);
                values.forEach(value -> featureNames.add(column.name() + "=" + value));
            }
        }
        float[] x = featureMatrix(table, features, categories, featureNames.size());

        Tensor featureTensor = Tensor.fromArray(x, table.rowCount(), featureNames.size());
        if (classification) {
            Classes classes = target.isNumeric() ? Classes.ofNumbers(target, table.rowCount()) : Classes.ofText(target, table.rowCount());
            TensorDataset data = new TensorDataset(featureTensor, Tensor.fromArray(classes.indices(), table.rowCount()));
            return new CsvDataset(data, List.copyOf(featureNames), classes.names(), Collections.unmodifiableMap(categories));
        }
        if (!target.isNumeric()) {
            featureTensor.close();
            int row = target.firstNonNumericRow();
            throw new IllegalArgumentException(table.source() + ":" + table.line(row) + ": " + target.describe() + ": '"
                    + target.text(row) + "' is not a number; a regression target must be numeric");
        }
        float[] y = new float[table.rowCount()];
        for (int row = 0; row < y.length; row++) {
            y[row] = toFloat(table, target, row);
        }
        TensorDataset data = new TensorDataset(featureTensor, Tensor.fromArray(y, y.length, 1));
        return new CsvDataset(data, List.copyOf(featureNames), List.of(), Collections.unmodifiableMap(categories));
    }

    private static void refuseMissing(CsvTable table, CsvTable.Column column) {
        if (column.missingCount() > 0) {
            throw new IllegalArgumentException(table.source() + ":" + table.line(column.firstMissingRow()) + ": "
                    + column.describe() + " has " + column.missingCount() + " missing value(s), the first on this line;"
                    + " fill or drop them before training");
        }
    }

    private static List<String> checkedCategories(CsvTable table, CsvTable.Column column) {
        List<String> values = column.categories();
        if (values.size() > MAX_CATEGORIES) {
            int row = column.firstNonNumericRow();
            throw new IllegalArgumentException(table.source() + ":" + table.line(row) + ": " + column.describe() + ": '"
                    + column.text(row) + "' is not a number, and the column's " + values.size() + " distinct values are"
                    + " too many to one-hot encode (at most " + MAX_CATEGORIES + "); fix the value, declare the column"
                    + " numeric (Csv.Options.numeric) or drop it");
        }
        return values;
    }

    /** Row-major [n, d]: numeric columns copied, categorical ones one-hot. */
    private static float[] featureMatrix(CsvTable table, List<CsvTable.Column> features,
                                         Map<String, List<String>> categories, int width) {
        float[] x = new float[table.rowCount() * width];
        int offset = 0;   // the matrix column where the current table column starts
        for (CsvTable.Column column : features) {
            if (column.isNumeric()) {
                for (int row = 0; row < table.rowCount(); row++) {
                    x[row * width + offset] = toFloat(table, column, row);
                }
                offset++;
            } else {
                Map<String, Integer> index = indexOf(categories.get(column.name()));
                for (int row = 0; row < table.rowCount(); row++) {
                    x[row * width + offset + index.get(column.text(row))] = 1;
                }
                offset += index.size();
            }
        }
        return x;
    }

    /** The cell as float32; a number beyond float32's range (about ±3.4e38) would silently become infinity, so it is refused. */
    private static float toFloat(CsvTable table, CsvTable.Column column, int row) {
        float v = (float) column.value(row);
        if (Float.isInfinite(v)) {
            throw new IllegalArgumentException(table.source() + ":" + table.line(row) + ": " + column.describe() + ": '"
                    + column.text(row) + "' is beyond float32's range (about ±3.4e38)");
        }
        return v;
    }

    private static Map<String, Integer> indexOf(List<String> values) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < values.size(); i++) {
            index.put(values.get(i), i);
        }
        return index;
    }

    /** The classes of a target column and each row's class index. */
    private record Classes(List<String> names, long[] indices) {
        static Classes ofText(CsvTable.Column target, int rows) {
            List<String> names = target.categories();
            Map<String, Integer> index = indexOf(names);
            long[] indices = new long[rows];
            for (int row = 0; row < rows; row++) {
                indices[row] = index.get(target.text(row));
            }
            return new Classes(names, indices);
        }

        /** Classes as numbers: "1" and "1.0" are one class, and 2 sorts before 10. */
        static Classes ofNumbers(CsvTable.Column target, int rows) {
            double[] values = new double[rows];
            for (int row = 0; row < rows; row++) {
                values[row] = target.value(row) + 0.0;   // -0.0 + 0.0 is 0.0: "-0" and "0" are one class
            }
            double[] distinct = Arrays.stream(values).distinct().sorted().toArray();
            long[] indices = new long[rows];
            for (int row = 0; row < rows; row++) {
                indices[row] = Arrays.binarySearch(distinct, values[row]);
            }
            return new Classes(Arrays.stream(distinct).mapToObj(Classes::name).toList(), indices);
        }

        /** 3.0 is "3"; 2.5 stays "2.5". */
        private static String name(double value) {
            return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
        }
    }

    @Override
    public void close() {
        data.close();
    }
}

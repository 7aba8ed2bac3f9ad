package kiln.nn.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.engine.Tensor;
import kiln.nn.data.prep.CategoricalColumn;
import kiln.nn.data.prep.NumericColumn;
import kiln.nn.data.prep.RowFilter;
import kiln.nn.data.prep.TablePreparation;
import kiln.nn.data.prep.TargetClasses;

/**
 * A whole {@link CsvTable} as tensors, prepared with {@link TablePreparation}'s defaults (every row
 * used, missing values refused, text columns one-hot), with what is needed to read them back:
 *
 * <ul>
 *   <li>features: float32 {@code [n, d]}, one column per numeric column of the table, one per category
 *       of a text column ({@code column=category}, categories sorted);</li>
 *   <li>classification targets: int64 {@code [n]} class indices, the classes sorted ({@link TargetClasses});</li>
 *   <li>regression targets: float32 {@code [n, 1]}; the target column must be numeric.</li>
 * </ul>
 * To fit the preparation on a training split only, or to impute, clip or encode otherwise, use
 * {@link TablePreparation} and {@link RowFilter} directly, as {@code kiln train} does.
 *
 * @param preparation how the features were made, to apply to new rows
 * @param classNames  the class of each index (empty for regression)
 */
public record CsvDataset(TensorDataset data, TablePreparation preparation, List<String> classNames) implements AutoCloseable {

    static CsvDataset encode(CsvTable table, String targetName, boolean classification) {
        CsvTable.Column target = table.column(targetName);
        if (table.rowCount() == 0) {
            throw new IllegalArgumentException(table.source() + ": no rows of data");
        }
        if (target.missingCount() > 0) {
            throw new IllegalArgumentException(table.source() + ":" + table.line(target.firstMissingRow()) + ": " + target.describe()
                    + " has " + target.missingCount() + " missing value(s), the first on this line; fill or drop them before training");
        }
        int[] rows = RowFilter.all(table);
        TablePreparation preparation = TablePreparation.fit(table, rows, targetName, TablePreparation.Options.DEFAULT);
        if (!classification && !target.isNumeric()) {
            int row = target.firstNonNumericRow();
            throw new IllegalArgumentException(table.source() + ":" + table.line(row) + ": " + target.describe() + ": '"
                    + target.text(row) + "' is not a number; a regression target must be numeric");
        }
        Tensor features = preparation.transform(table, rows);
        try {
            if (classification) {
                TargetClasses classes = TargetClasses.fit(table, targetName, rows);
                Tensor labels = Tensor.fromArray(classes.indices(table, targetName, rows), rows.length);
                return new CsvDataset(new TensorDataset(features, labels), preparation, classes.names());
            }
            // A numeric column with no fill and no clipping reads a number as it is, refusing any beyond float32.
            NumericColumn asNumber = new NumericColumn(targetName, null, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
            float[] y = new float[rows.length];
            for (int row : rows) {
                try {
                    asNumber.encode(target.text(row), y, row);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(table.source() + ":" + table.line(row) + ": " + target.describe() + ": " + e.getMessage(), e);
                }
            }
            return new CsvDataset(new TensorDataset(features, Tensor.fromArray(y, y.length, 1)), preparation, List.of());
        } catch (RuntimeException e) {
            features.close();
            throw e;
        }
    }

    /** The name of each feature column, e.g. {@code size}, {@code color=red}. */
    public List<String> featureNames() {
        return preparation.featureNames();
    }

    /** Each one-hot text column's categories, in the order of its feature columns. */
    public Map<String, List<String>> categories() {
        Map<String, List<String>> categories = new LinkedHashMap<>();
        preparation.columns().forEach(column -> {
            if (column instanceof CategoricalColumn text) {
                categories.put(text.name(), text.categories());
            }
        });
        return categories;
    }

    @Override
    public void close() {
        data.close();
    }
}

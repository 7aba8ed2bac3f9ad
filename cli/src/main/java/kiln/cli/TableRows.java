package kiln.cli;

import kiln.engine.Tensor;
import kiln.nn.data.CsvTable;
import kiln.nn.data.TensorDataset;
import kiln.nn.data.prep.TablePreparation;
import kiln.nn.data.prep.TargetClasses;

/**
 * A CSV dataset before its preparation is fitted: the table, the rows of the training pool and of the
 * test set, the target's classes and how to prepare. The preparation (fill values, clipping bounds,
 * categories) is fitted once the training split is known, on its rows alone ({@link #fit}), and then
 * applied to every split ({@link #dataset}).
 */
record TableRows(CsvTable table, String target, int[] poolRows, int[] testRows, TargetClasses classes,
                 TablePreparation.Options options) {

    /** Fits the preparation on these table rows (the training split's) alone. */
    TablePreparation fit(int[] rows) {
        return options.fit(table, rows, target);
    }

    /** The table rows of these positions of the pool. */
    int[] poolRowsAt(int[] poolPositions) {
        int[] rows = new int[poolPositions.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = poolRows[poolPositions[i]];
        }
        return rows;
    }

    /** Table rows as a dataset: features by {@code preparation}, class indices as targets. */
    TensorDataset dataset(TablePreparation preparation, int[] rows) {
        Tensor features = preparation.transform(table, rows);
        try {
            return new TensorDataset(features, Tensor.fromArray(classes.indices(table, target, rows), rows.length));
        } catch (RuntimeException e) {
            features.close();
            throw e;
        }
    }
}

package kiln.cli;

import java.util.Arrays;
import java.util.stream.IntStream;

import kiln.nn.data.ClassLabels;
import kiln.nn.data.Dataset;
import kiln.nn.data.FeatureScaler;
import kiln.nn.data.Split;
import kiln.nn.data.Subset;
import kiln.nn.data.TensorDataset;
import kiln.nn.data.prep.TablePreparation;

/**
 * The training, validation and test sets after splitting, preparing and scaling; owns their tensors.
 *
 * @param validation null when no validation split was asked for
 * @param table      the CSV preparation fitted on the training split, or null for other data
 * @param scaler     the scaling fitted on the training split, or null for none
 */
record Prepared(TensorDataset train, TensorDataset validation, TensorDataset test, TablePreparation table, FeatureScaler scaler)
        implements AutoCloseable {

    /**
     * Splits validation off the training pool (stratified), optionally keeps only {@code limit} training
     * examples, fits a CSV table's preparation and then the scaler on the training split alone, and
     * applies them to all three sets.
     */
    static Prepared of(DataSource source, double valFraction, int limit, String scale, long seed) {
        long[] labels = ClassLabels.of(source.pool());
        Dataset pool = source.pool();
        if (limit > 0 && limit < pool.size()) {
            Split sample = Split.stratified(labels, (double) limit / pool.size(), 1 - (double) limit / pool.size(), 0, seed);
            pool = sample.trainOf(pool);
            labels = ClassLabels.of(pool);
        }
        Dataset train = pool;
        Dataset validation = null;
        if (valFraction > 0) {
            Split split = Split.stratified(labels, 1 - valFraction, valFraction, 0, seed);
            train = split.trainOf(pool);
            validation = split.validationOf(pool);
        }
        if (source.table() == null) {
            return scaled(train, validation, source.test(), null, scale, source);
        }
        // A table is prepared anew from its rows, with fill values, bounds and categories of the training split alone.
        TableRows rows = source.table();
        int[] trainRows = rows.poolRowsAt(positions(train, source.pool()));
        TablePreparation preparation = rows.fit(trainRows);
        try (TensorDataset preparedTrain = rows.dataset(preparation, trainRows);
             TensorDataset preparedValidation = validation == null ? null
                     : rows.dataset(preparation, rows.poolRowsAt(positions(validation, source.pool())));
             TensorDataset preparedTest = rows.dataset(preparation, rows.testRows())) {
            return scaled(preparedTrain, preparedValidation, preparedTest, preparation, scale, source);
        }
    }

    /** Copies of the three sets, scaled by a scaler fitted on {@code train} unless {@code scale} is none. */
    private static Prepared scaled(Dataset train, Dataset validation, Dataset test, TablePreparation table, String scale,
                                   DataSource source) {
        if (scale.equals("none")) {
            return new Prepared(DataSource.copy(train), validation == null ? null : DataSource.copy(validation),
                    DataSource.copy(test), table, null);
        }
        FeatureScaler scaler = source.defaultScaler(scale).fit(train);
        return new Prepared(scaler.transform(train), validation == null ? null : scaler.transform(validation),
                scaler.transform(test), table, scaler);
    }

    /** Where the examples of {@code view} (the pool, or a subset of a subset ... of it) sit in {@code pool}. */
    private static int[] positions(Dataset view, Dataset pool) {
        if (view == pool) {
            return IntStream.range(0, pool.size()).toArray();
        }
        Subset subset = (Subset) view;
        int[] base = positions(subset.base(), pool);
        return Arrays.stream(subset.indices()).map(i -> base[i]).toArray();
    }

    /** One example's shape as the model sees it (a table's width depends on the categories of the training split). */
    int[] featureShape() {
        return train.featureShape();
    }

    @Override
    public void close() {
        train.close();
        if (validation != null) {
            validation.close();
        }
        test.close();
    }
}

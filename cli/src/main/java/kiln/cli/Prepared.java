package kiln.cli;

import kiln.nn.data.ClassLabels;
import kiln.nn.data.Dataset;
import kiln.nn.data.FeatureScaler;
import kiln.nn.data.Split;
import kiln.nn.data.TensorDataset;

/**
 * The training, validation and test sets after splitting and scaling; owns their tensors.
 *
 * @param validation null when no validation split was asked for
 * @param scaler     the scaling fitted on the training split, or null for none
 */
record Prepared(TensorDataset train, TensorDataset validation, TensorDataset test, FeatureScaler scaler) implements AutoCloseable {

    /**
     * Splits validation off the training pool (stratified), optionally keeps only {@code limit} training
     * examples, and fits the scaler on the training split alone before applying it to all three sets.
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
        if (scale.equals("none")) {
            return new Prepared(DataSource.copy(train), validation == null ? null : DataSource.copy(validation),
                    DataSource.copy(source.test()), null);
        }
        FeatureScaler scaler = source.defaultScaler(scale).fit(train);
        return new Prepared(scaler.transform(train), validation == null ? null : scaler.transform(validation),
                scaler.transform(source.test()), scaler);
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

package kiln.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which data a run learns from and how it is held out and scaled: {@code kiln train}'s data options.
 * {@code kiln tune} loads and prepares the data once, with these, for all of its trials.
 *
 * @param folder      the {@code --data} folder of Fashion-MNIST, or null
 * @param table       how a CSV file is cleaned and prepared (its target column among it)
 * @param valFraction the share of the training pool held out for validation
 * @param limit       the number of training examples sampled (stratified), 0 for all
 * @param scale       standard, minmax or none
 */
record DataChoice(String dataset, Path folder, TableChoice table, double valFraction, int limit, String scale) {

    private static final double DEFAULT_VAL_FRACTION = 0.1;

    /** Declares the options {@link #from(Options)} reads. */
    static Options declare(Options o) {
        return TableChoice.declare(o).value("dataset").value("data").value("val-fraction").value("limit").value("scale");
    }

    /** The choice the options describe, every value checked. */
    static DataChoice from(Options o) {
        String scale = o.string("scale", "standard");
        if (!List.of("standard", "minmax", "none").contains(scale)) {
            throw new Main.UsageException("--scale must be standard, minmax or none, got '" + scale + "'");
        }
        return new DataChoice(o.string("dataset", "fashion-mnist"), o.path("data"), TableChoice.from(o),
                o.number("val-fraction", DEFAULT_VAL_FRACTION, 0, 0.9), o.has("limit") ? o.integer("limit", 0, 10) : 0, scale);
    }

    /** Reads the dataset: its training pool and its test set (fixed by the spec and the seed). */
    DataSource load(long seed) throws IOException {
        return DataSource.load(dataset, folder, table, seed);
    }

    /** Splits, samples, prepares (a table) and scales {@code source} as these options say. */
    Prepared prepare(DataSource source, long seed) {
        return Prepared.of(source, valFraction, limit, scale, seed);
    }

    /** The {@code kiln train} options that make this choice: the dataset always, the rest when not the default. */
    List<String> arguments() {
        List<String> args = new ArrayList<>(List.of("--dataset", dataset));
        if (folder != null) {
            args.addAll(List.of("--data", folder.toString()));
        }
        args.addAll(table.arguments());
        if (valFraction != DEFAULT_VAL_FRACTION) {
            args.addAll(List.of("--val-fraction", Hyperparameter.format(valFraction)));
        }
        if (limit > 0) {
            args.addAll(List.of("--limit", Integer.toString(limit)));
        }
        if (!scale.equals("standard")) {
            args.addAll(List.of("--scale", scale));
        }
        return args;
    }
}

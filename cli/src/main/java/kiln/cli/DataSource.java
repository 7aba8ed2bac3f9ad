package kiln.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.data.Csv;
import kiln.nn.data.CsvTable;
import kiln.nn.data.Dataset;
import kiln.nn.data.FashionMnist;
import kiln.nn.data.FeatureScaler;
import kiln.nn.data.MinMaxScaler;
import kiln.nn.data.ScalerFitter;
import kiln.nn.data.Split;
import kiln.nn.data.StandardScaler;
import kiln.nn.data.Synthetic;
import kiln.nn.data.TensorDataset;
import kiln.nn.data.prep.MissingValues;
import kiln.nn.data.prep.RowFilter;
import kiln.nn.data.prep.TargetClasses;

/**
 * The datasets the command line knows, by their {@code --dataset} spec, each as a training pool and a
 * held-out test set. The test set is fixed by the spec and the seed alone, so {@code kiln eval} can
 * rebuild exactly the test set that {@code kiln train} reported on.
 *
 * <ul>
 *   <li>{@code fashion-mnist}: the official 60,000 / 10,000 split, images [1, 28, 28] in [0, 1];</li>
 *   <li>{@code csv:FILE}: a table with a header; the target is the last column or {@code --target}.
 *       Rows without a target are left out, then repeated rows (unless kept), then rows with a missing
 *       value if the rule is to drop them; a stratified 20% of the rest is the test set. The pool and
 *       test sets hold labels only: the rows ({@link #table}) are prepared once validation is held out,
 *       with a preparation fitted on the training split alone;</li>
 *   <li>{@code moons}, {@code circles}, {@code spirals}, {@code blobs}: synthetic problems in the plane,
 *       2,000 training and 1,000 test points.</li>
 * </ul>
 */
record DataSource(String spec, TensorDataset pool, TensorDataset test, List<String> classNames, boolean images,
                  TableRows table, List<String> notes) implements AutoCloseable {

    static final String SPECS = "fashion-mnist, csv:FILE, moons, circles, spirals, blobs";
    private static final double CSV_TEST_FRACTION = 0.2;

    /** Loads {@code spec}; {@code dataFolder} is the {@code --data} folder or null, {@code table} how to read a CSV file. */
    static DataSource load(String spec, Path dataFolder, TableChoice table, long seed) throws IOException {
        if (spec.equals("fashion-mnist")) {
            FashionMnist.Data data = FashionMnist.load(dataFolder);
            return new DataSource(spec, data.train(), data.test(), data.classNames(), true, null, List.of());
        }
        if (spec.startsWith("csv:")) {
            return csv(spec, Path.of(spec.substring(4)), table, seed);
        }
        Generator trainRng = new Generator(seed);
        Generator testRng = new Generator(seed + 1_000_003);
        return switch (spec) {
            case "moons" -> synthetic(spec, Synthetic.moons(2000, 0.2, trainRng), Synthetic.moons(1000, 0.2, testRng), 2);
            case "circles" -> synthetic(spec, Synthetic.circles(2000, 0.1, 0.5, trainRng), Synthetic.circles(1000, 0.1, 0.5, testRng), 2);
            case "spirals" -> synthetic(spec, Synthetic.spirals(2000, 3, 1.5, 0.1, trainRng), Synthetic.spirals(1000, 3, 1.5, 0.1, testRng), 3);
            case "blobs" -> {
                double[][] centers = {{-2, 0}, {2, 0}, {0, 3}};
                yield synthetic(spec, Synthetic.blobs(2000, centers, 1.0, trainRng), Synthetic.blobs(1000, centers, 1.0, testRng), 3);
            }
            default -> throw new Main.UsageException("unknown dataset '" + spec + "' (known: " + SPECS + ")");
        };
    }

    private static DataSource synthetic(String spec, TensorDataset train, TensorDataset test, int classes) {
        List<String> names = IntStream.range(0, classes).mapToObj(c -> "class " + c).toList();
        return new DataSource(spec, train, test, names, false, null, List.of());
    }

    private static DataSource csv(String spec, Path file, TableChoice choice, long seed) throws IOException {
        CsvTable table = Csv.read(file);
        String target = choice.target() != null ? choice.target() : table.columnNames().getLast();
        List<String> notes = new ArrayList<>();
        int[] rows = RowFilter.withTarget(table, RowFilter.all(table), target);
        note(notes, table.rowCount() - rows.length, "row(s) without a target left out");
        if (!choice.keepDuplicates()) {
            int before = rows.length;
            rows = RowFilter.distinct(table, rows);
            note(notes, before - rows.length, "repeated row(s) left out (--keep-duplicates keeps them)");
        }
        if (choice.preparation().missing().strategy() == MissingValues.Strategy.DROP) {
            int before = rows.length;
            List<String> features = table.columnNames().stream()
                    .filter(c -> !c.equals(target) && !choice.preparation().excluded().contains(c)).toList();
            rows = RowFilter.complete(table, rows, features);
            note(notes, before - rows.length, "row(s) with a missing value left out (--missing drop)");
        }
        if (rows.length == 0) {
            throw new IllegalArgumentException(file + ": no rows left to learn from");
        }
        TargetClasses classes = TargetClasses.fit(table, target, rows);
        Split split = Split.stratified(classes.indices(table, target, rows), 1 - CSV_TEST_FRACTION, 0, CSV_TEST_FRACTION, seed);
        TableRows tableRows = new TableRows(table, target, pick(rows, split.train()), pick(rows, split.test()), classes,
                choice.preparation());
        // Features are made once the training split is known (Prepared.of fits the preparation on it alone); until
        // then the pool and the test set hold their labels beside zero features, which no model can be built on.
        return new DataSource(spec, labelsOnly(tableRows, tableRows.poolRows()), labelsOnly(tableRows, tableRows.testRows()),
                classes.names(), false, tableRows, List.copyOf(notes));
    }

    private static TensorDataset labelsOnly(TableRows rows, int[] tableRows) {
        return new TensorDataset(Tensor.zeros(tableRows.length, 0),
                Tensor.fromArray(rows.classes().indices(rows.table(), rows.target(), tableRows), tableRows.length));
    }

    private static void note(List<String> notes, int count, String what) {
        if (count > 0) {
            notes.add(String.format(Locale.ROOT, "%,d %s", count, what));
        }
    }

    private static int[] pick(int[] rows, int[] positions) {
        return Arrays.stream(positions).map(i -> rows[i]).toArray();
    }

    /** The examples of a view, in their own tensors. */
    static TensorDataset copy(Dataset view) {
        int[] all = IntStream.range(0, view.size()).toArray();
        var batch = view.gather(all);
        return new TensorDataset(batch.features(), batch.targets());
    }

    /** The default scaling: one mean and deviation for image pixels (as the PyTorch peer), per column for tables. */
    ScalerFitter<? extends FeatureScaler> defaultScaler(String kind) {
        return switch (kind) {
            case "standard" -> images ? StandardScaler.global() : StandardScaler.perFeature();
            case "minmax" -> images ? MinMaxScaler.global() : MinMaxScaler.perFeature();
            default -> throw new Main.UsageException("--scale must be standard, minmax or none, got '" + kind + "'");
        };
    }

    int[] featureShape() {
        return pool.featureShape();
    }

    @Override
    public void close() {
        pool.close();
        test.close();
    }
}

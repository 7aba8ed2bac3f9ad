package kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.nn.data.Csv;
import kiln.nn.data.CsvTable;
import kiln.nn.data.FashionMnist;
import kiln.nn.data.audit.ClassBalance;
import kiln.nn.data.audit.ColumnProfile;
import kiln.nn.data.audit.DataAudit;
import kiln.nn.data.audit.ImageAudit;
import kiln.nn.data.audit.NumericSummary;
import kiln.nn.io.Json;

/**
 * {@code kiln data inspect}: a data-quality audit of a CSV file (and its test file), or of Fashion-MNIST,
 * before training on it.
 */
final class DataCommand {
    private static final String HELP = """
            usage: kiln data inspect FILE [TEST_FILE] [--target COLUMN] [--json]
                   kiln data inspect fashion-mnist [--data DIR] [--json]

            Audits a CSV file (a header row, then one row per example) before it is trained on: rows, columns
            and their types, missing values per column, duplicate rows, the class balance of the target with
            suggested class weights, numeric ranges, and columns that carry nothing or look wrong. With
            TEST_FILE (same columns), also the test rows that repeat training rows (leakage). The report ends
            with its findings, one line each with what to do; a clean file has none.

            "fashion-mnist" audits that dataset instead: class balance, pixel range, blank images, duplicate
            images within the training and the test set, and test images that repeat training images.

              --target COLUMN   the class column (default: the last column, as kiln train takes it)
              --data DIR        fashion-mnist: the folder holding its files (default: found as kiln train does)
              --json            end with one JSON line: the report and its findings

            What is reported (and why):
              imbalanced        the largest class has at least %s times the examples of the smallest
              class weights     "balanced": n / (k * n_c) for n examples, k classes, n_c examples in class c
              duplicate rows    rows equal value for value (numbers as numbers, texts trimmed)
              mostly missing    more than %s of a column's values missing: drop rather than impute
              constant          one distinct value (or none): it carries no information
              identifier?       at least %d values, all distinct: texts, or whole numbers 1..n in any order
              stray texts       a text column whose values are mostly numbers: likely typos
              similar categories  equal but for case ("Yes", "yes"), which training counts apart
              far outliers      more than %s interquartile ranges beyond a quartile
            Missing values are empty cells, NA, N/A and NaN.""";

    private static final String FASHION_MNIST = "fashion-mnist";

    private DataCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(help());
            return 0;
        }
        if (!args[0].equals("inspect")) {
            throw new Main.UsageException("unknown subcommand '" + args[0] + "' (known: inspect; try: kiln data --help)");
        }
        Options o = new Options("data").value("target").value("data").flag("json").positionals(2);   // FILE [TEST_FILE]
        if (!o.parse(Arrays.copyOfRange(args, 1, args.length))) {
            out.println(help());
            return 0;
        }
        List<String> files = o.positionals();
        if (files.isEmpty()) {
            throw new Main.UsageException("inspect takes FILE and optionally TEST_FILE, got no file (try: kiln data --help)");
        }
        if (files.equals(List.of(FASHION_MNIST))) {
            inspectFashionMnist(o, out);
        } else {
            inspectCsv(files, o, out);
        }
        return 0;
    }

    private static void inspectFashionMnist(Options o, PrintStream out) throws IOException {
        if (o.has("target")) {
            throw new Main.UsageException("--target is for CSV files; fashion-mnist's classes are its labels");
        }
        try (FashionMnist.Data data = FashionMnist.load(o.path("data"))) {
            ImageAudit audit = ImageAudit.of(FASHION_MNIST, data.train(), data.test(), data.classNames());
            print(audit.format(), audit.toJson(), o.has("json"), out);
        }
    }

    private static void inspectCsv(List<String> files, Options o, PrintStream out) throws IOException {
        if (o.has("data")) {
            throw new Main.UsageException("--data is for fashion-mnist; a CSV file is named by its path");
        }
        String target = o.string("target", null);
        CsvTable data = read(files.getFirst());
        DataAudit audit = files.size() == 1 ? DataAudit.of(data, target) : DataAudit.of(data, read(files.get(1)), target);
        print(audit.format(), audit.toJson(), o.has("json"), out);
    }

    private static void print(String report, Map<String, Object> json, boolean asJson, PrintStream out) {
        out.print(report);
        if (asJson) {
            out.println(Json.write(json));
        }
    }

    private static CsvTable read(String name) throws IOException {
        Path file = Path.of(name);
        if (!Files.isRegularFile(file)) {
            throw new Main.UsageException("no such file: " + file);
        }
        return Csv.read(file);
    }

    private static String help() {
        return String.format(Locale.ROOT, HELP, ClassBalance.IMBALANCE_RATIO, (int) (100 * ColumnProfile.MOSTLY_MISSING) + "%",
                ColumnProfile.IDENTIFIER_MIN_VALUES, NumericSummary.FAR_OUT);
    }
}

package kiln.cli;

import java.util.ArrayList;
import java.util.List;

import kiln.nn.data.prep.Encoding;
import kiln.nn.data.prep.MissingValues;
import kiln.nn.data.prep.OutlierRule;
import kiln.nn.data.prep.TablePreparation;

/**
 * How a CSV dataset is cleaned and prepared: {@code kiln train}'s table options.
 *
 * @param target          the class column, or null for the last one
 * @param preparation     missing values, encoding, outliers, excluded columns
 * @param keepDuplicates  whether repeated rows stay (by default only the first of each is kept, so no
 *                        row can sit in both the training and the test set)
 */
record TableChoice(String target, TablePreparation.Options preparation, boolean keepDuplicates) {
    /** The defaults: fill numeric gaps with the training mean (text gaps with the most frequent category), one-hot, no clipping. */
    static final TablePreparation.Options DEFAULT_PREPARATION = TablePreparation.Options.DEFAULT.missing(MissingValues.MEAN);

    static final String HELP = """
              --target COLUMN      csv: the class column (default: the last one)
              --missing RULE       csv: refuse, drop (the rows), mean, median, most-frequent or constant:VALUE,
                                   fitted on the training split (default mean; text columns: most frequent)
              --encoding KIND      csv: text columns onehot or ordinal (default onehot)
              --outliers RULE      csv: clip numbers to bounds fitted on the training split: none, iqr[:K]
                                   (Tukey's fences, K = 1.5) or quantile:P (default none)
              --exclude COLS       csv: columns to leave out, comma-separated (identifiers, say)
              --keep-duplicates    csv: keep repeated rows (by default only the first of each is kept)
            """.stripTrailing();

    /** Declares the options {@link #from(Options)} reads. */
    static Options declare(Options o) {
        return o.value("target").value("missing").value("encoding").value("outliers").value("exclude").flag("keep-duplicates");
    }

    /** The choice the options describe; a bad rule is a usage error. */
    static TableChoice from(Options o) {
        try {
            TablePreparation.Options preparation = DEFAULT_PREPARATION
                    .missing(MissingValues.parse(o.string("missing", DEFAULT_PREPARATION.missing().toString())))
                    .encoding(Encoding.parse(o.string("encoding", DEFAULT_PREPARATION.encoding().toString())))
                    .outliers(OutlierRule.parse(o.string("outliers", DEFAULT_PREPARATION.outliers().toString())))
                    .exclude(o.has("exclude") ? o.string("exclude", "").split(",") : new String[0]);
            return new TableChoice(o.string("target", null), preparation, o.has("keep-duplicates"));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--" + e.getMessage());
        }
    }

    /** The {@code kiln train} options that make this choice, those that differ from the defaults. */
    List<String> arguments() {
        List<String> args = new ArrayList<>();
        if (target != null) {
            args.addAll(List.of("--target", target));
        }
        if (!preparation.missing().equals(DEFAULT_PREPARATION.missing())) {
            args.addAll(List.of("--missing", preparation.missing().toString()));
        }
        if (preparation.encoding() != DEFAULT_PREPARATION.encoding()) {
            args.addAll(List.of("--encoding", preparation.encoding().toString()));
        }
        if (!preparation.outliers().equals(DEFAULT_PREPARATION.outliers())) {
            args.addAll(List.of("--outliers", preparation.outliers().toString()));
        }
        if (!preparation.excluded().isEmpty()) {
            args.addAll(List.of("--exclude", String.join(",", preparation.excluded().stream().sorted().toList())));
        }
        if (keepDuplicates) {
            args.add("--keep-duplicates");
        }
        return args;
    }
}

package kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import kiln.nn.data.Csv;
import kiln.nn.io.AtomicFiles;

/**
 * The ranked results of a search, as a table for people (stdout) and as {@code trials.csv} for
 * scripts: one row per trial, best first ({@link Trial#RANKING}), with its hyperparameters, the epochs
 * it trained, its validation accuracy and loss, and its time.
 */
final class TrialTable {
    private static final String[] HEADER = {"rank", "trial", "lr", "batch", "width", "wd", "dropout", "epochs", "val acc", "val loss", "seconds"};
    private static final String CSV_HEADER = "rank,trial,lr,batch,width,weight_decay,dropout,epochs,val_accuracy,val_loss,best_epoch,seconds,failure";

    private TrialTable() {}

    /** The trials best first. */
    static List<Trial> rank(Collection<Trial> trials) {
        List<Trial> ranked = new ArrayList<>(trials);
        ranked.sort(Trial.RANKING);
        return ranked;
    }

    /** The ranked trials as aligned columns: the trial's label left, numbers right; a failed trial shows why in place of its score. */
    static String format(List<Trial> ranked) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (int i = 0; i < ranked.size(); i++) {
            Trial t = ranked.get(i);
            Hyperparameters h = t.recipe().hyper();
            rows.add(new String[] {Integer.toString(i + 1), t.label(), Hyperparameter.format(h.lr()), Integer.toString(h.batch()),
                    Hyperparameter.format(h.width()), Hyperparameter.format(h.weightDecay()), Hyperparameter.format(h.dropout()),
                    Integer.toString(t.recipe().epochs()),
                    t.failure() != null ? t.failure() : String.format(Locale.ROOT, "%.2f%%", 100 * t.valAccuracy()),
                    t.failure() != null ? "" : String.format(Locale.ROOT, "%.4f", t.valLoss()),
                    String.format(Locale.ROOT, "%.1f", t.seconds())});
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == 0 ? "" : "  ").append(pad(row[c], widths[c], c != 1));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    private static String pad(String cell, int width, boolean right) {
        String space = " ".repeat(width - cell.length());
        return right ? space + cell : cell + space;
    }

    /** Writes {@code trials.csv} (atomically): the header, then one row per ranked trial; accuracies as fractions. */
    static void writeCsv(Path file, List<Trial> ranked) throws IOException {
        StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        for (int i = 0; i < ranked.size(); i++) {
            Trial t = ranked.get(i);
            Hyperparameters h = t.recipe().hyper();
            boolean scored = t.failure() == null;
            csv.append(String.join(",", Integer.toString(i + 1), t.label(), Hyperparameter.format(h.lr()), Integer.toString(h.batch()),
                    Hyperparameter.format(h.width()), Hyperparameter.format(h.weightDecay()), Hyperparameter.format(h.dropout()),
                    Integer.toString(t.recipe().epochs()), scored ? String.format(Locale.ROOT, "%.6g", t.valAccuracy()) : "",
                    scored ? String.format(Locale.ROOT, "%.6g", t.valLoss()) : "", scored ? Integer.toString(t.bestEpoch()) : "",
                    String.format(Locale.ROOT, "%.3f", t.seconds()), scored ? "" : Csv.field(t.failure()))).append('\n');
        }
        AtomicFiles.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));
    }
}

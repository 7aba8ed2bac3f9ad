package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ranking of trials and its two forms: the aligned table and trials.csv. */
class TrialTableTest {
    private static final Recipe BASE = Recipe.from(Recipe.declare(new Options("test")));

    private static Trial scored(int id, double accuracy, double loss) {
        return new Trial(id, BASE.with(BASE.hyper().with(Hyperparameter.LR, 0.001 * (id + 1))), accuracy, loss, 2, 1.25, null);
    }

    private final List<Trial> trials = List.of(
            scored(1, 0.90, 0.30),
            scored(2, 0.90, 0.20),
            Trial.failed(3, BASE.with(BASE.hyper().with(Hyperparameter.LR, 10)), 0.5, "diverged (epoch 2, \"step\" 3)"),
            scored(0, 0.95, 0.40),
            scored(4, 0.90, 0.20));

    @Test
    void higherAccuracyFirstThenLowerLossThenTheEarlierTrialAndFailuresLast() {
        assertEquals(List.of(0, 2, 4, 1, 3), TrialTable.rank(trials).stream().map(Trial::id).toList());
    }

    @Test
    void tableHasAHeaderAndOneAlignedRowPerTrial() {
        String[] lines = TrialTable.format(TrialTable.rank(trials)).split("\n");
        assertEquals(6, lines.length);
        assertTrue(lines[0].matches("rank +trial +lr +batch +width +wd +dropout +epochs +val acc +val loss +seconds"), lines[0]);
        assertTrue(lines[1].matches(" +1 +default +0\\.001 +128 +1 +0 +0 +10 +95\\.00% +0\\.4000 +1\\.3"), lines[1]);
        assertTrue(lines[5].matches(" +5 +3 +10 +128 +1 +0 +0 +10 +diverged \\(epoch 2, \"step\" 3\\) +0\\.5"), lines[5]);
        for (String line : lines) {
            assertEquals(lines[0].length(), line.length(), "right-aligned last column: every line as long as the header");
        }
    }

    @Test
    void csvHasOneRowPerTrialInRankOrder(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("trials.csv");
        TrialTable.writeCsv(file, TrialTable.rank(trials));
        List<String> rows = Files.readAllLines(file);
        assertEquals(List.of(
                "rank,trial,lr,batch,width,weight_decay,dropout,epochs,val_accuracy,val_loss,best_epoch,seconds,failure",
                "1,default,0.001,128,1,0,0,10,0.950000,0.400000,2,1.250,",
                "2,2,0.003,128,1,0,0,10,0.900000,0.200000,2,1.250,",
                "3,4,0.005,128,1,0,0,10,0.900000,0.200000,2,1.250,",
                "4,1,0.002,128,1,0,0,10,0.900000,0.300000,2,1.250,",
                "5,3,10,128,1,0,0,10,,,,0.500,\"diverged (epoch 2, \"\"step\"\" 3)\""), rows);
    }
}

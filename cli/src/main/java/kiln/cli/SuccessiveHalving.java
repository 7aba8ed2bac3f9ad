package kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Successive halving (Jamieson and Talwalkar, 2016): spend little on many candidates, more on the
 * promising ones. Every candidate trains for {@code minEpochs}; the best 1/eta of them (at least one)
 * go on to a rung with eta times the epochs, and so on until one candidate is left, whose last rung runs
 * for {@code maxEpochs}; a rung that reaches {@code maxEpochs} earlier is the last one too. Each rung
 * retrains its candidates from scratch at the larger budget (simple, and with a per-run learning-rate
 * schedule a longer run is a different run, not a continuation).
 *
 * <p>Candidate 0 is the baseline (kiln tune's default configuration). It does not compete for the
 * next rung: it runs at every rung beside the survivors, so that the last rung compares the best
 * candidates with it at the same budget, not with its score after one short epoch.
 *
 * @param eta       the factor by which rungs shrink the field and grow the budget (at least 2)
 * @param minEpochs the first rung's budget
 * @param maxEpochs the last rung's budget
 */
record SuccessiveHalving(int eta, int minEpochs, int maxEpochs) {

    /** One rung: how many candidates train, for how many epochs. */
    record Rung(int trials, int epochs) {}

    SuccessiveHalving {
        if (eta < 2) {
            throw new IllegalArgumentException("successive halving: --eta must be at least 2, got " + eta);
        }
        if (minEpochs < 1 || minEpochs > maxEpochs) {
            throw new IllegalArgumentException("successive halving: --min-epochs must be in [1, --epochs = " + maxEpochs + "], got " + minEpochs);
        }
    }

    /**
     * The first rung's budget when none is given: {@code maxEpochs} divided by eta once per rung before the
     * last, so that growing by eta per rung lands near {@code maxEpochs} (at least 1).
     */
    static int defaultMinEpochs(int candidates, int eta, int maxEpochs) {
        int epochs = maxEpochs;
        for (int field = candidates - 1; field > 1; field = Math.max(1, field / eta)) {
            epochs /= eta;
        }
        return Math.max(1, epochs);
    }

    /** The rungs for {@code candidates} candidates (the baseline among them), first to last; each rung's trials count the baseline. */
    List<Rung> plan(int candidates) {
        List<Rung> rungs = new ArrayList<>();
        int field = candidates - 1;   // those competing: all but the baseline
        long epochs = minEpochs;
        while (field > 1 && epochs < maxEpochs) {
            rungs.add(new Rung(field + 1, (int) epochs));
            field = Math.max(1, field / eta);
            epochs *= eta;
        }
        rungs.add(new Rung(field + 1, maxEpochs));
        return rungs;
    }

    /**
     * Runs the rungs over {@code candidates} (candidate i has id i, the baseline 0) and returns each
     * candidate's trial at the last rung it reached, in id order. One line per rung goes to {@code progress}.
     */
    List<Trial> run(List<Recipe> candidates, TrialRunner runner, PrintStream progress) throws IOException {
        List<Rung> rungs = plan(candidates.size());
        Trial[] last = new Trial[candidates.size()];
        List<Integer> field = new ArrayList<>();      // the competitors, best first after each rung
        for (int id = 1; id < candidates.size(); id++) {
            field.add(id);
        }
        for (int r = 0; r < rungs.size(); r++) {
            Rung rung = rungs.get(r);
            progress.printf(Locale.ROOT, "kiln tune: rung %d/%d: %d trial%s for %d epoch%s%n", r + 1, rungs.size(), rung.trials(),
                    rung.trials() == 1 ? "" : "s", rung.epochs(), rung.epochs() == 1 ? "" : "s");
            last[0] = runner.run(0, candidates.getFirst().withEpochs(rung.epochs()));   // the baseline, at this rung's budget
            List<Trial> results = new ArrayList<>();
            for (int id : field.subList(0, rung.trials() - 1)) {
                Trial trial = runner.run(id, candidates.get(id).withEpochs(rung.epochs()));
                last[id] = trial;
                results.add(trial);
            }
            results.sort(Trial.RANKING);
            field = new ArrayList<>(results.stream().map(Trial::id).toList());     // best first: the next rung takes the head
        }
        List<Trial> trials = new ArrayList<>(List.of(last));
        trials.sort(Comparator.comparingInt(Trial::id));
        return trials;
    }
}

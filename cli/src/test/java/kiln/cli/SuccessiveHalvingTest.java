package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Successive halving with a stand-in for training: which candidates go on, and for how many epochs. */
class SuccessiveHalvingTest {
    private static final Recipe BASE = Recipe.from(Recipe.declare(new Options("test")));

    /** One call of the stand-in runner: which candidate, for how many epochs. */
    private record Call(int id, int epochs) {}

    /** Ten candidates whose validation accuracy is id / 100 + epochs / 1000 (more training helps everyone a little). */
    private static List<Trial> runTen(SuccessiveHalving halving, List<Call> calls, int failingId) throws Exception {
        List<Recipe> candidates = IntStream.range(0, 10).mapToObj(i -> BASE).toList();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        return halving.run(candidates, (id, recipe) -> {
            calls.add(new Call(id, recipe.epochs()));
            return id == failingId ? Trial.failed(id, recipe, 0, "diverged (epoch 1)")
                    : new Trial(id, recipe, id / 100.0 + recipe.epochs() / 1000.0, 1, recipe.epochs(), 0, null);
        }, new PrintStream(progress, true, StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheBestThirdOfEachRungAndTriplesItsEpochsUpToTheLastRung() throws Exception {
        List<Call> calls = new ArrayList<>();
        List<Trial> trials = runTen(new SuccessiveHalving(3, 1, 10), calls, -1);
        List<Call> expected = new ArrayList<>();
        IntStream.range(0, 10).forEach(id -> expected.add(new Call(id, 1)));       // rung 1: all ten for 1 epoch
        // The baseline (id 0) runs every rung first; of the nine others, floor(9 / 3) = 3 best go on for 3 epochs...
        expected.addAll(List.of(new Call(0, 3), new Call(9, 3), new Call(8, 3), new Call(7, 3)));
        expected.addAll(List.of(new Call(0, 10), new Call(9, 10)));                 // ...and the best one for the full --epochs
        assertEquals(expected, calls);
        assertEquals(10, trials.size(), "one trial per candidate, at the last rung it reached");
        assertEquals(List.of(10, 1, 1, 1, 1, 1, 1, 3, 3, 10), trials.stream().map(t -> t.recipe().epochs()).toList());
        assertEquals(IntStream.range(0, 10).boxed().toList(), trials.stream().map(Trial::id).toList());
    }

    @Test
    void aFailedTrialNeverGoesOn() throws Exception {
        List<Call> calls = new ArrayList<>();
        runTen(new SuccessiveHalving(2, 2, 8), calls, 9);
        // All ten for 2 epochs; of the nine competitors the best four for 4 (the failed one, id 9, ranks last), then the
        // best two for 8: that rung reaches --epochs, so it is the last one although two are left. The baseline runs each rung.
        assertEquals(List.of(new Call(0, 4), new Call(8, 4), new Call(7, 4), new Call(6, 4), new Call(5, 4),
                new Call(0, 8), new Call(8, 8), new Call(7, 8)), calls.subList(10, calls.size()));
    }

    @Test
    void plansRungsAndDefaultsTheFirstBudgetSoTheLastReachesTheMaximum() {
        // Eight competitors and the baseline: 8 + 1 for 1 epoch, 2 + 1 for 3, 1 + 1 for 9.
        assertEquals(List.of(new SuccessiveHalving.Rung(9, 1), new SuccessiveHalving.Rung(3, 3), new SuccessiveHalving.Rung(2, 9)),
                new SuccessiveHalving(3, 1, 9).plan(9));
        assertEquals(List.of(new SuccessiveHalving.Rung(27, 5)), new SuccessiveHalving(3, 5, 5).plan(27), "no room to grow: one rung");
        assertEquals(List.of(new SuccessiveHalving.Rung(1, 7)), new SuccessiveHalving(3, 1, 7).plan(1));
        assertEquals(1, SuccessiveHalving.defaultMinEpochs(9, 3, 10), "10 / 3 / 3, at least 1");
        assertEquals(3, SuccessiveHalving.defaultMinEpochs(9, 3, 27), "27 / 3 / 3: rungs of 3, 9, 27 epochs");
        assertEquals(5, SuccessiveHalving.defaultMinEpochs(1, 3, 5), "one candidate: one rung");
        assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(1, 1, 9));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(3, 10, 9));
        assertEquals("successive halving: --min-epochs must be in [1, --epochs = 9], got 10", tooLong.getMessage());
    }
}

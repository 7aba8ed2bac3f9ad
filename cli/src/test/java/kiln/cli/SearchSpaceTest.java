package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import kiln.engine.Generator;

/** Search spaces: the value syntax, grid enumeration, random draws, and the spec file with its errors. */
class SearchSpaceTest {
    /** kiln train's defaults: lr 0.001, batch 128, width 1, weight decay 0, dropout 0. */
    private static final Recipe BASE = Recipe.from(Recipe.declare(new Options("test")));

    private static Domain parse(Hyperparameter h, String text) {
        return Domain.parse(h, text, "--" + h.option());
    }

    @Test
    void listsAndRangesParse() {
        assertEquals(new Domain.Choice(List.of(1e-4, 3e-4, 1e-3)), parse(Hyperparameter.LR, " 1e-4, 3e-4 ,0.001"));
        assertEquals(new Domain.Choice(List.of(64.0, 128.0)), parse(Hyperparameter.BATCH, "64,128,64"), "repeats dropped");
        assertEquals(new Domain.Range(1e-4, 1e-2, true), parse(Hyperparameter.LR, "loguniform(1e-4, 1e-2)"));
        assertEquals(new Domain.Range(0, 0.5, false), parse(Hyperparameter.DROPOUT, "Uniform( 0 , 0.5 )"));
        assertEquals("loguniform(0.0001, 0.01)", parse(Hyperparameter.LR, "loguniform(1e-4,1e-2)").toString());
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', value = {
            "lr           | abc                  | --lr must be a number, got 'abc'",
            "lr           | 1e-3,,1e-2           | --lr must be a number, got ''",
            "lr           | 20                   | --lr must be in [0, 10], got 20",
            "batch        | 64,12.5              | --batch must be an integer, got 12.5",
            "batch        | 0                    | --batch must be in [1, 2147483647], got 0",
            "batch        | uniform(16,256)      | --batch takes a list of integers (e.g. 64,128,256), not uniform(...)",
            "dropout      | 1                    | --dropout must be in [0, 1), got 1",
            "dropout      | uniform(0.5,0.2)     | --dropout uniform(LOW, HIGH) needs LOW < HIGH, got uniform(0.5,0.2)",
            "weight-decay | loguniform(0,1e-3)   | --weight-decay loguniform(LOW, HIGH) needs 0 < LOW < HIGH",
            "width        | 0                    | --width must be in (0, 100], got 0",
            "lr           | normal(0,1)          | --lr must be a list like 1e-4,3e-4,1e-3 or uniform(LOW, HIGH) or loguniform(LOW, HIGH), got 'normal(0,1)'",
            "lr           | loguniform(1e-4)     | --lr must be a list like",
    })
    void badValuesAreRefusedNamingTheOptionAndTheValue(String name, String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(Hyperparameter.named(name), text));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void gridEnumeratesTheProductFirstNameSlowest() {
        SearchSpace space = SearchSpace.empty()
                .with(Hyperparameter.WIDTH, parse(Hyperparameter.WIDTH, "0.5,1,2"))
                .with(Hyperparameter.LR, parse(Hyperparameter.LR, "1e-3,1e-2"));
        List<Recipe> grid = space.grid(BASE);
        assertEquals(6, grid.size(), "2 learning rates × 3 widths");
        double[][] expected = {{1e-3, 0.5}, {1e-3, 1}, {1e-3, 2}, {1e-2, 0.5}, {1e-2, 1}, {1e-2, 2}};   // lr comes first, whatever the order given
        for (int i = 0; i < 6; i++) {
            Hyperparameters h = grid.get(i).hyper();
            assertEquals(expected[i][0], h.lr());
            assertEquals(expected[i][1], h.width());
            assertEquals(128, h.batch(), "what is not searched keeps the base value");
            assertEquals(BASE.epochs(), grid.get(i).epochs());
        }
        assertEquals(108, SearchSpace.DEFAULT.grid(BASE).size(), "3 · 3 · 3 · 2 · 2");
        assertEquals(108, new HashSet<>(SearchSpace.DEFAULT.grid(BASE)).size(), "all distinct");

        SearchSpace withRange = space.with(Hyperparameter.DROPOUT, parse(Hyperparameter.DROPOUT, "uniform(0,0.5)"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withRange.grid(BASE));
        assertEquals("grid search enumerates lists, but dropout is uniform(0, 0.5): give a list, or use --search random or halving", e.getMessage());
    }

    @Test
    void randomDrawsAreDeterministicBySeedDistinctAndInsideTheirRanges() {
        SearchSpace space = SearchSpace.empty()
                .with(Hyperparameter.LR, parse(Hyperparameter.LR, "loguniform(1e-4, 1e-2)"))
                .with(Hyperparameter.DROPOUT, parse(Hyperparameter.DROPOUT, "uniform(0.1, 0.5)"))
                .with(Hyperparameter.BATCH, parse(Hyperparameter.BATCH, "32,64"));
        List<Recipe> first = space.sample(BASE, 50, new Generator(4));
        assertEquals(first, space.sample(BASE, 50, new Generator(4)), "same seed, same draws");
        assertNotEquals(first, space.sample(BASE, 50, new Generator(5)));
        assertEquals(50, new HashSet<>(first).size());
        Set<Integer> batches = new HashSet<>();
        int lowDecade = 0;
        for (Recipe r : first) {
            Hyperparameters h = r.hyper();
            assertTrue(h.lr() >= 1e-4 && h.lr() <= 1e-2, "lr " + h.lr());
            assertTrue(h.dropout() >= 0.1 && h.dropout() <= 0.5, "dropout " + h.dropout());
            assertTrue(BigDecimal.valueOf(h.lr()).stripTrailingZeros().precision() <= 3, "three significant digits: " + h.lr());
            assertEquals(1, h.width(), "not searched");
            batches.add(h.batch());
            lowDecade += h.lr() < 1e-3 ? 1 : 0;
        }
        assertEquals(Set.of(32, 64), batches);
        // Log-uniform: half of the draws fall in [1e-4, 1e-3); 50 draws put 25 ± 3.5 (one deviation) there, 13 to 37 all but surely.
        assertTrue(lowDecade >= 13 && lowDecade <= 37, lowDecade + " of 50 below 1e-3");
    }

    @Test
    void aSmallListSpaceIsDrawnWholeAndNeverRepeatsTheDefault() {
        SearchSpace space = SearchSpace.empty().with(Hyperparameter.LR, parse(Hyperparameter.LR, "1e-3,1e-2,1e-1"));
        List<Recipe> drawn = space.sample(BASE, 10, new Generator(0));
        assertEquals(2, drawn.size(), "three points, one of which is the default (lr 1e-3)");
        assertTrue(drawn.stream().noneMatch(BASE::equals));
        assertEquals(List.of(1e-2, 1e-1), drawn.stream().map(r -> r.hyper().lr()).toList());
    }

    @Test
    void specFileReadsNamesValuesAndComments(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("space.txt");
        Files.writeString(file, """
                # a search space
                lr = loguniform(1e-4, 1e-2)   # learning rate

                batch=64, 128
                dropout = 0, 0.25
                """);
        SearchSpace space = SearchSpace.read(file);
        assertEquals(Map.of(Hyperparameter.LR, new Domain.Range(1e-4, 1e-2, true),
                Hyperparameter.BATCH, new Domain.Choice(List.of(64.0, 128.0)),
                Hyperparameter.DROPOUT, new Domain.Choice(List.of(0.0, 0.25))), space.domains());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "'lr = 1e-3\\nlearning rate 1e-3'         | :2: expected 'name = values', got 'learning rate 1e-3'",
            "'# ok\\nlr = 1e-3\\nlrate = 1e-3'        | :3: unknown hyperparameter 'lrate' (known: lr, batch, width, weight-decay, dropout)",
            "'lr = 1e-3\\nbatch = 64\\nlr = 1e-2'     | :3: lr is given twice",
            "'\\n\\n\\nbatch = 64, 1.5'              | :4: batch must be an integer, got 1.5",
            "'dropout = uniform(0, 2)'               | :1: dropout uniform's HIGH must be in [0, 1), got 2",
            "'# only a comment'                      | : the spec file names no hyperparameter",
    })
    void specFileErrorsNameTheFileAndTheLine(String content, String message, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("space.txt");
        Files.writeString(file, content.replace("\\n", "\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.read(file));
        assertTrue(e.getMessage().startsWith(file + message), e.getMessage());
    }
}

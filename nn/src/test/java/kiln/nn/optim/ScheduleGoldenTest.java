package kiln.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.Tensor;
import kiln.nn.Golden;
import kiln.nn.Parameter;

/**
 * Every schedule golden of {@code golden/schedules}: SGD(lr=0.1, momentum=0.9) and a scheduler,
 * the lr in use at each of 30 steps (and OneCycleLR's momentum) compared value by value with
 * PyTorch 1.13.
 */
class ScheduleGoldenTest {
    /**
     * Both sides compute in float64, but PyTorch mostly steps recursively (the new lr from the
     * previous one, its roundings accumulating) where we use closed forms; equal in exact
     * arithmetic, they agree to 5e-16 relative here and within 4e-15 over a 10,000-step
     * CosineAnnealingLR (both measured). 1e-9 is far above rounding and far below a mistake: an
     * off-by-one step or a wrong formula is off by 1e-3 or more.
     */
    private static final double RTOL = 1e-9;

    /** Makes the scheduler of one golden file and returns what steps it after step k. */
    private static final Map<String, BiFunction<Optimizer, Golden, IntConsumer>> CASES = Map.of(
            "step", (o, g) -> stepper(new StepLR(o, 7, 0.5)),
            "multistep", (o, g) -> stepper(new MultiStepLR(o, new int[] {5, 12, 20}, 0.3)),
            "exponential", (o, g) -> stepper(new ExponentialLR(o, 0.9)),
            "cosine", (o, g) -> stepper(new CosineAnnealingLR(o, 30, 0.01)),
            "warmup_cosine", (o, g) -> stepper(new WarmupCosineLR(o, 0.1, 5, 30, 0.0)),
            "onecycle", (o, g) -> stepper(new OneCycleLR(o, 0.5, 30)),
            "plateau", (o, g) -> {
                var plateau = new ReduceLROnPlateau(o, ReduceLROnPlateau.options().factor(0.5).patience(2).threshold(1e-4));
                return k -> plateau.step(g.value("metric." + k));
            });

    private static IntConsumer stepper(LrScheduler scheduler) {
        return k -> scheduler.step();
    }

    static Stream<String> cases() {
        return CASES.keySet().stream().sorted();
    }

    @Test
    void everyScheduleGoldenHasACase() throws Exception {
        Path folder = Path.of(ScheduleGoldenTest.class.getResource("/golden/schedules").toURI());
        try (Stream<Path> files = Files.list(folder)) {
            var names = files.map(f -> f.getFileName().toString().replace(".txt", "")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(names, new TreeSet<>(CASES.keySet()));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorchValueByValue(String name) {
        Golden golden = Golden.load("/golden/schedules/" + name + ".txt");
        Parameter p = new Parameter(Tensor.zeros(1));
        try (Optimizer optimizer = new SGD(List.of(p), SGD.options().lr(0.1).momentum(0.9))) {
            IntConsumer step = CASES.get(name).apply(optimizer, golden);
            for (int k = 0; k < 30; k++) {
                assertRelative(golden.value("lr." + k), optimizer.lr(), name + " lr." + k);
                if (golden.has("momentum." + k)) {
                    assertRelative(golden.value("momentum." + k), optimizer.group(0).momentum(), name + " momentum." + k);
                }
                optimizer.step();     // no gradient: a no-op, as in the script
                if (k < 29) {
                    step.accept(k);
                }
            }
        } finally {
            p.value().close();
        }
    }

    private static void assertRelative(double want, double got, String what) {
        assertEquals(want, got, RTOL * Math.abs(want), what);
    }
}

package kiln.autograd;

import java.util.function.Function;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/**
 * One row of a gradient-check table: the op's name (which names the test), how to make its float64
 * inputs from a seeded generator, and the function whose backward() is checked against central
 * differences by {@link GradCheck}.
 */
record GradCase(String name, Function<Generator, Tensor[]> inputs, Function<Tensor[], Tensor> f) {
    private static final long SEED = 2024;

    /** Inputs made of one tensor. */
    static GradCase unary(String name, Function<Generator, Tensor> input, Function<Tensor, Tensor> f) {
        return new GradCase(name, rng -> new Tensor[] {input.apply(rng)}, in -> f.apply(in[0]));
    }

    /** Runs the check; an exception on the way is reported with the case's name (surefire lists cases by index). */
    void check() {
        try (MemoryScope scope = MemoryScope.open()) {
            GradCheck.check(name, f, inputs.apply(new Generator(SEED)));
        } catch (RuntimeException e) {
            throw new AssertionError(name + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

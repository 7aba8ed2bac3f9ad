package kiln.autograd;

import static kiln.autograd.GradCase.unary;
import static kiln.autograd.Leaves.distinct;
import static kiln.autograd.Leaves.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/** Gradients of the reductions over every kind of axis choice, keeping the reduced axes or not. */
class ReductionGradTest {

    /** A reduction over {@code axes} (null: all of them). */
    @FunctionalInterface
    private interface Reduction {
        Tensor apply(Tensor x, int[] axes, boolean keepDim);
    }

    private record Op(String name, Function<Generator, Tensor> input, Reduction reduction) {}

    /** All axes, one axis (counted from either end), and two axes that are not neighbours. */
    private static final int[][] AXES = {null, {1}, {-1}, {0, 2}};

    static Stream<GradCase> cases() {
        // The input is [3, 4, 2]: every axis choice reduces at least 2 elements, so that correction 1
        // (dividing by n - 1) stays finite. max and min get distinct values: the winner is unique.
        Function<Generator, Tensor> normal = rng -> randn(rng, 3, 4, 2);
        Function<Generator, Tensor> noTies = rng -> distinct(rng, 3, 4, 2);
        Stream<Op> ops = Stream.of(
                new Op("sum", normal, Tensor::sum),
                new Op("mean", normal, Tensor::mean),
                new Op("max (no ties)", noTies, Tensor::max),
                new Op("min (no ties)", noTies, Tensor::min),
                new Op("var correction 0", normal, (x, axes, keep) -> x.var(axes, keep, 0)),
                new Op("var correction 1", normal, (x, axes, keep) -> x.var(axes, keep, 1)),
                new Op("std correction 0", normal, (x, axes, keep) -> x.std(axes, keep, 0)),
                new Op("std correction 1", normal, (x, axes, keep) -> x.std(axes, keep, 1)),
                new Op("logsumexp", normal, Tensor::logsumexp));
        return ops.flatMap(op -> Stream.of(AXES).flatMap(axes -> Stream.of(false, true).map(keep -> unary(
                op.name() + " over " + (axes == null ? "all axes" : "axes " + Arrays.toString(axes)) + (keep ? ", keepDim" : ""),
                op.input(), x -> op.reduction().apply(x, axes, keep)))));
    }

    static Stream<GradCase> shorthandCases() {
        return Stream.of(
                unary("sum()", rng -> randn(rng, 3, 4), Tensor::sum),
                unary("mean()", rng -> randn(rng, 3, 4), Tensor::mean),
                unary("max() (no ties)", rng -> distinct(rng, 3, 4), Tensor::max),
                unary("min() (no ties)", rng -> distinct(rng, 3, 4), Tensor::min),
                unary("var() (unbiased)", rng -> randn(rng, 3, 4), Tensor::var),
                unary("std() (unbiased)", rng -> randn(rng, 3, 4), Tensor::std),
                unary("sum(axis, keepDim)", rng -> randn(rng, 3, 4), x -> x.sum(0, true)),
                unary("mean(axis, keepDim)", rng -> randn(rng, 3, 4), x -> x.mean(1, false)),
                unary("max(axis) (no ties)", rng -> distinct(rng, 3, 4), x -> x.max(1, false)),
                unary("min(axis) (no ties)", rng -> distinct(rng, 3, 4), x -> x.min(0, true)),
                unary("var(axis)", rng -> randn(rng, 3, 4), x -> x.var(1, true)),
                unary("std(axis)", rng -> randn(rng, 3, 4), x -> x.std(0, false)),
                unary("logsumexp(axis)", rng -> randn(rng, 3, 4), x -> x.logsumexp(-1, false)),
                unary("sum over a size-1 axis", rng -> randn(rng, 3, 1, 2), x -> x.sum(1, false)),
                unary("max over a size-1 axis", rng -> randn(rng, 3, 1, 2), x -> x.max(1, true)),
                unary("mean of a transposed view", rng -> randn(rng, 3, 4), x -> x.t().mean(1, false)),
                unary("std of a strided window", rng -> randn(rng, 6, 4), x -> x.slice(0, 0, 6, 2).std(0, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"cases", "shorthandCases"})
    void gradientMatchesFiniteDifferences(GradCase c) {
        c.check();
    }

    /**
     * Where max is not differentiable, at a tie, the tied elements share the gradient equally (as
     * torch.amax, and torch.max without an axis; torch.max(axis) gives it all to one of them).
     */
    @Test
    void tiedMaximaShareTheGradient() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new double[] {1, 5, 5, 4, 2, 2}, 2, 3).requiresGrad(true);
            x.max().add(x.min(1, false).sum()).backward();
            assertArrayEquals(new double[] {1, 0.5, 0.5, 0, 0.5, 0.5}, x.grad().toDoubleArray(), 0,
                    "max: 5 twice; row minima: 1 once, 2 twice");
        }
    }
}

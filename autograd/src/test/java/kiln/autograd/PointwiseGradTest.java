package kiln.autograd;

import static kiln.autograd.GradCase.unary;
import static kiln.autograd.Leaves.awayFrom;
import static kiln.autograd.Leaves.constant;
import static kiln.autograd.Leaves.interleaved;
import static kiln.autograd.Leaves.positive;
import static kiln.autograd.Leaves.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/** Gradients of the elementwise ops, with and without broadcasting. */
class PointwiseGradTest {
    private static final double[] ZERO = {0};

    static Stream<GradCase> unaryCases() {
        return Stream.of(
                unary("neg", rng -> randn(rng, 3, 4), Tensor::neg),
                unary("abs (inputs away from the kink at 0)", rng -> awayFrom(rng, ZERO, 3, 4), Tensor::abs),
                unary("exp", rng -> randn(rng, 3, 4), Tensor::exp),
                unary("log", rng -> positive(rng, 3, 4), Tensor::log),
                unary("sqrt", rng -> positive(rng, 3, 4), Tensor::sqrt),
                unary("rsqrt", rng -> positive(rng, 3, 4), Tensor::rsqrt),
                unary("tanh", rng -> randn(rng, 3, 4), Tensor::tanh),
                unary("sigmoid", rng -> randn(rng, 3, 4), Tensor::sigmoid),
                unary("relu (inputs away from the kink at 0)", rng -> awayFrom(rng, ZERO, 3, 4), Tensor::relu),
                unary("gelu", rng -> randn(rng, 3, 4), Tensor::gelu),
                // -6..6 by 0.5: both branches of erfc (|x|/√2 below and above 2.5) and x = 0 exactly,
                // where the gradient rule takes Φ(0) = 1/2 instead of gelu(x)/x.
                unary("gelu over [-6, 6] including 0", rng -> Tensor.linspace(-6, 6, 25, DType.FLOAT64).requiresGrad(true), Tensor::gelu),
                unary("sin", rng -> randn(rng, 3, 4), Tensor::sin),
                unary("cos", rng -> randn(rng, 3, 4), Tensor::cos),
                unary("pow(0)", rng -> randn(rng, 3, 4), x -> x.pow(0)),
                unary("pow(1)", rng -> randn(rng, 3, 4), x -> x.pow(1)),
                unary("pow(2)", rng -> randn(rng, 3, 4), x -> x.pow(2)),
                unary("pow(3) of negative and positive bases", rng -> randn(rng, 3, 4), x -> x.pow(3)),
                unary("pow(0.5)", rng -> positive(rng, 3, 4), x -> x.pow(0.5)),
                unary("pow(-1.5)", rng -> positive(rng, 3, 4), x -> x.pow(-1.5)),
                unary("clamp (inputs away from the bounds)", rng -> awayFrom(rng, new double[] {-0.5, 0.7}, 4, 5), x -> x.clamp(-0.5, 0.7)));
    }

    /**
     * Operand shapes for each binary op: equal, broadcast both ways (size-1 axes and missing leading
     * axes on either side), against a rank-0 scalar, and {@link #RANDOM_PAIRS} random pairs.
     */
    private static final int[][][] SHAPE_PAIRS = {
            {{3, 4}, {3, 4}},
            {{4, 1, 3}, {2, 3}},
            {{3}, {2, 1, 3}},
            {{2, 3}, {}},
    };
    private static final int RANDOM_PAIRS = 4;

    /** Fixed and random shape pairs; the random ones are drawn from a fixed seed, so the test names are stable. */
    private static Stream<int[][]> shapePairs() {
        Generator rng = new Generator(99);
        Stream<int[][]> random = Stream.generate(() -> {
            int[] full = new int[1 + (int) rng.nextLong(3)];
            for (int i = 0; i < full.length; i++) {
                full[i] = 1 + (int) rng.nextLong(3);
            }
            return new int[][] {broadcastsTo(rng, full), broadcastsTo(rng, full)};
        }).limit(RANDOM_PAIRS);
        return Stream.concat(Stream.of(SHAPE_PAIRS), random.toList().stream());
    }

    /** A shape that broadcasts to {@code full}: some leading axes may be missing, some sizes 1. */
    private static int[] broadcastsTo(Generator rng, int[] full) {
        int rank = full.length - (int) rng.nextLong(full.length + 1);
        int[] dims = Arrays.copyOfRange(full, full.length - rank, full.length);
        for (int i = 0; i < rank; i++) {
            if (rng.nextLong(3) == 0) {
                dims[i] = 1;
            }
        }
        return dims;
    }

    private record Binary(String name, BiFunction<Generator, int[], Tensor> left, BiFunction<Generator, int[], Tensor> right,
                          Function<Tensor[], Tensor> f) {}

    static Stream<GradCase> binaryCases() {
        BiFunction<Generator, int[], Tensor> normal = Leaves::randn;
        BiFunction<Generator, int[], Tensor> nonzero = (rng, dims) -> awayFrom(rng, ZERO, dims);
        BiFunction<Generator, int[], Tensor> positive = Leaves::positive;
        // maximum/minimum: odd against even multiples of 0.1, so the operands never tie.
        BiFunction<Generator, int[], Tensor> odd = (rng, dims) -> interleaved(rng, true, dims);
        BiFunction<Generator, int[], Tensor> even = (rng, dims) -> interleaved(rng, false, dims);
        Stream<Binary> ops = Stream.of(
                new Binary("add", normal, normal, in -> in[0].add(in[1])),
                new Binary("sub", normal, normal, in -> in[0].sub(in[1])),
                new Binary("mul", normal, normal, in -> in[0].mul(in[1])),
                new Binary("div (divisor away from 0)", normal, nonzero, in -> in[0].div(in[1])),
                new Binary("pow (positive base)", positive, normal, in -> in[0].pow(in[1])),
                new Binary("maximum (no ties)", odd, even, in -> in[0].maximum(in[1])),
                new Binary("minimum (no ties)", even, odd, in -> in[0].minimum(in[1])));
        List<int[][]> pairs = shapePairs().toList();
        return ops.flatMap(op -> pairs.stream().map(pair -> new GradCase(
                op.name() + " " + Arrays.toString(pair[0]) + " with " + Arrays.toString(pair[1]),
                rng -> new Tensor[] {op.left().apply(rng, pair[0]), op.right().apply(rng, pair[1])},
                op.f())));
    }

    static Stream<GradCase> scalarAndMixedCases() {
        return Stream.of(
                unary("add(double)", rng -> randn(rng, 3, 4), x -> x.add(2.5)),
                unary("sub(double)", rng -> randn(rng, 3, 4), x -> x.sub(1.5)),
                unary("mul(double)", rng -> randn(rng, 3, 4), x -> x.mul(-3)),
                unary("div(double)", rng -> randn(rng, 3, 4), x -> x.div(0.7)),
                new GradCase("mul with an operand that needs no gradient",
                        rng -> new Tensor[] {randn(rng, 3, 4), constant(rng, 4)}, in -> in[0].mul(in[1])),
                new GradCase("pow with a constant base (gradient of the exponent only)",
                        rng -> new Tensor[] {positive(rng, 3, 1).requiresGrad(false), randn(rng, 4)}, in -> in[0].pow(in[1])),
                new GradCase("where with a broadcast condition",
                        rng -> new Tensor[] {randn(rng, 3, 4), randn(rng, 4)},
                        in -> Tensor.where(Tensor.fromArray(new boolean[] {true, false, true}, 3, 1), in[0], in[1])),
                new GradCase("where with a condition wider than both operands",
                        rng -> new Tensor[] {randn(rng, 1, 4), randn(rng, 3, 1)},
                        in -> Tensor.where(Tensor.fromArray(new boolean[] {true, false, false, true, true, false}, 2, 1, 3, 1)
                                .expand(2, 3, 3, 4), in[0], in[1])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"unaryCases", "binaryCases", "scalarAndMixedCases"})
    void gradientMatchesFiniteDifferences(GradCase c) {
        c.check();
    }

    /** The gradient of {@code f(x).sum()} at x. */
    private static double[] gradientAt(double[] x, Function<Tensor, Tensor> f) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor leaf = Tensor.fromArray(x, x.length).requiresGrad(true);
            f.apply(leaf).sum().backward();
            return leaf.grad().toDoubleArray();
        }
    }

    /**
     * Where an op has no derivative, backward() picks the value PyTorch 1.13 picks (asked of torch
     * directly): |x| and relu have slope 0 at 0; clamp passes the gradient at its bounds; tied
     * operands of maximum share it equally; and d aᵇ/db is 0 at a = 0.
     */
    @Test
    void atKinksTheGradientIsPyTorchs() {
        double[] x = {-1, 0, 2};
        assertArrayEquals(new double[] {-1, 0, 1}, gradientAt(x, Tensor::abs), 0);
        assertArrayEquals(new double[] {0, 0, 1}, gradientAt(x, Tensor::relu), 0);
        assertArrayEquals(new double[] {0, 1, 1}, gradientAt(x, t -> t.clamp(0, 2)), 0);
        assertArrayEquals(new double[] {0, 0, 0}, gradientAt(x, t -> t.pow(0)), 0);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor a = Tensor.fromArray(new double[] {1, 2}, 2).requiresGrad(true);
            Tensor b = Tensor.fromArray(new double[] {1, 3}, 2).requiresGrad(true);
            a.maximum(b).sum().backward();
            assertArrayEquals(new double[] {0.5, 0}, a.grad().toDoubleArray(), 0);
            assertArrayEquals(new double[] {0.5, 1}, b.grad().toDoubleArray(), 0);

            Tensor base = Tensor.fromArray(new double[] {0, 2}, 2).requiresGrad(true);
            Tensor exponent = Tensor.fromArray(new double[] {0.5, 3}, 2).requiresGrad(true);
            base.pow(exponent).sum().backward();
            assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 12}, base.grad().toDoubleArray(), 0);
            assertArrayEquals(new double[] {0, 8 * Math.log(2)}, exponent.grad().toDoubleArray(), 1e-15);
        }
    }
}

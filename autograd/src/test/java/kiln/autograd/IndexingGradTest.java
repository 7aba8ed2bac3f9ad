package kiln.autograd;

import static kiln.autograd.GradCase.unary;
import static kiln.autograd.Leaves.constant;
import static kiln.autograd.Leaves.index;
import static kiln.autograd.Leaves.randn;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.Tensor;

/** Gradients of reading and writing by index, and of joining and splitting. */
class IndexingGradTest {

    static Stream<GradCase> indexingCases() {
        return Stream.of(
                // Row 1 is read twice and row 2 never: its gradient is 0, row 1's the sum of both reads.
                unary("gather axis 0 with repeated indices", rng -> randn(rng, 3, 4),
                        x -> x.gather(0, index(new long[] {1, 0, 1, 1, 1, 1, 0, 0}, 2, 4))),
                unary("gather axis 1, index smaller than the input", rng -> randn(rng, 3, 4),
                        x -> x.gather(1, index(new long[] {3, 3, 0, 2}, 2, 2))),
                new GradCase("scatterAdd (both inputs) with colliding indices",
                        rng -> new Tensor[] {randn(rng, 3, 4), randn(rng, 2, 4)},
                        in -> in[0].scatterAdd(0, index(new long[] {2, 0, 2, 2, 2, 0, 2, 1}, 2, 4), in[1])),
                new GradCase("scatterAdd (both inputs) along axis 1",
                        rng -> new Tensor[] {randn(rng, 2, 3), randn(rng, 2, 4)},
                        in -> in[0].scatterAdd(1, index(new long[] {0, 0, 2, 1, 1, 2, 2, 2}, 2, 4), in[1])),
                // The index may be smaller than src: the elements of src it does not reach are unused.
                new GradCase("scatterAdd with an index smaller than src",
                        rng -> new Tensor[] {randn(rng, 3, 4), randn(rng, 3, 5)},
                        in -> in[0].scatterAdd(1, index(new long[] {3, 0, 3, 1}, 2, 2), in[1])),
                new GradCase("scatterAdd of src only (the target needs no gradient)",
                        rng -> new Tensor[] {constant(rng, 4), randn(rng, 6)},
                        in -> in[0].scatterAdd(0, index(new long[] {3, 3, 0, 1, 3, 0}, 6), in[1])),
                unary("indexSelect axis 0 with repeated indices", rng -> randn(rng, 4, 3),
                        x -> x.indexSelect(0, index(new long[] {2, 0, 2, 2, 3}, 5))),
                unary("indexSelect axis 1 with repeated indices", rng -> randn(rng, 2, 3, 2),
                        x -> x.indexSelect(1, index(new long[] {1, 1, 0, 1}, 4))),
                unary("indexSelect with an int32 index", rng -> randn(rng, 4, 3),
                        x -> x.indexSelect(0, Tensor.fromArray(new int[] {3, 1, 3}, 3))));
    }

    static Stream<GradCase> joiningCases() {
        return Stream.of(
                new GradCase("cat axis 0 of 3 inputs, the middle one needing no gradient",
                        rng -> new Tensor[] {randn(rng, 2, 3), constant(rng, 1, 3), randn(rng, 3, 3)},
                        in -> Tensor.cat(0, in)),
                new GradCase("cat axis -1 of 3 inputs, the first one needing no gradient",
                        rng -> new Tensor[] {constant(rng, 2, 2), randn(rng, 2, 1), randn(rng, 2, 3)},
                        in -> Tensor.cat(-1, in)),
                new GradCase("cat of one tensor with itself", rng -> new Tensor[] {randn(rng, 2, 3)},
                        in -> Tensor.cat(1, in[0], in[0].mul(2), in[0])),
                new GradCase("stack axis 0", rng -> new Tensor[] {randn(rng, 2, 3), randn(rng, 2, 3), constant(rng, 2, 3)},
                        in -> Tensor.stack(0, in)),
                new GradCase("stack axis 1", rng -> new Tensor[] {randn(rng, 2, 3), randn(rng, 2, 3)},
                        in -> Tensor.stack(1, in)),
                new GradCase("stack axis -1", rng -> new Tensor[] {randn(rng, 2, 3), randn(rng, 2, 3)},
                        in -> Tensor.stack(-1, in)),
                // Splitting: every part is used, each in its own way, so that a part sent back to the
                // wrong place shows.
                unary("split into parts of 2 (the last one smaller)", rng -> randn(rng, 3, 5),
                        x -> recombine(x.split(2, 1), 1)),
                unary("chunk into 3", rng -> randn(rng, 7, 2),
                        x -> recombine(x.chunk(3, 0), 0)));
    }

    /** The parts in reverse order, the k-th multiplied by its square and by k + 1, joined again. */
    private static Tensor recombine(List<Tensor> parts, int axis) {
        Tensor[] used = new Tensor[parts.size()];
        for (int k = 0; k < parts.size(); k++) {
            Tensor part = parts.get(k);
            used[parts.size() - 1 - k] = part.mul(part).mul(k + 1);
        }
        return Tensor.cat(axis, used);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"indexingCases", "joiningCases"})
    void gradientMatchesFiniteDifferences(GradCase c) {
        c.check();
    }
}

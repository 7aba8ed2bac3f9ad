package kiln.autograd;

import static kiln.autograd.GradCase.unary;
import static kiln.autograd.Leaves.randn;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.Tensor;

/** Gradients of matmul in every rank combination, of linear and linearRelu, and of softmax and logSoftmax along each axis. */
class LinearAlgebraGradTest {

    private static GradCase matmul(String name, int[] left, int[] right) {
        return new GradCase("matmul " + name, rng -> new Tensor[] {randn(rng, left), randn(rng, right)}, in -> in[0].matmul(in[1]));
    }

    static Stream<GradCase> matmulCases() {
        return Stream.of(
                matmul("1-D·1-D (dot product)", new int[] {4}, new int[] {4}),
                matmul("1-D·2-D", new int[] {4}, new int[] {4, 3}),
                matmul("2-D·1-D", new int[] {3, 4}, new int[] {4}),
                matmul("2-D·2-D", new int[] {3, 4}, new int[] {4, 2}),
                matmul("1-D·3-D", new int[] {4}, new int[] {2, 4, 3}),
                matmul("3-D·1-D", new int[] {2, 3, 4}, new int[] {4}),
                matmul("batched 3-D·2-D (shared right matrix)", new int[] {2, 3, 4}, new int[] {4, 2}),
                matmul("2-D·batched 3-D (shared left matrix)", new int[] {3, 4}, new int[] {2, 4, 2}),
                matmul("3-D·3-D", new int[] {2, 3, 4}, new int[] {2, 4, 2}),
                matmul("broadcast batch 4-D·3-D", new int[] {2, 1, 3, 4}, new int[] {3, 4, 2}),
                // 400 elements each: above GradCheck.MAX_ELEMENTWISE, so checked along random directions.
                matmul("of 20×20 matrices (random directions)", new int[] {20, 20}, new int[] {20, 20}),
                new GradCase("matmul of transposed views", rng -> new Tensor[] {randn(rng, 4, 3), randn(rng, 2, 4)},
                        in -> in[0].t().matmul(in[1].t())),
                new GradCase("linear", rng -> new Tensor[] {randn(rng, 3, 5), randn(rng, 4, 5), randn(rng, 4)},
                        in -> in[0].linear(in[1], in[2])),
                new GradCase("linearRelu (a fused linear layer and ReLU)", rng -> new Tensor[] {randn(rng, 2, 3, 5), randn(rng, 4, 5), randn(rng, 4)},
                        in -> in[0].linearRelu(in[1], in[2])));
    }

    static Stream<GradCase> softmaxCases() {
        return Stream.of(
                unary("softmax axis 0", rng -> randn(rng, 3, 4, 2), x -> x.softmax(0)),
                unary("softmax axis 1", rng -> randn(rng, 3, 4, 2), x -> x.softmax(1)),
                unary("softmax axis -1", rng -> randn(rng, 3, 4, 2), x -> x.softmax(-1)),
                unary("softmax over a size-1 axis", rng -> randn(rng, 3, 1), x -> x.softmax(1)),
                unary("logSoftmax axis 0", rng -> randn(rng, 3, 4, 2), x -> x.logSoftmax(0)),
                unary("logSoftmax axis 1", rng -> randn(rng, 3, 4, 2), x -> x.logSoftmax(1)),
                unary("logSoftmax axis -1", rng -> randn(rng, 3, 4, 2), x -> x.logSoftmax(-1)),
                unary("softmax of a 1-D tensor", rng -> randn(rng, 5), x -> x.softmax(0)),
                unary("logSoftmax of a rank-0 tensor", rng -> randn(rng), x -> x.logSoftmax(0)),
                unary("softmax of a rank-0 tensor", rng -> randn(rng), x -> x.softmax(-1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"matmulCases", "softmaxCases"})
    void gradientMatchesFiniteDifferences(GradCase c) {
        c.check();
    }
}

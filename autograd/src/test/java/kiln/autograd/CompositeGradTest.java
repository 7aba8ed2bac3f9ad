package kiln.autograd;

import static kiln.autograd.Leaves.constant;
import static kiln.autograd.Leaves.index;
import static kiln.autograd.Leaves.randn;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.Tensor;

/**
 * Gradients through chains of ops, where the graph branches and joins: each op's rule must hand on a
 * gradient that the next rule accepts (shapes, strides, broadcasting), and shared tensors must
 * collect the sum of their uses.
 */
class CompositeGradTest {

    /** Labels of the 5 examples of the MLP case, classes in [0, 3). */
    private static final long[] LABELS = {2, 0, 1, 1, 2};

    static Stream<GradCase> cases() {
        return Stream.of(
                // Two layers with a tanh and a gelu, then the cross-entropy of the labels:
                // −mean(logSoftmax(logits)[i, label_i]).
                new GradCase("MLP with cross-entropy",
                        rng -> new Tensor[] {constant(rng, 5, 4), randn(rng, 4, 6), randn(rng, 6), randn(rng, 6, 3), randn(rng, 3)},
                        in -> {
                            Tensor hidden = in[0].matmul(in[1]).add(in[2]).tanh().gelu();
                            Tensor logits = hidden.matmul(in[3]).add(in[4]);
                            Tensor picked = logits.logSoftmax(1).gather(1, index(LABELS, 5, 1));
                            return picked.mean().neg();
                        }),
                // softmax(Q·Kᵀ/√d)·V with a batch of 2, 4 queries, 5 keys, d = 3.
                new GradCase("attention softmax(QKᵀ/√d)V",
                        rng -> new Tensor[] {randn(rng, 2, 4, 3), randn(rng, 2, 5, 3), randn(rng, 2, 5, 3)},
                        in -> {
                            Tensor scores = in[0].matmul(in[1].transpose(-1, -2)).div(Math.sqrt(3));
                            return scores.softmax(-1).matmul(in[2]);
                        }),
                // (x − mean)/√(var + ε)·γ + β over the last axis: x reaches the result three ways.
                new GradCase("layer norm",
                        rng -> new Tensor[] {randn(rng, 3, 5), randn(rng, 5), randn(rng, 5)},
                        in -> {
                            Tensor x = in[0];
                            Tensor normalized = x.sub(x.mean(-1, true)).div(x.var(new int[] {-1}, true, 0).add(1e-5).sqrt());
                            return normalized.mul(in[1]).add(in[2]);
                        }),
                // x + σ(x·W)·Wᵀ + Σⱼ (x·W)ⱼ²: x and W each reach the result by several paths.
                new GradCase("residual block with a shared weight",
                        rng -> new Tensor[] {randn(rng, 4, 3), randn(rng, 3, 3)},
                        in -> in[0].add(in[0].matmul(in[1]).sigmoid().matmul(in[1].t()))
                                .add(in[0].matmul(in[1]).pow(2).sum(1, true))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(GradCase c) {
        c.check();
    }
}

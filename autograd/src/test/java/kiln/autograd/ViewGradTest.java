package kiln.autograd;

import static kiln.autograd.GradCase.unary;
import static kiln.autograd.Leaves.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Shape;
import kiln.engine.Tensor;

/** Gradients of the views and copies: each one moves the gradient back to where the element came from. */
class ViewGradTest {

    static Stream<GradCase> cases() {
        return Stream.of(
                unary("reshape", rng -> randn(rng, 2, 3, 4), x -> x.reshape(4, -1)),
                unary("reshape of a transposed view (copies)", rng -> randn(rng, 2, 3, 4), x -> x.transpose(0, 2).reshape(6, 4)),
                unary("view", rng -> randn(rng, 2, 3, 4), x -> x.view(6, 1, 4)),
                unary("flatten", rng -> randn(rng, 2, 3, 1, 2), Tensor::flatten),
                unary("permute", rng -> randn(rng, 2, 3, 4), x -> x.permute(2, 0, 1)),
                unary("permute with negative axes", rng -> randn(rng, 2, 3, 4), x -> x.permute(-2, -1, 0)),
                unary("transpose", rng -> randn(rng, 2, 3, 4), x -> x.transpose(0, 2)),
                unary("t", rng -> randn(rng, 3, 5), Tensor::t),
                unary("narrow", rng -> randn(rng, 4, 5), x -> x.narrow(1, 1, 3)),
                unary("slice with step", rng -> randn(rng, 7, 3), x -> x.slice(0, 1, 7, 2)),
                unary("slice with negative bounds and step 3", rng -> randn(rng, 3, 8), x -> x.slice(1, -7, -1, 3)),
                unary("select", rng -> randn(rng, 3, 4, 2), x -> x.select(1, 2)),
                unary("select with negative index", rng -> randn(rng, 3, 4, 2), x -> x.select(-1, -1)),
                unary("expand (new leading axis and a size-1 axis)", rng -> randn(rng, 3, 1), x -> x.expand(2, 3, 4)),
                unary("expand keeping sizes with -1", rng -> randn(rng, 1, 3), x -> x.expand(4, -1)),
                unary("broadcastTo", rng -> randn(rng, 1, 4), x -> x.broadcastTo(Shape.of(3, 2, 4))),
                unary("squeeze (all size-1 axes)", rng -> randn(rng, 1, 3, 1, 2), Tensor::squeeze),
                unary("squeeze(axis)", rng -> randn(rng, 3, 1, 2), x -> x.squeeze(1)),
                unary("unsqueeze", rng -> randn(rng, 3, 2), x -> x.unsqueeze(0)),
                unary("unsqueeze at the end", rng -> randn(rng, 3, 2), x -> x.unsqueeze(-1)),
                unary("contiguous of a contiguous tensor (a view)", rng -> randn(rng, 3, 4), Tensor::contiguous),
                unary("contiguous of a transposed view (a copy)", rng -> randn(rng, 3, 4), x -> x.t().contiguous()),
                unary("copy", rng -> randn(rng, 3, 4), Tensor::copy),
                unary("to(float64) of float64", rng -> randn(rng, 3, 4), x -> x.to(DType.FLOAT64)),
                // Views of views, with an expanded (stride-0) axis and a strided window in the middle.
                unary("chain of views", rng -> randn(rng, 4, 5, 6),
                        x -> x.transpose(0, 2).slice(1, 0, 5, 2).select(0, 1).unsqueeze(0).expand(3, -1, -1).narrow(2, 1, 2)),
                unary("window of an expanded tensor", rng -> randn(rng, 1, 4), x -> x.expand(3, 4).narrow(0, 1, 2).mul(x)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(GradCase c) {
        c.check();
    }

    // A dtype conversion cannot go through GradCheck, whose inputs are float64: x ± 1e-6 rounded to
    // float32 loses the step. The gradient of to() is the incoming gradient converted back to the
    // input's dtype, which these tests check exactly on values both dtypes represent.

    @Test
    void float32ToFloat64SendsTheGradientBackAsFloat32() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1.5f, -2f, 0.25f}, 3).requiresGrad(true);
            Tensor weights = Tensor.fromArray(new double[] {3, -0.5, 8}, 3);
            x.to(DType.FLOAT64).mul(weights).sum().backward();
            assertEquals(DType.FLOAT32, x.grad().dtype());
            assertArrayEquals(new float[] {3f, -0.5f, 8f}, x.grad().toFloatArray(), 0f);
        }
    }

    @Test
    void float64ToFloat32SendsTheGradientBackAsFloat64() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new double[] {1.5, -2, 0.25}, 3).requiresGrad(true);
            Tensor weights = Tensor.fromArray(new float[] {3, -0.5f, 8}, 3);
            x.to(DType.FLOAT32).mul(weights).mul(x.to(DType.FLOAT32)).sum().backward();   // d(w·x²) = 2wx
            assertEquals(DType.FLOAT64, x.grad().dtype());
            assertArrayEquals(new double[] {9, 2, 4}, x.grad().toDoubleArray(), 0);
        }
    }

    @Test
    void float32ToFloat64ChainMatchesItsFloat64Twin() {
        // The same smooth function on a float32 leaf (through to(float64)) and on a float64 leaf
        // holding the same values: the gradients agree to float32 rounding of the returned gradient.
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor values = Tensor.randn(new Generator(3), 2, 3);
            Tensor x32 = values.copy().requiresGrad(true);
            Tensor x64 = values.to(DType.FLOAT64).requiresGrad(true);
            Tensor wide = x32.to(DType.FLOAT64);
            wide.tanh().mul(wide).sum().backward();
            x64.tanh().mul(x64).sum().backward();
            float[] expected = x64.grad().to(DType.FLOAT32).toFloatArray();
            assertArrayEquals(expected, x32.grad().toFloatArray(), 0f, "both are the float64 gradient rounded once to float32");
        }
    }
}

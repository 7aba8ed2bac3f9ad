package kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

class SmokeTest {
    @Test
    void chainOfOps() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor y = x.mul(x).sum();
            y.backward();
            assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray(), 0);
        }
    }

    @Test
    void gradcheckSome() {
        Generator rng = new Generator(1);
        Tensor a = Tensor.randn(rng, DType.FLOAT64, 3, 4).requiresGrad(true);
        Tensor b = Tensor.randn(rng, DType.FLOAT64, 4, 2).requiresGrad(true);
        Tensor c = Tensor.randn(rng, DType.FLOAT64, 2).requiresGrad(true);
        GradCheck.check("mlp", in -> in[0].matmul(in[1]).add(in[2]).tanh().softmax(1).log().mean(0, false), a, b, c);
        GradCheck.check("matvec", in -> in[0].matmul(in[1].select(1, 0)).exp(), a, b);
        GradCheck.check("gelu-var", in -> in[0].gelu().var(new int[] {0}, true, 1).sqrt(), a);
    }
}

package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

class LayerNormTest {
    /** float32 against PyTorch's float32, the same formulas summed in a different order (relative, plus absolute near 0). */
    private static final double TOLERANCE = 1e-6;

    @Test
    void matchesPyTorch() {
        try (LayerNorm ln = new LayerNorm(6)) {
            LayerGolden.check("layernorm.txt", ln, TOLERANCE);
        }
    }

    @Test
    void startsAsPlainStandardisation() {
        try (MemoryScope scope = MemoryScope.open(); LayerNorm ln = new LayerNorm(5)) {
            assertArrayEquals(new float[] {1, 1, 1, 1, 1}, ln.weight().value().toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0, 0, 0}, ln.bias().value().toFloatArray());
            Tensor y = ln.forward(Tensor.randn(new Generator(3), 4, 5).mul(3).add(2));
            // each row: mean 0 and biased variance 1/(1 + eps/var), i.e. 1 to float32 precision
            LayerGolden.assertClose("row means", Tensor.zeros(4), y.mean(1, false), 1e-6);
            LayerGolden.assertClose("row variances", Tensor.ones(4), y.var(new int[] {1}, false, 0), 1e-5);
        }
    }

    @Test
    void gradientsOverTwoAxesPassGradCheck() {
        try (MemoryScope scope = MemoryScope.open(); LayerNorm ln = new LayerNorm(new int[] {2, 3}, 1e-5, true)) {
            ln.to(DType.FLOAT64);
            Generator rng = new Generator(5);
            LayerGradCheck.randomize(ln, rng);
            Tensor x = Tensor.randn(rng, DType.FLOAT64, 4, 2, 3).requiresGrad(true);
            LayerGradCheck.check("LayerNorm([2, 3])", ln, ln::forward, x);
        }
    }

    @Test
    void withoutAffineHasNoParameters() {
        try (MemoryScope scope = MemoryScope.open(); LayerNorm ln = new LayerNorm(new int[] {3}, 1e-5, false)) {
            assertTrue(ln.stateDict().isEmpty());
            Tensor y = ln.forward(Tensor.fromArray(new float[] {1, 2, 3}, 1, 3));
            double s = Math.sqrt(2.0 / 3 + 1e-5);   // biased variance of 1, 2, 3 is 2/3
            LayerGolden.assertClose("normalised", Tensor.fromArray(new double[] {-1 / s, 0, 1 / s}, 1, 3), y, 1e-6);
        }
    }

    @Test
    void refusesBadShapesAndArguments() {
        try (MemoryScope scope = MemoryScope.open(); LayerNorm ln = new LayerNorm(6)) {
            var e = assertThrows(IllegalArgumentException.class, () -> ln.forward(Tensor.zeros(2, 5)));
            assertTrue(e.getMessage().contains("LayerNorm([6]") && e.getMessage().contains("[2, 5]"), e.getMessage());
        }
        var size = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(0));
        assertTrue(size.getMessage().contains("[0]"), size.getMessage());
        var eps = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(new int[] {4}, -1e-5, true));
        assertEquals("LayerNorm: eps must be > 0, got -1.0E-5", eps.getMessage());
    }
}

package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

class DropoutTest {
    private static final int N = 100_000;

    @Test
    void evaluationIsTheIdentityAsInPyTorch() {
        try (MemoryScope scope = MemoryScope.open(); Dropout dropout = new Dropout(0.5, new Generator(1))) {
            dropout.eval();
            LayerGolden.check("dropout_eval.txt", dropout, 0);      // exact: nothing is computed
            Tensor x = Tensor.randn(new Generator(2), 3, 4);
            assertSame(x, dropout.forward(x));
        }
    }

    @Test
    void dropsAboutAFractionPAndScalesTheRestBy1OverOneMinusP() {
        double p = 0.3;
        try (MemoryScope scope = MemoryScope.open(); Dropout dropout = new Dropout(p, new Generator(3))) {
            float[] y = dropout.forward(Tensor.ones(N)).toFloatArray();
            long zeros = 0;
            for (float v : y) {
                if (v == 0) {
                    zeros++;
                } else {
                    assertEquals((float) (1 / (1 - p)), v, "a survivor is scaled by 1/(1 - p)");
                }
            }
            // The zero count is Binomial(N, p): standard deviation √(p(1−p)/N) ≈ 0.00145 of N; 0.01 is about 7 of them.
            assertEquals(p, (double) zeros / N, 0.01);
        }
    }

    @Test
    void keepsTheMeanInExpectation() {
        try (MemoryScope scope = MemoryScope.open(); Dropout dropout = new Dropout(0.5, new Generator(4))) {
            // Each output is 0 or 2 with equal odds: mean 1, standard deviation 1/√N ≈ 0.0032; 0.02 is about 6 of them.
            assertEquals(1, dropout.forward(Tensor.ones(N)).mean().item(), 0.02);
        }
    }

    @Test
    void theGradientGoesThroughTheSameMask() {
        try (MemoryScope scope = MemoryScope.open(); Dropout dropout = new Dropout(0.25, new Generator(5))) {
            Tensor x = Tensor.ones(1000).requiresGrad(true);
            Tensor y = dropout.forward(x);
            y.sum().backward();
            assertArrayEquals(y.toFloatArray(), x.grad().toFloatArray(), "d(x·m/(1−p))/dx = m/(1−p), which is y at x = 1");
        }
    }

    @Test
    void theSameSeedGivesTheSameMasks() {
        try (MemoryScope scope = MemoryScope.open();
             Dropout a = new Dropout(0.5, new Generator(6));
             Dropout b = new Dropout(0.5, new Generator(6))) {
            float[] first = a.forward(Tensor.ones(500)).toFloatArray();
            assertArrayEquals(first, b.forward(Tensor.ones(500)).toFloatArray());
            assertFalse(Arrays.equals(first, a.forward(Tensor.ones(500)).toFloatArray()), "each call draws a new mask");
        }
    }

    @Test
    void zeroProbabilityKeepsEverything() {
        try (MemoryScope scope = MemoryScope.open(); Dropout dropout = new Dropout(0, new Generator(7))) {
            Tensor x = Tensor.randn(new Generator(8), 10);
            assertArrayEquals(x.toFloatArray(), dropout.forward(x).toFloatArray());
        }
    }

    @Test
    void refusesProbabilitiesOutsideZeroToOne() {
        for (double p : new double[] {-0.1, 1.0, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Dropout(p, new Generator(1)));
            assertEquals("Dropout: p must be in [0, 1), got " + p, e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Dropout(0.5, null)).getMessage().contains("generator"));
    }
}

package kiln.nn.optim;

import static kiln.nn.optim.OptimizerTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Parameter;

/**
 * Clipping by global norm (L2, L1, ∞) and by value, on gradients chosen by hand: w's gradient is
 * (2, −4, 6), v's (1, 0.5). The golden clip_norm and clip_value cases check against PyTorch.
 */
class GradClipTest {
    /** float32 norms of a handful of values: a few ulps. */
    private static final double TOL = 1e-6;

    private final Parameter w = new Parameter(Tensor.fromArray(new float[] {1, -2, 3}, 3));
    private final Parameter v = new Parameter(Tensor.fromArray(new float[] {1, 0.5f}, 2));

    @BeforeEach
    void gradients() {
        try (MemoryScope step = MemoryScope.open()) {
            w.value().mul(w.value()).sum().backward();          // 2w
            v.value().mul(v.value()).sum().mul(0.5).backward(); // v
        }
    }

    @AfterEach
    void release() {
        w.value().close();
        v.value().close();
    }

    private static double l2(float[]... parts) {
        double sum = 0;
        for (float[] part : parts) {
            for (float x : part) {
                sum += (double) x * x;
            }
        }
        return Math.sqrt(sum);
    }

    @Test
    void globalL2NormIsReturnedAndTheGradientsAreScaledTogetherToMaxNorm() {
        double norm = GradClip.byGlobalNorm(List.of(w, v), 1.0);
        assertEquals(Math.sqrt(4 + 16 + 36 + 1 + 0.25), norm, TOL);
        // scaled by 1/(N + 1e-6): the new norm is 1 − 1e-6/N, directions kept
        assertEquals(1.0, l2(w.grad().toFloatArray(), v.grad().toFloatArray()), TOL);
        float[] g = w.grad().toFloatArray();
        assertEquals(-2.0, g[1] / g[0], TOL);
    }

    @Test
    void gradientsBelowMaxNormAreLeftExactlyAsTheyWere() {
        double norm = GradClip.byGlobalNorm(List.of(w, v), 100);
        assertEquals(7.566372975, norm, TOL);
        assertArrayEquals(new float[] {2, -4, 6}, w.grad().toFloatArray());
        assertArrayEquals(new float[] {1, 0.5f}, v.grad().toFloatArray());
    }

    @Test
    void infinityNormIsTheLargestMagnitude() {
        double norm = GradClip.byGlobalNorm(List.of(w, v), 3, Double.POSITIVE_INFINITY);
        assertEquals(6, norm, 0);
        assertArrayEquals(new float[] {1, -2, 3}, w.grad().toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {0.5f, 0.25f}, v.grad().toFloatArray(), 1e-5f);
    }

    @Test
    void otherPNormsUseTheGeneralFormula() {
        assertEquals(2 + 4 + 6 + 1 + 0.5, GradClip.byGlobalNorm(List.of(w, v), 100, 1), TOL);
        assertEquals(Math.cbrt(8 + 64 + 216 + 1 + 0.125), GradClip.byGlobalNorm(List.of(w, v), 100, 3), 1e-5);
    }

    @Test
    void frozenParametersAndParametersWithoutGradientTakeNoPart() {
        v.setFrozen(true);
        try (Tensor loose = Tensor.ones(4)) {
            Parameter noGradient = new Parameter(loose);
            assertEquals(Math.sqrt(56), GradClip.byGlobalNorm(List.of(w, v, noGradient), 100), TOL);
            GradClip.byValue(List.of(w, v, noGradient), 0.1);
        }
        assertArrayEquals(new float[] {1, 0.5f}, v.grad().toFloatArray(), "the frozen one's gradient is untouched");
        assertEquals(0, GradClip.byGlobalNorm(List.of(), 1), "no gradients, norm 0");
    }

    @Test
    void byValueClampsEachElement() {
        GradClip.byValue(List.of(w, v), 1.5);
        assertArrayEquals(new float[] {1.5f, -1.5f, 1.5f}, w.grad().toFloatArray());
        assertArrayEquals(new float[] {1, 0.5f}, v.grad().toFloatArray());
    }

    @Test
    void badArgumentsAreRefused() {
        assertMessage("GradClip.byGlobalNorm: maxNorm must be >= 0, got -1.0", () -> GradClip.byGlobalNorm(List.of(w), -1));
        assertMessage("GradClip.byGlobalNorm: normType must be >= 1 or infinity, got 0.5", () -> GradClip.byGlobalNorm(List.of(w), 1, 0.5));
        assertMessage("GradClip.byValue: clip must be >= 0, got NaN", () -> GradClip.byValue(List.of(w), Double.NaN));
    }
}

package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

class MultiHeadAttentionTest {
    /**
     * float32 against PyTorch's float32, summed in a different order (relative, plus absolute near 0).
     * Looser than the other layers' 1e-6 because gradients reach 40 here and absolute roundoff follows
     * the largest terms of a sum: the key bias's gradient is 0 in exact arithmetic (softmax ignores a
     * shift shared by all keys), so both sides hold roundoff of about 40·ε₃₂ per term only.
     */
    private static final double TOLERANCE = 1e-5;

    @Test
    void matchesPyTorch() {
        try (MultiHeadAttention layer = new MultiHeadAttention(8, 2, new Generator(1))) {
            LayerGolden.check("mha.txt", layer, TOLERANCE);
        }
    }

    @Test
    void causalMatchesPyTorch() {
        try (MultiHeadAttention layer = new MultiHeadAttention(8, 2, true, new Generator(2))) {
            LayerGolden.check("mha_causal.txt", layer, TOLERANCE);
        }
    }

    @Test
    void aCausalPositionSeesNothingAfterIt() {
        for (boolean causal : new boolean[] {true, false}) {
            Generator rng = new Generator(3);
            try (MemoryScope scope = MemoryScope.open(); MultiHeadAttention mha = new MultiHeadAttention(4, 2, causal, rng)) {
                LayerGradCheck.randomize(mha, rng);
                Tensor x = Tensor.randn(rng, 1, 5, 4).requiresGrad(true);
                mha.forward(x).select(1, 2).sum().backward();            // how output position 2 depends on each input position
                for (int t = 0; t < 5; t++) {
                    double reach = x.grad().select(1, t).abs().sum().item();
                    assertEquals(causal && t > 2, reach == 0, "causal=" + causal + ": input " + t + " reaches output 2: " + reach);
                }
            }
        }
    }

    @Test
    void gradientsPassGradCheck() {
        for (boolean causal : new boolean[] {false, true}) {
            Generator rng = new Generator(4);
            try (MemoryScope scope = MemoryScope.open(); MultiHeadAttention mha = new MultiHeadAttention(4, 2, causal, rng)) {
                mha.to(DType.FLOAT64);
                LayerGradCheck.randomize(mha, rng);
                Tensor x = Tensor.randn(rng, DType.FLOAT64, 2, 3, 4).requiresGrad(true);
                LayerGradCheck.check("MultiHeadAttention causal=" + causal, mha, mha::forward, x);
            }
        }
    }

    @Test
    void parametersHavePyTorchsNamesAndInitialisation() {
        try (MemoryScope scope = MemoryScope.open(); MultiHeadAttention mha = new MultiHeadAttention(16, 4, new Generator(5))) {
            var state = mha.stateDict();
            assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), List.copyOf(state.keySet()));
            assertArrayEquals(new int[] {48, 16}, state.get("in_proj_weight").dims());
            double xavier = Math.sqrt(6.0 / (16 + 48));                  // fanIn E, fanOut 3E
            double inMax = state.get("in_proj_weight").abs().max().item();
            assertTrue(inMax <= xavier && inMax > 0.9 * xavier, "in_proj_weight U(±" + xavier + "), max " + inMax);
            double outMax = state.get("out_proj.weight").abs().max().item();
            assertTrue(outMax <= 0.25 && outMax > 0.2, "out_proj.weight U(±1/√16), max " + outMax);
            assertEquals(0, state.get("in_proj_bias").abs().max().item());
            assertEquals(0, state.get("out_proj.bias").abs().max().item());
        }
    }

    @Test
    void refusesBadInputsAndSizes() {
        try (MemoryScope scope = MemoryScope.open(); MultiHeadAttention mha = new MultiHeadAttention(8, 2, new Generator(6))) {
            var e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(2, 5, 6)));
            assertTrue(e.getMessage().contains("MultiHeadAttention(embed=8") && e.getMessage().contains("[2, 5, 6]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(5, 8)));
        }
        assertEquals("MultiHeadAttention: embedDim must be a positive multiple of numHeads, got embedDim=8, numHeads=3",
                assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(8, 3, new Generator(7))).getMessage());
    }
}

package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;

class TransformerBlockTest {
    /**
     * float32 against PyTorch's float32, summed in a different order (relative, plus absolute near 0);
     * the attention inside makes it MultiHeadAttentionTest's 1e-5 rather than 1e-6: gradients reach 16
     * and the attention projections' gradients are sums of large terms that mostly cancel.
     */
    private static final double TOLERANCE = 1e-5;

    @Test
    void causalBlockMatchesPyTorch() {
        // LayerGolden also checks that the state dict names are PyTorch's: ln1.weight, attn.in_proj_weight, mlp.0.weight...
        try (TransformerBlock layer = new TransformerBlock(8, 2, true, new Generator(1))) {
            LayerGolden.check("transformer_block.txt", layer, TOLERANCE);
        }
    }

    @Test
    void childrenAreNamedAsInTheReference() {
        try (MemoryScope scope = MemoryScope.open(); TransformerBlock block = new TransformerBlock(8, 2, false, new Generator(2))) {
            assertEquals(List.of("ln1", "attn", "ln2", "mlp"), List.copyOf(block.children().keySet()));
            assertEquals(4 * 8 * 8 + 4 * 8 + 8 * 32 + 32 + 32 * 8 + 8 + 2 * 16, block.parameterCount());
        }
    }

    @Test
    void refusesHeadsThatDoNotDivideTheWidth() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TransformerBlock(8, 3, true, new Generator(3)));
        assertTrue(e.getMessage().contains("embedDim=8, numHeads=3"), e.getMessage());
    }
}

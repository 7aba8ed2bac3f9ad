package kiln.nn.layers;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * A pre-norm transformer block over {@code [B, T, E]} (GPT-2's arrangement):
 *
 * <pre>
 *  x = x + attn(ln1(x))
 *  x = x + mlp(ln2(x)),   mlp = Linear(E, 4E), GELU, Linear(4E, E)
 * </pre>
 *
 * Children are named {@code ln1}, {@code attn}, {@code ln2} and {@code mlp}, so the state dict
 * holds {@code ln1.weight}, {@code attn.in_proj_weight}, {@code mlp.0.weight}, {@code mlp.2.bias}...
 */
public final class TransformerBlock extends Module {
    private final LayerNorm ln1;
    private final MultiHeadAttention attn;
    private final LayerNorm ln2;
    private final Sequential mlp;

    public TransformerBlock(int embedDim, int numHeads, boolean causal, Generator rng) {
        this.ln1 = registerModule("ln1", new LayerNorm(embedDim));
        this.attn = registerModule("attn", new MultiHeadAttention(embedDim, numHeads, causal, rng));
        this.ln2 = registerModule("ln2", new LayerNorm(embedDim));
        this.mlp = registerModule("mlp", new Sequential(
                new Linear(embedDim, 4 * embedDim, rng), Activation.gelu(), new Linear(4 * embedDim, embedDim, rng)));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor afterAttention = x.add(attn.forward(ln1.forward(x)));
        return afterAttention.add(mlp.forward(ln2.forward(afterAttention)));
    }

    @Override
    protected String describe() {
        return "TransformerBlock(embed=" + attn.embedDim() + ", heads=" + attn.numHeads() + ", causal=" + attn.isCausal() + ")";
    }
}

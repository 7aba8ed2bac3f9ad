package kiln.nn.layers;

import kiln.engine.Autograd;
import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Init;
import kiln.nn.Module;
import kiln.nn.Parameter;

/**
 * Multi-head self-attention over batch-first sequences {@code [B, T, E]}, as PyTorch's
 * {@code nn.MultiheadAttention(E, H, batch_first=True)} called with query = key = value = x:
 *
 * <pre>
 *  q | k | v = x·W_inᵀ + b_in                      (W_in [3E, E], rows q, k, v)
 *  head h uses columns h·d … (h+1)·d − 1 of q, k and v,   d = E/H
 *  head_h = softmax(q_h·k_hᵀ / √d + mask)·v_h       (mask: −∞ above the diagonal if causal, else 0)
 *  y = concat(head_1 … head_H)·W_outᵀ + b_out
 * </pre>
 *
 * State dict names as PyTorch: {@code in_proj_weight}, {@code in_proj_bias}, and the {@link Linear}
 * {@code out_proj} ({@code out_proj.weight}, {@code out_proj.bias}). Initialisation as PyTorch:
 * W_in Xavier-uniform, both biases zero, W_out as a Linear's default. No dropout on the weights.
 */
public final class MultiHeadAttention extends Module {
    private final int embedDim;
    private final int numHeads;
    private final boolean causal;
    private final Parameter inProjWeight;
    private final Parameter inProjBias;
    private final Linear outProj;

    /** Attention without a mask: every position sees every other. */
    public MultiHeadAttention(int embedDim, int numHeads, Generator rng) {
        this(embedDim, numHeads, false, rng);
    }

    /** With {@code causal}, position t attends to positions 0 … t only. */
    public MultiHeadAttention(int embedDim, int numHeads, boolean causal, Generator rng) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention: embedDim must be a positive multiple of numHeads,"
                    + " got embedDim=" + embedDim + ", numHeads=" + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.causal = causal;
        this.inProjWeight = registerParameter("in_proj_weight", Init.xavierUniform(rng, 1, 3 * embedDim, embedDim));
        this.inProjBias = registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim));
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, rng));
        try (Autograd.NoGrad off = Autograd.noGrad()) {
            outProj.bias().value().fill(0);                // PyTorch zeroes it after the Linear's own init
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.dim(2) != embedDim) {
            throw new IllegalArgumentException(describe() + ": input " + x.describe() + " must be [B, T, " + embedDim + "]");
        }
        int batch = x.dim(0);
        int steps = x.dim(1);
        int headDim = embedDim / numHeads;
        Tensor projected = x.matmul(inProjWeight.value().t()).add(inProjBias.value());
        // [B, T, E] -> [B, heads, T, d]: each head attends independently over T.
        Tensor q = heads(projected.narrow(2, 0, embedDim), batch, steps, headDim).div(Math.sqrt(headDim));
        Tensor k = heads(projected.narrow(2, embedDim, embedDim), batch, steps, headDim);
        Tensor v = heads(projected.narrow(2, 2 * embedDim, embedDim), batch, steps, headDim);
        Tensor scores = q.matmul(k.transpose(2, 3));                           // [B, heads, T, T]
        if (causal) {
            scores = Tensor.where(futurePositions(steps), Tensor.scalar(Double.NEGATIVE_INFINITY, scores.dtype()), scores);
        }
        Tensor attended = scores.softmax(3).matmul(v);                         // [B, heads, T, d]
        return outProj.forward(attended.transpose(1, 2).reshape(batch, steps, embedDim));
    }

    private Tensor heads(Tensor part, int batch, int steps, int headDim) {
        return part.reshape(batch, steps, numHeads, headDim).transpose(1, 2);
    }

    /** Bool {@code [T, T]}, true at (i, j) when j > i: the positions a causal query must not see. */
    private static Tensor futurePositions(int steps) {
        try (Tensor positions = Tensor.arange(steps); Tensor rows = positions.unsqueeze(1)) {
            return positions.gt(rows);
        }
    }

    public int embedDim() { return embedDim; }

    public int numHeads() { return numHeads; }

    public boolean isCausal() { return causal; }

    @Override
    protected String describe() {
        return "MultiHeadAttention(embed=" + embedDim + ", heads=" + numHeads + ", causal=" + causal + ")";
    }
}

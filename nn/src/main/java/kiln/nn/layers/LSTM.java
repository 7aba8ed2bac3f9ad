package kiln.nn.layers;

import java.util.ArrayList;
import java.util.List;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Init;
import kiln.nn.Module;
import kiln.nn.Parameter;

/**
 * A stack of LSTM layers over batch-first sequences {@code [B, T, in]}, as PyTorch's
 * {@code nn.LSTM(batch_first=True)} with a zero initial state. Each step of layer k computes
 *
 * <pre>
 *  i, f, g, o = split₄(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)     (gate rows in this order)
 *  c_t = σ(f)·c_{t−1} + σ(i)·tanh(g)
 *  h_t = σ(o)·tanh(c_t)
 * </pre>
 *
 * and layer k + 1 reads layer k's outputs h_1 … h_T. Parameters are named as PyTorch's state dict,
 * {@code weight_ih_l{k}} {@code [4H, in]}, {@code weight_hh_l{k}} {@code [4H, H]}, {@code bias_ih_l{k}}
 * and {@code bias_hh_l{k}} {@code [4H]}, all initialised U(−1/√H, 1/√H).
 *
 * <p>The steps are an ordinary loop of tensor ops, so backward() is backpropagation through time;
 * its sweep is iterative, so long sequences don't overflow the stack.
 */
public final class LSTM extends Module {
    /**
     * The result of {@link #forwardWithState}: {@code sequence} {@code [B, T, H]} is the last layer's
     * h_1 … h_T; {@code h} and {@code c} {@code [numLayers, B, H]} hold each layer's final state
     * (PyTorch's h_n and c_n).
     */
    public record Output(Tensor sequence, Tensor h, Tensor c) {}

    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final Parameter[] weightIh;
    private final Parameter[] weightHh;
    private final Parameter[] biasIh;
    private final Parameter[] biasHh;

    public LSTM(int inputSize, int hiddenSize, int numLayers, Generator rng) {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException("LSTM: sizes must be positive, got inputSize=" + inputSize
                    + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        weightIh = new Parameter[numLayers];
        weightHh = new Parameter[numLayers];
        biasIh = new Parameter[numLayers];
        biasHh = new Parameter[numLayers];
        double bound = 1 / Math.sqrt(hiddenSize);
        int gates = 4 * hiddenSize;
        for (int k = 0; k < numLayers; k++) {
            int in = k == 0 ? inputSize : hiddenSize;
            weightIh[k] = registerParameter("weight_ih_l" + k, Init.uniform(rng, -bound, bound, gates, in));
            weightHh[k] = registerParameter("weight_hh_l" + k, Init.uniform(rng, -bound, bound, gates, hiddenSize));
            biasIh[k] = registerParameter("bias_ih_l" + k, Init.uniform(rng, -bound, bound, gates));
            biasHh[k] = registerParameter("bias_hh_l" + k, Init.uniform(rng, -bound, bound, gates));
        }
    }

    /** The last layer's output sequence {@code [B, T, H]}. */
    @Override
    public Tensor forward(Tensor x) {
        return run(x, new ArrayList<>(), new ArrayList<>());
    }

    /** The output sequence and every layer's final (h, c). */
    public Output forwardWithState(Tensor x) {
        List<Tensor> finalH = new ArrayList<>(numLayers);
        List<Tensor> finalC = new ArrayList<>(numLayers);
        Tensor sequence = run(x, finalH, finalC);
        return new Output(sequence, Tensor.stack(0, finalH), Tensor.stack(0, finalC));
    }

    /** Runs every layer over the sequence; returns the last layer's outputs and adds each layer's final h and c to the lists. */
    private Tensor run(Tensor x, List<Tensor> finalH, List<Tensor> finalC) {
        if (x.rank() != 3 || x.dim(2) != inputSize || x.dim(1) == 0) {
            throw new IllegalArgumentException(describe() + ": input " + x.describe()
                    + " must be [B, T, " + inputSize + "] (batch first) with T >= 1");
        }
        int batch = x.dim(0);
        int steps = x.dim(1);
        Tensor layerInput = x;
        for (int k = 0; k < numLayers; k++) {
            // The input's share of the gates does not depend on the state: one product for all steps, [B, T, 4H].
            Tensor inputGates = layerInput.matmul(weightIh[k].value().t()).add(biasIh[k].value()).add(biasHh[k].value());
            Tensor recurrent = weightHh[k].value().t();
            Tensor h = Tensor.zeros(x.dtype(), batch, hiddenSize);
            Tensor c = Tensor.zeros(x.dtype(), batch, hiddenSize);
            List<Tensor> outputs = new ArrayList<>(steps);
            for (int t = 0; t < steps; t++) {
                List<Tensor> gate = inputGates.select(1, t).add(h.matmul(recurrent)).chunk(4, 1);
                Tensor in = gate.get(0).sigmoid();
                Tensor forget = gate.get(1).sigmoid();
                Tensor candidate = gate.get(2).tanh();
                Tensor out = gate.get(3).sigmoid();
                c = forget.mul(c).add(in.mul(candidate));
                h = out.mul(c.tanh());
                outputs.add(h);
            }
            layerInput = Tensor.stack(1, outputs);
            finalH.add(h);
            finalC.add(c);
        }
        return layerInput;
    }

    public int hiddenSize() { return hiddenSize; }

    public int numLayers() { return numLayers; }

    @Override
    protected String describe() {
        return "LSTM(in=" + inputSize + ", hidden=" + hiddenSize + ", layers=" + numLayers + ", batch_first)";
    }
}

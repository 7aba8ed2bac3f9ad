package kiln.nn.layers;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Init;
import kiln.nn.Module;
import kiln.nn.Parameter;

/**
 * y = x·Wᵀ + b. Shapes: x {@code [..., in]}, W {@code [out, in]} (PyTorch's layout), b {@code [out]},
 * y {@code [..., out]}. Initialised as PyTorch: W and b uniform in ±1/√in.
 */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures, Generator rng) {
        this(inFeatures, outFeatures, true, rng);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator rng) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: feature counts must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Init.kaimingUniformDefault(rng, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Init.biasUniform(rng, inFeatures, outFeatures)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        return x.linear(weight.value(), bias == null ? null : bias.value());
    }

    /** {@code relu(forward(x))} as one op ({@link Tensor#linearRelu}): what {@link Sequential} runs for this layer followed by a ReLU. */
    public Tensor forwardRelu(Tensor x) {
        checkInput(x);
        return x.linearRelu(weight.value(), bias == null ? null : bias.value());
    }

    private void checkInput(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(in=" + inFeatures + "): input " + x.describe()
                    + " must have " + inFeatures + " features in its last axis");
        }
    }

    public int inFeatures() { return inFeatures; }

    public int outFeatures() { return outFeatures; }

    public Parameter weight() { return weight; }

    /** The bias, or null for a layer built without one. */
    public Parameter bias() { return bias; }

    @Override
    protected String describe() {
        return "Linear(in=" + inFeatures + ", out=" + outFeatures + ", bias=" + (bias != null) + ")";
    }
}

package kiln.nn.layers;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Init;
import kiln.nn.Module;
import kiln.nn.Parameter;

/**
 * 2-D convolution over image batches {@code [N, C, H, W]}, as PyTorch's (a cross-correlation: the
 * kernel is not flipped). With G groups, output channel o sees only the C/G input channels of its
 * group g = ⌊o / (O/G)⌋:
 *
 * <pre>  y[n, o, oh, ow] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x[n, g·C/G + c, oh·sH + i·dH − pH, ow·sW + j·dW − pW]</pre>
 *
 * (zero outside x), computed by {@link Tensor#conv2d} (im2col and a matmul per image, with
 * dedicated float32 kernels). Parameters as PyTorch's state_dict: {@code weight}
 * {@code [O, C/G, kH, kW]} and {@code bias} {@code [O]}, both initialised U(±1/√fanIn) with
 * fanIn = C/G·kH·kW (PyTorch's {@code kaiming_uniform_(a=√5)} and its bias rule).
 */
public final class Conv2d extends Module {
    /**
     * Everything that shapes a Conv2d. Start from {@link Conv2d#options} (one group, with bias) and
     * change what differs: {@code Conv2d.options(4, 6, Window2d.of(3).padding(1)).groups(2)}.
     */
    public record Options(int inChannels, int outChannels, Window2d window, int groups, boolean bias) {
        public Options {
            if (inChannels <= 0 || outChannels <= 0) {
                throw new IllegalArgumentException("Conv2d: channel counts must be positive, got in=" + inChannels + ", out=" + outChannels);
            }
            if (window == null) {
                throw new IllegalArgumentException("Conv2d: the window is null");
            }
            if (groups <= 0) {
                throw new IllegalArgumentException("Conv2d: groups must be positive, got " + groups);
            }
            if (inChannels % groups != 0) {
                throw new IllegalArgumentException("Conv2d: inChannels " + inChannels + " is not divisible by groups " + groups);
            }
            if (outChannels % groups != 0) {
                throw new IllegalArgumentException("Conv2d: outChannels " + outChannels + " is not divisible by groups " + groups);
            }
        }

        public Options groups(int count) { return new Options(inChannels, outChannels, window, count, bias); }

        public Options bias(boolean on) { return new Options(inChannels, outChannels, window, groups, on); }
    }

    /** Options with one group and a bias. */
    public static Options options(int inChannels, int outChannels, Window2d window) {
        return new Options(inChannels, outChannels, window, 1, true);
    }

    private final Options options;
    private final Parameter weight;
    private final Parameter bias;

    /** kernel×kernel filters, stride 1, no padding, one group, with bias: PyTorch's {@code Conv2d(in, out, kernel)}. */
    public Conv2d(int inChannels, int outChannels, int kernel, Generator rng) {
        this(options(inChannels, outChannels, Window2d.of(kernel)), rng);
    }

    public Conv2d(Options options, Generator rng) {
        this.options = options;
        Window2d w = options.window();
        int[] weightDims = {options.outChannels(), options.inChannels() / options.groups(), w.kernelH(), w.kernelW()};
        this.weight = registerParameter("weight", Init.kaimingUniformDefault(rng, weightDims));
        this.bias = options.bias()
                ? registerParameter("bias", Init.biasUniform(rng, Init.fanIn(weightDims), options.outChannels()))
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Window2d.requireImages(describe(), x);
        if (x.dim(1) != options.inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.describe() + " has " + x.dim(1)
                    + " channels (axis 1), expected " + options.inChannels());
        }
        return convolve(describe(), x, weight.value(), bias == null ? null : bias.value(), options.window(), options.groups());
    }

    /**
     * The convolution itself for any floating dtype: the layer's forward, and float64 gradient checks.
     * {@code x [N, C, H, W]}, {@code weight [O, C/G, kH, kW]}, {@code bias [O]} or null.
     */
    static Tensor convolve(String layer, Tensor x, Tensor weight, Tensor bias, Window2d window, int groups) {
        return Window2d.reported(layer, () -> x.conv2d(weight, bias, window.strideH(), window.strideW(),
                window.paddingH(), window.paddingW(), window.dilationH(), window.dilationW(), groups));
    }

    public Options options() { return options; }

    public Parameter weight() { return weight; }

    /** The bias, or null for a layer built without one. */
    public Parameter bias() { return bias; }

    @Override
    protected String describe() {
        return "Conv2d(in=" + options.inChannels() + ", out=" + options.outChannels() + ", " + options.window()
                + ", groups=" + options.groups() + ", bias=" + options.bias() + ")";
    }
}

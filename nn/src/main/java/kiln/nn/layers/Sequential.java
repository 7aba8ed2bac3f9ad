package kiln.nn.layers;

import java.util.List;

import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * Modules applied one after another; children are named 0, 1, 2... as in PyTorch. A {@link Linear}
 * followed by a ReLU runs as one op ({@link Linear#forwardRelu}): the same values and gradients, with
 * the ReLU applied as the product is written instead of in another pass over it.
 */
public final class Sequential extends Module {
    private final List<Module> layers;

    public Sequential(Module... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (int i = 0; i < layers.size(); i++) {
            Module layer = layers.get(i);
            if (layer instanceof Linear linear && i + 1 < layers.size() && layers.get(i + 1) instanceof Activation next && next.isRelu()) {
                y = linear.forwardRelu(y);
                i++;
            } else {
                y = layer.forward(y);
            }
        }
        return y;
    }

    /** The i-th layer. */
    public Module get(int i) { return layers.get(i); }

    public int size() { return layers.size(); }

    @Override
    protected String describe() {
        return "Sequential(" + layers.size() + " layers)";
    }
}

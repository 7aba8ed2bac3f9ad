package kiln.nn.layers;

import java.util.List;

import kiln.engine.Tensor;
import kiln.nn.Module;

/** Modules applied one after another; children are named 0, 1, 2... as in PyTorch. */
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
        for (Module layer : layers) {
            y = layer.forward(y);
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

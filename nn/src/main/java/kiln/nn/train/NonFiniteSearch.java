package kiln.nn.train;

import java.util.Map;

import kiln.engine.Autograd;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.Parameter;
import kiln.nn.layers.Sequential;

/**
 * Finds where a NaN or infinity first appears, once the trainer has seen a non-finite loss or gradient.
 * Only runs after something went wrong, so it may be slow: it replays the batch layer by layer.
 */
final class NonFiniteSearch {
    private NonFiniteSearch() {}

    /** True when every element is finite: {@code x − x} is 0 for finite x, and NaN for ±∞ and NaN. */
    static boolean allFinite(Tensor t) {
        try (var off = Autograd.noGrad(); MemoryScope scope = MemoryScope.open()) {
            return t.sub(t).sum().item() == 0.0;
        }
    }

    /** The first parameter (by state-dict name) whose value, or else whose gradient, is not finite; null if none. */
    static String firstBadParameter(Module model) {
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            if (!allFinite(e.getValue().value())) {
                return "parameter '" + e.getKey() + "' is not finite";
            }
        }
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            Tensor grad = e.getValue().grad();
            if (grad != null && !allFinite(grad)) {
                return "gradient of '" + e.getKey() + "' is not finite";
            }
        }
        return null;
    }

    /**
     * Replays {@code input} through the model one layer at a time (descending into nested Sequentials)
     * and names the first layer whose output is not finite; null when every output is finite, or when the
     * model is not a Sequential and so has no layers to replay one by one.
     */
    static String firstBadLayer(Module model, Tensor input) {
        if (!(model instanceof Sequential)) {
            return allFinite(input) ? null : "the input batch is not finite";
        }
        try (var off = Autograd.noGrad(); MemoryScope scope = MemoryScope.open()) {
            if (!allFinite(input)) {
                return "the input batch is not finite";
            }
            return replay((Sequential) model, "", new Tensor[] {input});
        }
    }

    /** Runs the layers of {@code seq} on {@code x[0]}, updating it; returns the first bad layer's name or null. */
    private static String replay(Sequential seq, String prefix, Tensor[] x) {
        for (int i = 0; i < seq.size(); i++) {
            Module layer = seq.get(i);
            String name = prefix + i;
            if (layer instanceof Sequential inner) {
                String found = replay(inner, name + ".", x);
                if (found != null) {
                    return found;
                }
                continue;
            }
            x[0] = layer.forward(x[0]);
            if (!allFinite(x[0])) {
                return "output of layer '" + name + "' " + layer.toString().strip().lines().findFirst().orElse("") + " is not finite";
            }
        }
        return null;
    }
}

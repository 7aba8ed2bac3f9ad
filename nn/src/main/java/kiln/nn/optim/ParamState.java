package kiln.nn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/**
 * What an optimizer remembers about one parameter between steps: named tensors under PyTorch's names
 * ({@code momentum_buffer}, {@code exp_avg}, {@code exp_avg_sq}, {@code max_exp_avg_sq},
 * {@code square_avg}, {@code grad_avg}, {@code sum}) and the number of updates the parameter received.
 *
 * <p>The tensors are made on first use, outside any memory scope: they live until the optimizer is
 * closed, whatever scope the step that created them ran in.
 */
public final class ParamState implements AutoCloseable {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private long step;

    ParamState() {}

    /** How many updates this parameter has received, counting the one in progress. */
    public long step() { return step; }

    void advance() { step++; }

    /** The tensor named {@code name}, or null before it is made. */
    public Tensor get(String name) { return tensors.get(name); }

    /**
     * The tensor named {@code name}, made by {@code initial} (outside any memory scope) the first time
     * it is asked for.
     */
    public Tensor getOrCreate(String name, Supplier<Tensor> initial) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            tensor = MemoryScope.outside(initial);
            tensors.put(name, tensor);
        }
        return tensor;
    }

    /** Every state tensor by name, in the order made. */
    public Map<String, Tensor> tensors() { return Collections.unmodifiableMap(tensors); }

    /** Releases the state tensors. */
    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
        tensors.clear();
    }
}

package kiln.nn;

import kiln.engine.Autograd;
import java.util.function.UnaryOperator;

import kiln.engine.DType;
import kiln.engine.Device;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/**
 * A tensor a {@link Module} learns: a leaf that requires a gradient (unless frozen), owned by its
 * module for the module's whole life, whatever memory scope was open when it was made.
 */
public final class Parameter {
    private Tensor value;

    /** Wraps {@code value} (a floating-point leaf) and makes it require a gradient. */
    public Parameter(Tensor value) {
        value.requiresGrad(true);                 // validates first: a failed wrap leaves the tensor with its scope
        this.value = MemoryScope.disown(value);
    }

    /**
     * Replaces the value by a copy converted to {@code dtype} (for {@link Module#to}); the old tensor
     * and its gradient are released, the frozen state is kept.
     */
    void convert(DType dtype) {
        if (value.dtype() != dtype) {
            replace(old -> old.to(dtype));
        }
    }

    /** Replaces the value by a copy on {@code device} (for {@link Module#to(Device)}), as {@link #convert} does. */
    void move(Device device) {
        if (!value.device().equals(device)) {
            replace(old -> old.to(device));
        }
    }

    private void replace(UnaryOperator<Tensor> conversion) {
        Tensor old = value;
        try (Autograd.NoGrad off = Autograd.noGrad()) {
            value = MemoryScope.outside(() -> conversion.apply(old));
        }
        value.requiresGrad(old.requiresGrad());
        old.close();
    }

    /** The tensor itself, to compute with (a module's {@link Module#to} replaces it, so don't keep it). */
    public Tensor value() { return value; }

    /** The accumulated gradient, or null before the first backward pass that reached it. */
    public Tensor grad() { return value.grad(); }

    /** Stops (or restarts) gradient computation for this parameter: optimizers skip a frozen one. */
    public void setFrozen(boolean frozen) { value.requiresGrad(!frozen); }

    public boolean isFrozen() { return !value.requiresGrad(); }

    /**
     * Sets the gradient to zero, keeping its memory for the next step (PyTorch 1.13's default
     * {@code zero_grad(set_to_none=False)}).
     */
    public void zeroGrad() {
        if (value.grad() != null) {
            value.grad().fill(0);
        }
    }

    public int[] dims() { return value.dims(); }

    public long numel() { return value.numel(); }

    @Override
    public String toString() { return "Parameter " + value.describe(); }
}

package kiln.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Device;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/**
 * A building block of a model: it holds named parameters, buffers (state that is saved but not
 * learned, such as BatchNorm's running statistics) and sub-modules, and maps an input to an output.
 *
 * <p>Names follow PyTorch's {@code state_dict}: a parameter {@code weight} of the sub-module
 * registered as {@code fc1} is {@code fc1.weight}; Sequential names its children 0, 1, 2..., so
 * PyTorch's weights load here by name and back.
 *
 * <p>A module owns its parameters and buffers: {@link #close()} releases them.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The module's computation. Ops on parameters are recorded, so backward() reaches them. */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration (for subclasses)

    protected Parameter registerParameter(String name, Tensor value) {
        checkNewName(name);
        Parameter parameter = new Parameter(value);
        parameters.put(name, parameter);
        return parameter;
    }

    /**
     * Registers a parameter that another module also holds (weight tying, e.g. an embedding shared
     * with the output layer): both names appear in {@link #stateDict()}, but {@link #parameters()}
     * lists it once, so an optimizer updates it once per step.
     */
    protected Parameter registerParameter(String name, Parameter shared) {
        checkNewName(name);
        parameters.put(name, shared);
        return shared;
    }

    protected Tensor registerBuffer(String name, Tensor value) {
        checkNewName(name);
        buffers.put(name, MemoryScope.disown(value));
        return value;
    }

    /** The buffer registered as {@code name}; read it on each use, as {@link #to} replaces buffers. */
    protected Tensor buffer(String name) {
        Tensor buffer = buffers.get(name);
        if (buffer == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no buffer named '" + name + "'");
        }
        return buffer;
    }

    protected <M extends Module> M registerModule(String name, M module) {
        checkNewName(name);
        children.put(name, module);
        return module;
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": a name must be non-empty and without dots, got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the name '" + name + "' is already registered");
        }
    }

    // ---------------------------------------------------------------- the tree

    /** Every parameter of this module and its sub-modules, by dotted name, in registration order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        collect("", all, null);
        return all;
    }

    /** Every parameter, each once (a parameter shared by two modules appears once). */
    public List<Parameter> parameters() {
        return new ArrayList<>(new LinkedHashSet<>(namedParameters().values()));
    }

    /** Every buffer of this module and its sub-modules, by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        collect("", null, all);
        return all;
    }

    private void collect(String prefix, Map<String, Parameter> params, Map<String, Tensor> bufs) {
        if (params != null) {
            parameters.forEach((name, p) -> params.put(prefix + name, p));
        }
        if (bufs != null) {
            buffers.forEach((name, b) -> bufs.put(prefix + name, b));
        }
        children.forEach((name, child) -> child.collect(prefix + name + ".", params, bufs));
    }

    /** The direct sub-modules by name. */
    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Total number of learnable values. */
    public long parameterCount() {
        return parameters().stream().mapToLong(Parameter::numel).sum();
    }

    // ---------------------------------------------------------------- state

    /**
     * Parameters and buffers by name, in PyTorch's order (each module's own parameters, then its
     * buffers, then its children). The tensors are the module's own, not copies.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        addState("", state);
        return state;
    }

    private void addState(String prefix, Map<String, Tensor> state) {
        parameters.forEach((name, p) -> state.put(prefix + name, p.value()));
        buffers.forEach((name, b) -> state.put(prefix + name, b));
        children.forEach((name, child) -> child.addState(prefix + name + ".", state));
    }

    /**
     * Copies values into this module's parameters and buffers. Strict, as PyTorch's default: every
     * name must be present and known, every shape must match, or nothing is changed and the error
     * lists the problems.
     */
    public void loadStateDict(Map<String, Tensor> values) {
        Map<String, Tensor> own = stateDict();
        List<String> problems = new ArrayList<>();
        for (String name : own.keySet()) {
            if (!values.containsKey(name)) {
                problems.add("missing '" + name + "'");
            } else if (!Arrays.equals(own.get(name).dims(), values.get(name).dims())) {
                problems.add("'" + name + "' has shape " + values.get(name).shape() + ", the module expects " + own.get(name).shape());
            }
        }
        Set<String> unexpected = new LinkedHashSet<>(values.keySet());
        unexpected.removeAll(own.keySet());
        unexpected.forEach(name -> problems.add("unexpected '" + name + "'"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict into " + getClass().getSimpleName() + ": " + String.join("; ", problems));
        }
        try (Autograd.NoGrad off = Autograd.noGrad()) {
            own.forEach((name, tensor) -> tensor.copyFrom(values.get(name)));
        }
    }

    /**
     * Converts every floating-point parameter and buffer of this module and below to {@code dtype}
     * (PyTorch's {@code module.to(dtype)}), e.g. to float64 for a gradient check; integer buffers
     * such as a step count keep their type. Gradients are dropped. Returns this.
     */
    public Module to(DType dtype) {
        if (dtype == null || !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".to: needs a floating-point dtype, got " + dtype);
        }
        parameters.values().forEach(p -> p.convert(dtype));
        buffers.replaceAll((name, buffer) -> {
            if (!buffer.dtype().isFloatingPoint() || buffer.dtype() == dtype) {
                return buffer;
            }
            Tensor converted = MemoryScope.outside(() -> buffer.to(dtype));
            buffer.close();
            return converted;
        });
        children.values().forEach(child -> child.to(dtype));
        return this;
    }

    /**
     * Moves every parameter and buffer of this module and below to {@code device} (PyTorch's
     * {@code module.to(device)}): copies there, the old tensors released, gradients dropped. Build
     * the optimizer after moving, so that its state is made on the same device. Returns this.
     */
    public Module to(Device device) {
        if (device == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".to: the device is null (Device.CPU or Device.cuda(i))");
        }
        parameters.values().forEach(p -> p.move(device));
        buffers.replaceAll((name, buffer) -> {
            if (buffer.device().equals(device)) {
                return buffer;
            }
            Tensor moved = MemoryScope.outside(() -> buffer.to(device));
            buffer.close();
            return moved;
        });
        children.values().forEach(child -> child.to(device));
        return this;
    }

    /** Training mode (dropout active, batch statistics) or evaluation mode, for this module and all below; returns this. */
    public Module train(boolean on) {
        training = on;
        children.values().forEach(child -> child.train(on));
        return this;
    }

    /** Same as {@code train(false)}. */
    public Module eval() { return train(false); }

    public boolean isTraining() { return training; }

    /** Zeroes every parameter's gradient (keeping the memory). */
    public void zeroGrad() {
        parameters().forEach(Parameter::zeroGrad);
    }

    /** Freezes (or unfreezes) every parameter: no gradients are computed for them and optimizers skip them. */
    public void setFrozen(boolean frozen) {
        parameters().forEach(p -> p.setFrozen(frozen));
    }

    /** Releases every parameter (with its gradient) and buffer of this module and below. */
    @Override
    public void close() {
        parameters.values().forEach(p -> p.value().close());
        buffers.values().forEach(Tensor::close);
        children.values().forEach(Module::close);
    }

    /** The module's name and configuration in one line, e.g. {@code Linear(in=4, out=3, bias=true)}; subclasses override. */
    protected String describe() {
        return getClass().getSimpleName() + "()";
    }

    /** The tree of modules, one per line, with parameter counts. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        print("", "", out);
        return out.toString();
    }

    private void print(String indent, String label, StringBuilder out) {
        out.append(indent).append(label.isEmpty() ? "" : "(" + label + "): ").append(describe()).append('\n');
        children.forEach((name, child) -> child.print(indent + "  ", name, out));
    }
}

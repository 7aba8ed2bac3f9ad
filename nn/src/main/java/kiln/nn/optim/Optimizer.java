package kiln.nn.optim;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Device;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Parameter;

/**
 * Updates parameters from their gradients. The training step is PyTorch's:
 *
 * <pre>{@code
 * optimizer.zeroGrad();
 * try (MemoryScope step = MemoryScope.open()) {
 *     Tensor loss = lossOf(model.forward(x), y);
 *     loss.backward();
 * }
 * optimizer.step();
 * }</pre>
 *
 * <p>Parameters come in {@link ParamGroup}s, each with its own learning rate and weight decay.
 * {@link #step()} updates, in place and without recording, every parameter that is not frozen and
 * has a gradient; parameters without one are skipped, so their state does not advance. Each
 * parameter's state is made lazily on its first update and lives until {@link #close()}.
 *
 * <p>Subclasses write the update of one parameter with tensor operations (so that it runs wherever
 * the tensors live), in PyTorch's order of operations, so that float32 trajectories agree with
 * PyTorch's to rounding. One difference remains: PyTorch's CPU kernels fuse {@code a + α·b} (its
 * {@code add(alpha=)} and {@code addcmul}) into one rounding, where we round twice.
 *
 * <p>Where the parameter, its gradient and its state are {@link #fusable} (contiguous float32 on the
 * CPU, the common case), the update runs instead as one fused kernel of
 * {@link kiln.kernels.cpu.OptimizerKernels}: one pass over the memory, no temporaries, and the same
 * float32 operations in the same order, so the same bits as the tensor operations. Other tensors
 * (float64 in gradient checks, strided views) take the tensor operations.
 */
public abstract class Optimizer implements AutoCloseable {
    private final String name;
    private final List<ParamGroup> groups;
    private final Map<Parameter, ParamState> states = new IdentityHashMap<>();
    private long stepCount;

    /**
     * Takes the groups and fills in what they do not set from the defaults ({@code defaultMomentum}
     * null for an algorithm without momentum). A parameter may belong to one group only.
     */
    protected Optimizer(String name, List<ParamGroup> groups, double defaultLr, double defaultWeightDecay, Double defaultMomentum) {
        this.name = name;
        if (groups.isEmpty() || groups.stream().allMatch(g -> g.params().isEmpty())) {
            throw new IllegalArgumentException(name + ": got no parameters to optimize");
        }
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup group : groups) {
            group.checkCanJoin(name, defaultMomentum);      // every check first: a refused optimizer takes no group
            for (Parameter p : group.params()) {
                if (!seen.add(p)) {
                    throw new IllegalArgumentException(name + ": " + p + " appears more than once");
                }
            }
        }
        groups.forEach(g -> g.join(name, defaultLr, defaultWeightDecay, defaultMomentum));
        this.groups = List.copyOf(groups);
    }

    /** Updates every parameter that is not frozen and has a gradient, then counts the step. */
    public final void step() {
        try (Autograd.NoGrad _ = Autograd.noGrad()) {
            for (ParamGroup group : groups) {
                for (Parameter p : group.params()) {
                    if (p.isFrozen() || p.grad() == null) {
                        continue;
                    }
                    ParamState state = states.computeIfAbsent(p, k -> new ParamState());
                    state.advance();
                    try (MemoryScope _ = MemoryScope.open()) {
                        update(p.value(), p.grad(), state, group);
                    }
                }
            }
        }
        stepCount++;
    }

    /**
     * Updates {@code param} in place ({@link Tensor#copyFrom}, {@link Tensor#addInPlace}) from
     * {@code grad}. Runs without recording and inside a memory scope that frees the temporaries;
     * {@code state.step()} is already this update's number (1 on the first).
     */
    protected abstract void update(Tensor param, Tensor grad, ParamState state, ParamGroup group);

    /**
     * Whether the fused kernels can update these tensors in one pass: each is float32, contiguous, on
     * the CPU, with at most 2³¹ − 1 elements. Null entries (state an option does not use) are skipped.
     */
    protected static boolean fusable(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null && (t.dtype() != DType.FLOAT32 || !t.isContiguous() || t.device().kind() != Device.Kind.CPU
                    || t.numel() > Integer.MAX_VALUE)) {
                return false;
            }
        }
        return true;
    }

    /** The memory of {@code t} for a fused kernel, or null for state an option does not use. */
    protected static MemorySegment segmentOf(Tensor t) {
        return t == null ? null : t.segment();
    }

    /** The offset in elements of {@code t}'s first element, 0 for null. */
    protected static long offsetOf(Tensor t) {
        return t == null ? 0 : t.offset();
    }

    /** PyTorch's L2 weight decay, added to the gradient: g + λ·θ (g itself when λ = 0). */
    protected static Tensor withWeightDecay(Tensor grad, Tensor param, double weightDecay) {
        return weightDecay != 0 ? grad.add(param.mul(weightDecay)) : grad;
    }

    /** Sets every parameter's gradient to zero, keeping its memory (PyTorch 1.13's default). */
    public void zeroGrad() {
        groups.forEach(g -> g.params().forEach(Parameter::zeroGrad));
    }

    /** The parameter groups, in the order given. */
    public List<ParamGroup> groups() { return groups; }

    /** Group {@code index}. */
    public ParamGroup group(int index) { return groups.get(index); }

    /** The learning rate of the first group: the learning rate, when there is one group. */
    public double lr() { return groups.getFirst().lr(); }

    /** Sets the learning rate of every group. */
    public void setLr(double lr) {
        groups.forEach(g -> g.setLr(lr));
    }

    /** How many times {@link #step()} ran. */
    public long stepCount() { return stepCount; }

    /** The state kept for {@code p}, or null before its first update. */
    public ParamState stateOf(Parameter p) { return states.get(p); }

    /** Every parameter, in group order. */
    public List<Parameter> params() {
        List<Parameter> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.params()));
        return all;
    }

    /** The optimizer's name for messages, e.g. "Adam". */
    public String name() { return name; }

    /** Releases the state of every parameter (the parameters themselves belong to their module). */
    @Override
    public void close() {
        states.values().forEach(ParamState::close);
        states.clear();
    }

    @Override
    public String toString() {
        return name + groups;
    }
}

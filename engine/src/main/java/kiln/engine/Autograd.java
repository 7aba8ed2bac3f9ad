package kiln.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Reverse-mode automatic differentiation: recording ops as they run, and the backward pass.
 *
 * <p><b>Recording.</b> Every differentiable method of {@link Tensor} calls {@link #record} with its
 * forward computation and, beside it, one rule per input for the gradient. When some input requires a
 * gradient and recording is on, the result gets a {@link GradNode} pointing back at the inputs; when
 * not, the forward runs alone and nothing is kept. The forward itself runs with recording off, so the
 * reshapes and casts an op does internally never enter the graph.
 *
 * <p><b>Backward.</b> {@link #backward} orders the graph's nodes so that each comes after every node
 * that uses its output (an iterative depth-first search: deep graphs such as a long LSTM would
 * overflow the stack with recursion), then sweeps them, output to inputs, applying the rules. A tensor
 * used twice receives two gradients, which add up: gradients accumulate, in the graph and in the
 * {@code grad} of leaves, so call {@code zeroGrad()} between steps. Broadcasting is undone in one place,
 * {@link #sumToShape}: an input that was broadcast receives the sum of the gradient over the copies.
 *
 * <p><b>Memory.</b> Gradients of leaves (parameters) live as long as their leaf and are allocated
 * outside any {@link MemoryScope}; every other tensor of forward and backward belongs to the scope
 * that was open, which frees it when the step ends.
 *
 * <p><b>Threads.</b> Recording and no-grad scopes are per thread. A graph is built and back-propagated
 * by one thread; two threads must not run backward() into the same leaves at once (the leaves'
 * gradients are not synchronised).
 */
public final class Autograd {
    private Autograd() {}

    /** How many no-grad scopes are open on this thread; recording is on at depth 0. */
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /** A region with recording off (evaluation, optimizer updates); close it to turn recording back on. */
    public static final class NoGrad implements AutoCloseable {
        private final int[] depth;
        private boolean closed;

        private NoGrad(int[] depth) {
            this.depth = depth;
            depth[0]++;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                depth[0]--;
            }
        }
    }

    /**
     * Turns recording off until the returned scope closes:
     * {@code try (var off = Autograd.noGrad()) { ... }}. Scopes nest.
     */
    public static NoGrad noGrad() {
        return new NoGrad(NO_GRAD_DEPTH.get());
    }

    /** Whether ops on tensors that require gradients are being recorded on this thread. */
    public static boolean isRecording() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /**
     * Runs {@code forward} and, if any input requires a gradient, records it with one partial
     * derivative rule per input (same order as {@code inputs}).
     */
    static Tensor record(String op, Supplier<Tensor> forward, Tensor[] inputs, GradNode.Partial... partials) {
        if (!isRecording() || !anyRequiresGrad(inputs)) {
            return forward.get();
        }
        Tensor out;
        try (NoGrad off = noGrad()) {
            out = forward.get();
        }
        boolean[] needsGrad = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            needsGrad[i] = inputs[i].requiresGrad();
        }
        out.attachGradNode(new GradNode(op, inputs, needsGrad, partials, out));
        return out;
    }

    /** {@link #record} for a one-input op. */
    static Tensor record(String op, Supplier<Tensor> forward, Tensor input, GradNode.Partial partial) {
        return record(op, forward, new Tensor[] {input}, partial);
    }

    private static boolean anyRequiresGrad(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Back-propagates from {@code root}: every leaf that requires a gradient and that {@code root}
     * depends on gets d root / d leaf, weighted by {@code seed}, added to its {@code grad}.
     */
    static void backward(Tensor root, Tensor seed, boolean keepGraph) {
        root.ensureOpen();
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: " + root.describe() + " does not require a gradient"
                    + " (no input of the ops that made it had requiresGrad(true), or it was computed under noGrad)");
        }
        try (NoGrad off = noGrad()) {
            Tensor grad = seedFor(root, seed);
            if (root.gradNode() == null) {
                accumulateIntoLeaf(root, grad);
                return;
            }
            Map<GradNode, Tensor> pending = new IdentityHashMap<>();
            pending.put(root.gradNode(), grad);
            for (GradNode node : inReverseTopologicalOrder(root.gradNode())) {
                Tensor outputGrad = pending.remove(node);
                Tensor[] inputs = node.inputs();
                for (int i = 0; i < inputs.length; i++) {
                    if (!node.needsGrad[i]) {
                        continue;
                    }
                    Tensor input = inputs[i];
                    Tensor inputGrad = sumToShape(node.gradOfInput(i, outputGrad), input);
                    if (input.gradNode() == null) {
                        accumulateIntoLeaf(input, inputGrad);
                    } else {
                        pending.merge(input.gradNode(), inputGrad, Tensor::add);
                    }
                }
                if (!keepGraph) {
                    node.free();
                }
            }
        }
    }

    private static Tensor seedFor(Tensor root, Tensor seed) {
        if (seed == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: " + root.describe() + " is not a scalar; pass a seed"
                        + " gradient of the same shape (backward(seed)), or reduce it first, e.g. with sum() or mean()");
            }
            return Factories.full(1, root.dtype(), root.shape(), root.device());
        }
        seed.ensureOpen();
        if (!seed.shape().equals(root.shape())) {
            throw new IllegalArgumentException("backward: the seed gradient " + seed.describe()
                    + " must have the shape of " + root.describe());
        }
        return seed.dtype() == root.dtype() ? seed : seed.to(root.dtype());
    }

    /**
     * Every node reachable from {@code root}, each after all the nodes that consume its output:
     * a depth-first search with an explicit stack, emitting a node once all its inputs are done,
     * then reversed.
     */
    private static List<GradNode> inReverseTopologicalOrder(GradNode root) {
        List<GradNode> postOrder = new ArrayList<>();
        Map<GradNode, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<GradNode> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextInput = new ArrayDeque<>();
        stack.push(root);
        nextInput.push(0);
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            GradNode node = stack.peek();
            Tensor[] inputs = node.inputs();
            int i = nextInput.pop();
            if (i < inputs.length) {
                nextInput.push(i + 1);
                GradNode child = node.needsGrad[i] ? inputs[i].gradNode() : null;
                if (child != null && visited.put(child, Boolean.TRUE) == null) {
                    stack.push(child);
                    nextInput.push(0);
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        return postOrder.reversed();
    }

    private static void accumulateIntoLeaf(Tensor leaf, Tensor grad) {
        Tensor existing = leaf.grad();
        if (existing == null) {
            // The leaf's gradient outlives the step's scope: it is the leaf's own, freed with it.
            leaf.setGrad(MemoryScope.outside(() -> grad.to(leaf.dtype())));
        } else {
            existing.addInPlace(grad);
        }
    }

    /**
     * Undoes broadcasting: sums {@code grad} over the axes along which {@code input} was repeated
     * (leading axes it did not have, and its size-1 axes), and gives it the input's dtype.
     */
    static Tensor sumToShape(Tensor grad, Tensor input) {
        Shape target = input.shape();
        Tensor shaped = grad;
        if (!grad.shape().equals(target)) {
            int extra = grad.rank() - target.rank();
            if (extra < 0) {
                throw new IllegalStateException("backward: gradient " + grad.shape() + " has fewer axes than input " + target);
            }
            List<Integer> axes = new ArrayList<>();
            for (int a = 0; a < grad.rank(); a++) {
                if (a < extra || (target.dim(a - extra) == 1 && grad.dim(a) != 1)) {
                    axes.add(a);
                }
            }
            shaped = grad.sum(axes.stream().mapToInt(Integer::intValue).toArray(), true).reshape(target.toArray());
        }
        return shaped.dtype() == input.dtype() ? shaped : shaped.to(input.dtype());
    }

    /**
     * A zero tensor of {@code shape} with {@code grad} copied into the window that {@code window}
     * cuts out of it: the gradient of any view that selects part of its input (narrow, select, slice).
     */
    static Tensor intoZeros(Shape shape, Tensor grad, UnaryOperator<Tensor> window) {
        Tensor zeros = Factories.full(0, grad.dtype(), shape, grad.device());
        try (Tensor part = window.apply(zeros)) {
            zeros.backend().copy(part, grad);
        }
        return zeros;
    }
}

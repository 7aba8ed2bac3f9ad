package kiln.engine;

/**
 * One recorded op in the autograd graph: the op's name, its inputs, and for each input the rule that
 * turns the gradient of the op's output into the gradient of that input (a vector–Jacobian product).
 *
 * <p>A node belongs to the tensor it produced ({@link Tensor#gradFn}); the graph is the web of nodes
 * reached from a result through its inputs. After a backward pass the node lets go of its inputs, its
 * rules and its output (everything that keeps the step's activations reachable), unless the pass
 * was asked to keep the graph: a loss kept for logging then holds one number, not a whole step.
 */
final class GradNode {
    /**
     * The gradient of one input, given the gradient {@code grad} of the op's output and the output
     * itself (exp, tanh, softmax... are cheapest to differentiate from their result). The result
     * may have the output's broadcast shape: {@link Autograd} sums it back to the input's shape.
     */
    @FunctionalInterface
    interface Partial {
        Tensor apply(Tensor grad, Tensor output);
    }

    private static final Tensor[] RELEASED = new Tensor[0];

    final String op;
    private Tensor[] inputs;
    /** Which inputs needed a gradient when the op ran (the graph's shape is fixed at that moment). */
    final boolean[] needsGrad;
    private Partial[] partials;
    private Tensor output;

    GradNode(String op, Tensor[] inputs, boolean[] needsGrad, Partial[] partials, Tensor output) {
        this.op = op;
        this.inputs = inputs;
        this.needsGrad = needsGrad;
        this.partials = partials;
        this.output = output;
    }

    /** The op's inputs; throws if a backward pass already released them. */
    Tensor[] inputs() {
        if (inputs == RELEASED) {
            throw new IllegalStateException("backward: the graph through '" + op + "' was already used by a backward pass"
                    + " and its saved tensors were released; run the forward pass again, or call backward(true)"
                    + " (backward(seed, true)) the first time to keep the graph");
        }
        return inputs;
    }

    /** The gradient of input {@code i}, not yet summed back to the input's shape. */
    Tensor gradOfInput(int i, Tensor grad) {
        inputs();
        return partials[i].apply(grad, output);
    }

    /** Releases the inputs, the rules and what they captured, so that the saved tensors can be freed. */
    void free() {
        inputs = RELEASED;
        partials = null;
        output = null;
    }
}

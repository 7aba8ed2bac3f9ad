package kiln.kernels.cpu;

/**
 * Elementwise float32 functions of two inputs, out = op(a, b), as {@link BinaryKernels#zip} applies
 * them. {@link #apply} is the scalar reference.
 */
public enum BinaryOp {
    /** a + b */
    ADD,
    /** a − b */
    SUB,
    /** a · b */
    MUL,
    /** a / b (IEEE: x/0 = ±∞, 0/0 = NaN) */
    DIV,
    /** aᵇ as {@link Math#pow} */
    POW,
    /** the larger of a and b; NaN if either is NaN (as {@code torch.maximum}); +0 &gt; −0 */
    MAX,
    /** the smaller of a and b; NaN if either is NaN (as {@code torch.minimum}); −0 &lt; +0 */
    MIN,
    /**
     * a where b &gt; 0, else 0 (also for a NaN b): relu's backward pass, the output's gradient a let
     * through where the input b was positive, in one pass (a mask and a product would take three)
     */
    RELU_GRAD;

    /** The reference value of {@code op(a, b)}. */
    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (float) Math.pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case RELU_GRAD -> b > 0 ? a : 0f;
        };
    }
}

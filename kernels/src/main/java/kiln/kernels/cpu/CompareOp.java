package kiln.kernels.cpu;

/**
 * Elementwise float32 comparisons, as {@link BinaryKernels#compare} applies them. They follow Java
 * (and IEEE, and PyTorch): every comparison with NaN is false except NE, which is true; −0 == +0.
 */
public enum CompareOp {
    /** a == b */
    EQ,
    /** a != b */
    NE,
    /** a &lt; b */
    LT,
    /** a ≤ b */
    LE,
    /** a &gt; b */
    GT,
    /** a ≥ b */
    GE;

    /** The reference value of {@code a op b}. */
    public boolean test(float a, float b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }
}

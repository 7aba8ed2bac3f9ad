package kiln.engine;

/**
 * The element types a tensor can hold.
 *
 * <p>float32 is the workhorse of training; float64 exists so that gradient checks can use exact-enough
 * arithmetic; int32 and int64 hold labels and indices; bool holds masks (one byte per element, 0 or 1).
 */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    INT32("int32", 4),
    INT64("int64", 8),
    BOOL("bool", 1);

    private final String displayName;
    private final int byteSize;

    DType(String displayName, int byteSize) {
        this.displayName = displayName;
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public boolean isInteger() {
        return this == INT32 || this == INT64;
    }

    /**
     * The type two operands are computed in, as in PyTorch and NumPy: bool &lt; int32 &lt; int64 &lt;
     * float32 &lt; float64, except that an integer meeting float32 gives float32 (not float64).
     */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if (a.isFloatingPoint() || b.isFloatingPoint()) {
            return (a == FLOAT64 || b == FLOAT64) ? FLOAT64 : FLOAT32;
        }
        if (a == INT64 || b == INT64) {
            return INT64;
        }
        return INT32;
    }

    @Override
    public String toString() {
        return displayName;
    }
}

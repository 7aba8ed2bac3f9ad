package kiln.engine;

import java.util.Arrays;

/**
 * The extent of a tensor along each axis: {@code [2, 3]} is a 2-by-3 matrix, {@code []} a scalar.
 * Immutable. Axes may be given negative, counting from the end as in Python ({@code -1} is the last).
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final long numel;

    private Shape(int[] dims) {
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + ": dimension " + i + " is negative");
            }
            count = Math.multiplyExact(count, (long) dims[i]);
        }
        this.dims = dims;
        this.numel = count;
    }

    /** A shape with the given dimensions (each >= 0). */
    public static Shape of(int... dims) {
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    /** The shape of a scalar: rank 0, one element. */
    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** The number of elements: the product of the dimensions (1 for a scalar). */
    public long numel() {
        return numel;
    }

    /** The size along {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return dims[axis(axis, "dim")];
    }

    /** A copy of the dimensions. */
    public int[] toArray() {
        return dims.clone();
    }

    /**
     * Turns a possibly negative axis into an index in {@code [0, rank)}, or throws naming the op and
     * the valid range.
     */
    public int axis(int axis, String op) {
        return normalizeAxis(axis, dims.length, op);
    }

    /** {@code axis} in {@code [-rank, rank)} made non-negative; otherwise an exception naming op and range. */
    public static int normalizeAxis(int axis, int rank, String op) {
        if (axis < -rank || axis >= rank) {
            String range = rank == 0 ? "none: the tensor is a scalar" : "[" + (-rank) + ", " + (rank - 1) + "]";
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for rank " + rank + " (valid: " + range + ")");
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** Row-major strides in elements: the last axis moves by 1. */
    public long[] contiguousStrides() {
        long[] strides = new long[dims.length];
        long step = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = step;
            step *= Math.max(dims[i], 1);
        }
        return strides;
    }

    /**
     * The shape two operands broadcast to (NumPy rules): align from the right; sizes must be equal or
     * one of them 1. Throws naming the op and both shapes otherwise.
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " cannot be broadcast together"
                        + " (axis " + (i - rank) + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}

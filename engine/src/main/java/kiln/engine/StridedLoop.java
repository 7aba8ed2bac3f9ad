package kiln.engine;

import kiln.kernels.cpu.Parallel;

/**
 * Walks several same-shaped strided operands (an output and its inputs) row by row, the way NumPy's
 * and PyTorch's iterators do. Axes that are laid out back to back in every operand are merged first,
 * so two contiguous tensors become one long row and a bias added to a matrix becomes rows of the
 * matrix against the whole bias. A kernel then handles one row: a length and, per operand, a start
 * and a step (often 1, or 0 for a broadcast operand).
 */
final class StridedLoop {
    /** Work for one row: {@code starts[k]} is operand k's first element; it advances by {@code steps()[k]}. */
    interface Row {
        void run(long[] starts, int length);
    }

    private final int[] outerSizes;   // the merged axes above the row, outermost first
    private final long[][] outerStrides;
    private final long[] offsets;
    private final long[] rowSteps;
    private final int rowLength;
    private final long rows;

    /**
     * @param shape   the common shape of all operands (inputs already broadcast, e.g. by expand)
     * @param strides per operand, its strides in elements (0 along broadcast axes)
     * @param offsets per operand, the element index of its first element
     */
    StridedLoop(int[] shape, long[][] strides, long[] offsets) {
        int operands = strides.length;
        // Merge axis pairs that are contiguous in every operand, innermost first; skip size-1 axes.
        int[] sizes = new int[shape.length];
        long[][] merged = new long[operands][shape.length];
        int count = 0;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            if (shape[axis] == 1) {
                continue;
            }
            boolean mergeable = count > 0;
            for (int k = 0; k < operands && mergeable; k++) {
                mergeable = strides[k][axis] == merged[k][count - 1] * sizes[count - 1];
            }
            if (mergeable && (long) sizes[count - 1] * shape[axis] <= Integer.MAX_VALUE) {
                sizes[count - 1] *= shape[axis];
            } else {
                sizes[count] = shape[axis];
                for (int k = 0; k < operands; k++) {
                    merged[k][count] = strides[k][axis];
                }
                count++;
            }
        }
        boolean empty = java.util.Arrays.stream(shape).anyMatch(d -> d == 0);
        this.offsets = offsets.clone();
        this.rowSteps = new long[operands];
        if (count == 0) {           // a scalar, or all sizes 1: one row of one element
            this.rowLength = empty ? 0 : 1;
            this.outerSizes = new int[0];
            this.outerStrides = new long[operands][0];
        } else {
            this.rowLength = sizes[0];
            for (int k = 0; k < operands; k++) {
                rowSteps[k] = merged[k][0];
            }
            this.outerSizes = new int[count - 1];
            this.outerStrides = new long[operands][count - 1];
            for (int j = 1; j < count; j++) {            // outermost first
                outerSizes[count - 1 - j] = sizes[j];
                for (int k = 0; k < operands; k++) {
                    outerStrides[k][count - 1 - j] = merged[k][j];
                }
            }
        }
        long rowCount = 1;
        for (int size : outerSizes) {
            rowCount *= size;
        }
        this.rows = rowLength == 0 ? 0 : rowCount;
    }

    /** Per operand, how far one step along the row moves (in elements). */
    long[] steps() {
        return rowSteps;
    }

    int rowLength() {
        return rowLength;
    }

    long rows() {
        return rows;
    }

    /** Runs {@code row} over every row; rows run in parallel when the work is large (they are independent). */
    void forEachRow(Row row) {
        long grainRows = Math.max(1, (1 << 16) / Math.max(1, rowLength));
        int tasks = Parallel.tasks(rows, grainRows);
        Parallel.forEach(tasks, task -> {
            long first = task * grainRows;
            long last = Math.min(rows, first + grainRows);
            long[] starts = new long[offsets.length];
            for (long r = first; r < last; r++) {
                startsOf(r, starts);
                row.run(starts, rowLength);
            }
        });
    }

    /** Runs {@code row} over every row, in order, on the calling thread (for ops whose rows may collide). */
    void forEachRowInOrder(Row row) {
        long[] starts = new long[offsets.length];
        for (long r = 0; r < rows; r++) {
            startsOf(r, starts);
            row.run(starts, rowLength);
        }
    }

    /** The first element of row {@code r} in every operand. */
    private void startsOf(long r, long[] starts) {
        System.arraycopy(offsets, 0, starts, 0, offsets.length);
        for (int axis = outerSizes.length - 1; axis >= 0; axis--) {
            long coordinate = r % outerSizes[axis];
            r /= outerSizes[axis];
            for (int k = 0; k < starts.length; k++) {
                starts[k] += coordinate * outerStrides[k][axis];
            }
        }
    }
}

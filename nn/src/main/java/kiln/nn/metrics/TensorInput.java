package kiln.nn.metrics;

import kiln.engine.Tensor;

/** Copies tensors into the plain arrays the metrics compute on, checking rank and dtype. */
final class TensorInput {
    private TensorInput() {}

    /** Integer class labels {@code [n]} (int32 or int64) as an int array. */
    static int[] labels(String owner, Tensor labels) {
        Check.require(labels.rank() == 1 && labels.dtype().isInteger(), owner,
                "labels must be integer class indices [n], got " + labels.dtype() + " " + labels.shape());
        long[] values = labels.toLongArray();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            Check.require(values[i] >= 0 && values[i] <= Integer.MAX_VALUE, owner, "labels[" + i + "] = " + values[i] + " is not a class index");
            out[i] = (int) values[i];
        }
        return out;
    }

    /** A floating-point matrix {@code [n, k]} as n rows of k doubles. */
    static double[][] rows(String owner, String name, Tensor matrix) {
        Check.require(matrix.rank() == 2 && matrix.dtype().isFloatingPoint(), owner,
                name + " must be a floating-point matrix [n, k], got " + matrix.dtype() + " " + matrix.shape());
        int n = matrix.dim(0);
        int k = matrix.dim(1);
        double[] flat = matrix.toDoubleArray();
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = java.util.Arrays.copyOfRange(flat, i * k, (i + 1) * k);
        }
        return rows;
    }

    /** Floating-point values of any shape, row-major. */
    static double[] values(String owner, String name, Tensor values) {
        Check.require(values.dtype().isFloatingPoint(), owner, name + " must be floating point, got " + values.dtype() + " " + values.shape());
        return values.toDoubleArray();
    }
}

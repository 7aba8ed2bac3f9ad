package kiln.nn.metrics;

/**
 * Argument checks shared by the metrics. Every message names the metric, the argument and the bad value,
 * e.g. {@code "ConfusionMatrix: yPred[7] = 5 is not a class index in [0, 3)"}.
 */
final class Check {
    private Check() {}

    /** Throws unless {@code ok}; the message reads "owner: message". */
    static void require(boolean ok, String owner, String message) {
        if (!ok) {
            throw new IllegalArgumentException(owner + ": " + message);
        }
    }

    /** Two inputs that describe the same examples must have the same length. */
    static void sameLength(String owner, String nameA, int lengthA, String nameB, int lengthB) {
        require(lengthA == lengthB, owner, nameA + " has " + lengthA + " entries but " + nameB + " has " + lengthB);
    }

    /** Metrics averaged over examples are undefined for zero examples. */
    static void nonEmpty(String owner, int examples) {
        require(examples > 0, owner, "needs at least one example, got none");
    }

    static void classCount(String owner, int numClasses) {
        require(numClasses >= 1, owner, "numClasses must be >= 1, got " + numClasses);
    }

    /** Every label must be a class index in [0, numClasses). */
    static void labels(String owner, String name, int[] labels, int numClasses) {
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i];
            require(label >= 0 && label < numClasses, owner,
                    name + "[" + i + "] = " + label + " is not a class index in [0, " + numClasses + ")");
        }
    }

    /** Binary metrics take labels 0 (negative) and 1 (positive). */
    static void binaryLabels(String owner, String name, int[] labels) {
        for (int i = 0; i < labels.length; i++) {
            require(labels[i] == 0 || labels[i] == 1, owner, name + "[" + i + "] = " + labels[i] + " is not 0 or 1");
        }
    }

    /** Scores are ranked, and NaN has no rank. */
    static void notNaN(String owner, String name, double[] values) {
        for (int i = 0; i < values.length; i++) {
            require(!Double.isNaN(values[i]), owner, name + "[" + i + "] is NaN");
        }
    }

    /** The column count k of a rectangular, NaN-free {@code [n][k]} array with n >= 1 and k >= 1. */
    static int columns(String owner, String name, double[][] rows) {
        nonEmpty(owner, rows.length);
        int k = rows[0].length;
        require(k >= 1, owner, name + " must have at least one column, got 0");
        for (int i = 0; i < rows.length; i++) {
            require(rows[i].length == k, owner, name + "[" + i + "] has " + rows[i].length + " columns, expected " + k);
            for (int c = 0; c < k; c++) {
                require(!Double.isNaN(rows[i][c]), owner, name + "[" + i + "][" + c + "] is NaN");
            }
        }
        return k;
    }
}

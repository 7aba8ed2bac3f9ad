package kiln.nn.data.prep;

/**
 * A raw row that cannot be prepared: the wrong number of values, a text where a number belongs, a
 * missing value with nothing to fill it. Holds the row (from 0) apart from the problem, so that a
 * caller can say where the row came from: a line of a file, an index of a JSON array.
 */
public final class InvalidRowException extends IllegalArgumentException {
    private final int row;
    private final String problem;

    /** The message reads "row 3: {problem}". */
    public InvalidRowException(int row, String problem) {
        super("row " + row + ": " + problem);
        this.row = row;
        this.problem = problem;
    }

    /** The row at fault, from 0. */
    public int row() {
        return row;
    }

    /** The problem without the row, e.g. "column 'age': 'tall' is not a number". */
    public String problem() {
        return problem;
    }
}

package kiln.nn.data.prep;

/**
 * Input rows that cannot be used: the wrong number of values, a text where a number belongs, a missing
 * value with nothing to fill it, a pixel out of range. Holds the row (from 0, as JSON indices count) apart
 * from the problem, so that a caller can say where the row came from: a line of a file, an index of a
 * JSON array. A prediction server answers it with 400; anything else thrown while predicting is its own fault.
 */
public final class InvalidRowException extends IllegalArgumentException {
    private final int row;
    private final String problem;

    /** A problem with the input as a whole (no rows at all, say): {@link #row()} is -1. */
    public InvalidRowException(String problem) {
        super(problem);
        this.row = -1;
        this.problem = problem;
    }

    /** A problem with row {@code row} (from 0): the message reads "row 3: {problem}". */
    public InvalidRowException(int row, String problem) {
        super("row " + row + ": " + problem);
        this.row = row;
        this.problem = problem;
    }

    /** The row at fault, from 0, or -1 when the problem is not one row's; callers that batch rows add their offset. */
    public int row() {
        return row;
    }

    /** The problem without the row, e.g. "column 'age': 'tall' is not a number". */
    public String problem() {
        return problem;
    }
}

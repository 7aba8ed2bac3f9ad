package kiln.nn.deploy;

/**
 * Input rows that the model cannot take: a wrong number of values, a text where a number belongs, a
 * missing value, a pixel out of range. The message names the row (counting from 0, as JSON indices do)
 * and the problem. A server answers it with 400; anything else thrown while predicting is its own fault.
 */
public final class InvalidInputException extends IllegalArgumentException {
    private final int row;
    private final String problem;

    /** A problem with the input as a whole (no rows at all, say). */
    public InvalidInputException(String problem) {
        super(problem);
        this.row = -1;
        this.problem = problem;
    }

    /** A problem with row {@code row} (from 0): the message reads "row 3: {problem}". */
    public InvalidInputException(int row, String problem) {
        super("row " + row + ": " + problem);
        this.row = row;
        this.problem = problem;
    }

    /** The row at fault, from 0, or -1 when the problem is not one row's; callers that batch rows add their offset. */
    public int row() {
        return row;
    }

    /** The problem without the row, e.g. "value 17: 300 is outside the pixel range [0, 255]". */
    public String problem() {
        return problem;
    }
}

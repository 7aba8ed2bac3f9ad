package kiln.nn.data.prep;

/**
 * How a number is named when it stands for a class or a category: a whole number as a whole number
 * ("3", not "3.0"), so that the number 3 and the text "3" name one class or category; any other
 * number as {@link Double#toString}. Whole numbers are written so only below 1e15, well inside the
 * range where a double holds every whole number exactly (up to 2<sup>53</sup>, about 9.0e15).
 */
final class NumberText {
    private NumberText() {}

    /** 3.0 is "3", -0.0 is "0"; 2.5 stays "2.5", 1e15 "1.0E15". */
    static String of(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}

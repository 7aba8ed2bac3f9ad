package kiln.nn.data.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Whole numbers below 1e15 are written as whole numbers, everything else as Java writes a double. */
class NumberTextTest {
    @Test
    void wholeNumbersLoseTheirPointZero() {
        assertEquals("3", NumberText.of(3.0));
        assertEquals("-12", NumberText.of(-12.0));
        assertEquals("0", NumberText.of(-0.0), "-0 is the class 0");
        assertEquals("999999999999999", NumberText.of(999_999_999_999_999.0), "the largest whole number below 1e15");
    }

    @Test
    void otherNumbersAreWrittenAsDoubles() {
        assertEquals("2.5", NumberText.of(2.5));
        assertEquals("1.0E15", NumberText.of(1e15), "from 1e15 on, the exponent form");
        assertEquals("-1.0E20", NumberText.of(-1e20));
        assertEquals("Infinity", NumberText.of(Double.POSITIVE_INFINITY));
    }
}

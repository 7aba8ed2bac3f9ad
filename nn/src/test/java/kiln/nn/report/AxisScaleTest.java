package kiln.nn.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Nice ticks on awkward ranges. Expected ticks are worked out by hand from the rule: the step is the
 * smallest of 1, 2, 5 × 10^k at least (max - min) / (target - 1), and the axis runs between the multiples of
 * the step that enclose the data.
 */
class AxisScaleTest {
    private static List<String> labels(AxisScale scale) {
        return Arrays.stream(scale.ticks()).mapToObj(scale::label).toList();
    }

    @Test
    void unitInterval() {
        // (1 - 0) / 5 = 0.2, already nice.
        AxisScale scale = AxisScale.linear(0, 1, 6, false);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1}, scale.ticks(), 1e-15);
        assertEquals(List.of("0", "0.2", "0.4", "0.6", "0.8", "1.0"), labels(scale));
    }

    @Test
    void narrowAccuracyRange() {
        // (0.91 - 0.87) / 5 = 0.008, rounded up to 0.01.
        AxisScale scale = AxisScale.linear(0.87, 0.91, 6, false);
        assertEquals(0.01, scale.step(), 1e-15);
        assertEquals(List.of("0.87", "0.88", "0.89", "0.90", "0.91"), labels(scale));
        assertEquals(0.87, scale.lower(), 0);
        assertEquals(0.91, scale.upper(), 0);
    }

    @Test
    void tinyValuesUseScientificNotation() {
        // (3e-5 - 1e-5) / 5 = 4e-6, rounded up to 5e-6.
        AxisScale scale = AxisScale.linear(1e-5, 3e-5, 6, false);
        assertEquals(5e-6, scale.step(), 1e-20);
        assertEquals(List.of("1.0e-5", "1.5e-5", "2.0e-5", "2.5e-5", "3.0e-5"), labels(scale));
    }

    @Test
    void negativeRange() {
        // (-1.2 - -3.7) / 5 = 0.5: ticks from floor(-3.7 / 0.5) = -8 to ceil(-1.2 / 0.5) = -2 halves.
        AxisScale scale = AxisScale.linear(-3.7, -1.2, 6, false);
        assertEquals(List.of("-4.0", "-3.5", "-3.0", "-2.5", "-2.0", "-1.5", "-1.0"), labels(scale));
    }

    @Test
    void rangeAcrossZeroLabelsZeroWithoutASign() {
        AxisScale scale = AxisScale.linear(-0.3, 0.3, 4, false);
        assertEquals(List.of("-0.4", "-0.2", "0", "0.2", "0.4"), labels(scale));
    }

    @Test
    void singleValueIsWidenedAroundItself() {
        // 5 ± 10% = [4.5, 5.5]: (5.5 - 4.5) / 5 = 0.2.
        AxisScale scale = AxisScale.linear(5, 5, 6, false);
        assertEquals(List.of("4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"), labels(scale));
        assertEquals(0.5, scale.fraction(5), 1e-12, "a lone value sits in the middle");
    }

    @Test
    void singleZeroIsWidenedToMinusOneToOne() {
        AxisScale scale = AxisScale.linear(0, 0, 3, false);
        assertArrayEquals(new double[] {-1, 0, 1}, scale.ticks(), 0);
    }

    @Test
    void largeValuesUseScientificNotation() {
        // (3e9 - 0) / 3 = 1e9.
        AxisScale scale = AxisScale.linear(0, 3e9, 4, false);
        assertEquals(List.of("0", "1e9", "2e9", "3e9"), labels(scale));
    }

    @Test
    void integerStepsNeverGoBelowOne() {
        AxisScale scale = AxisScale.linear(1, 3, 10, true);
        assertArrayEquals(new double[] {1, 2, 3}, scale.ticks(), 0);
        assertEquals(List.of("1", "2", "3"), labels(scale));
    }

    @Test
    void tightenedKeepsTheDataRangeAndTheTicksInside() {
        AxisScale scale = AxisScale.linear(1, 10, 6, true).tightened(1, 10, 0);
        assertEquals(1, scale.lower(), 0);
        assertEquals(10, scale.upper(), 0);
        assertArrayEquals(new double[] {2, 4, 6, 8, 10}, scale.ticks(), 0);
    }

    @Test
    void randomRangesGetNiceStepsThatCoverTheData() {
        Random random = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            // Spans from a thousandth of the values' magnitude to a thousand times it, magnitudes 1e-6 to 1e5.
            double magnitude = Math.pow(10, random.nextInt(12) - 6);
            double a = (random.nextDouble() - 0.5) * 10 * magnitude;
            double b = a + magnitude * Math.pow(10, random.nextInt(7) - 3) * (0.1 + random.nextDouble());
            int target = 2 + random.nextInt(9);
            AxisScale scale = AxisScale.linear(a, b, target, false);
            double step = scale.step();
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
            String where = "[" + a + ", " + b + "] target " + target + ": step " + step;
            assertTrue(Math.abs(mantissa - 1) < 1e-6 || Math.abs(mantissa - 2) < 1e-6 || Math.abs(mantissa - 5) < 1e-6,
                    where);
            assertTrue(scale.lower() <= a && scale.upper() >= b, where + " bounds " + scale.lower() + ".." + scale.upper());
            int count = scale.ticks().length;
            assertTrue(count >= 2 && count <= target + 2, where + " gives " + count + " ticks");
            assertEquals(count, labels(scale).stream().distinct().count(), where + " labels " + labels(scale));
        }
    }

    @Test
    void logarithmicAxisSpansWholeDecades() {
        AxisScale scale = AxisScale.logarithmic(0.003, 2);
        assertEquals(0.001, scale.lower(), 1e-18);
        assertEquals(10, scale.upper(), 0);
        assertEquals(List.of("0.001", "0.01", "0.1", "1", "10"), labels(scale));
        assertEquals(0.25, scale.fraction(0.01), 1e-12);
    }

    @Test
    void narrowLogarithmicAxisAddsTwosAndFives() {
        AxisScale scale = AxisScale.logarithmic(0.2, 3);
        assertEquals(List.of("0.1", "0.2", "0.5", "1", "2", "5", "10"), labels(scale));
    }

    @Test
    void logarithmicLabelsGoScientificOutsideReadableDecimals() {
        assertEquals(List.of("1e-7", "1e-6", "1e-5", "1e-4"), labels(AxisScale.logarithmic(2e-7, 5e-5)));
    }

    @Test
    void refusesBadRanges() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AxisScale.linear(2, 1, 5, false));
        assertTrue(e.getMessage().contains("[2.0, 1.0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AxisScale.linear(Double.NaN, 1, 5, false));
        e = assertThrows(IllegalArgumentException.class, () -> AxisScale.logarithmic(0, 1));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }
}

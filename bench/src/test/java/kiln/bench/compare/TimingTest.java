package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TimingTest {
    @Test
    void theMedianOfAnOddCountIsTheMiddleSample() {
        assertEquals(new Timing(1, 3, 9, 5), Timing.of(9, 1, 3, 4, 2));
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheTwoMiddleSamples() {
        assertEquals(new Timing(1, 2.5, 4, 4), Timing.of(4, 1, 3, 2));
    }

    @Test
    void aSummaryWithoutACountCountsAsOneSample() {
        assertEquals(new Timing(1, 2, 3, 1), Timing.fromJson(Map.of("min", 1L, "median", 2.0, "max", 3), "x"));
    }

    @Test
    void impossibleSpreadsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Timing.of());
        assertThrows(IllegalArgumentException.class, () -> new Timing(2, 1, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> Timing.fromJson(Map.of("min", 1, "max", 3), "x"));
    }

    @Test
    void formatsWithTheUnitsPrecision() {
        assertEquals("1.0 / 2.5 / 4.0", new Timing(1, 2.5, 4, 4).format(Unit.GFLOPS));
        assertEquals("1,000 / 2,500 / 4,000", new Timing(1000, 2500, 4000, 4).format(Unit.SAMPLES_PER_SECOND));
        assertEquals("0.812 / 0.900 / 1.000", new Timing(0.8123, 0.9, 1, 4).format(Unit.SECONDS_PER_EPOCH));
    }
}

package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Speed ratios turn times upside down; each kind of target passes and misses where the issue says. */
class TargetTest {
    private static Row row(Unit unit, double kiln, Double peer, Target target) {
        return new Row("s", "w", 1, unit, new Timing(kiln, kiln, kiln, 1), "peer", peer == null ? null : new Timing(peer, peer, peer, 1), target);
    }

    @Test
    void aRateRatioIsKilnOverPeer() {
        assertEquals(0.5, row(Unit.GFLOPS, 50, 100.0, null).speedRatio());
    }

    @Test
    void aTimeRatioIsPeerOverKiln() {
        assertEquals(2.0, row(Unit.MILLISECONDS, 10, 20.0, null).speedRatio(), "Kiln takes half the time: twice the speed");
    }

    @Test
    void gemmTargetPassesAtNinetyPercentOfOpenBlas() {
        assertEquals(Boolean.TRUE, row(Unit.GFLOPS, 90, 100.0, GemmSuite.TARGET).met());
        assertEquals(Boolean.FALSE, row(Unit.GFLOPS, 89.9, 100.0, GemmSuite.TARGET).met());
    }

    @Test
    void convTargetAllowsTwentyPercentMoreTime() {
        assertEquals("time ≤ 1.2× torch", ConvSuite.TARGET.text());
        assertEquals(Boolean.TRUE, row(Unit.MILLISECONDS, 43.8, 36.5, ConvSuite.TARGET).met());
        assertEquals(Boolean.FALSE, row(Unit.MILLISECONDS, 43.9, 36.5, ConvSuite.TARGET).met());
    }

    @Test
    void trainTargetNeedsSeventyPercentOfTheTime() {
        assertEquals("time ≤ 0.7× torch", TrainSuite.TARGET.text());
        assertEquals(Boolean.TRUE, row(Unit.SECONDS_PER_EPOCH, 0.53, 0.77, TrainSuite.TARGET).met());
        assertEquals(Boolean.FALSE, row(Unit.SECONDS_PER_EPOCH, 0.55, 0.77, TrainSuite.TARGET).met());
    }

    @Test
    void absoluteTargetsLookAtKilnAloneEvenWithoutAPeer() {
        assertEquals("≤ 8 µs", InferSuite.LATENCY_TARGET.text());
        assertEquals(Boolean.TRUE, row(Unit.MICROSECONDS, 8, null, InferSuite.LATENCY_TARGET).met());
        assertEquals(Boolean.FALSE, row(Unit.MICROSECONDS, 8.01, null, InferSuite.LATENCY_TARGET).met());
        assertEquals("≥ 20 GB/s", MemorySuite.ADD_TARGET.text());
        assertEquals(Boolean.TRUE, row(Unit.GIGABYTES_PER_SECOND, 28, null, MemorySuite.SUM_TARGET).met());
        assertEquals(Boolean.FALSE, row(Unit.GIGABYTES_PER_SECOND, 19.9, 30.0, MemorySuite.ADD_TARGET).met());
    }

    @Test
    void aRatioTargetWithoutThePeerIsUndecided() {
        assertNull(row(Unit.GFLOPS, 90, null, GemmSuite.TARGET).met());
        assertEquals(Double.NaN, row(Unit.GFLOPS, 90, null, null).speedRatio());
    }

    @Test
    void aRowWithoutTargetIsNeitherMetNorMissed() {
        assertNull(row(Unit.GFLOPS, 90, 100.0, null).met());
    }
}

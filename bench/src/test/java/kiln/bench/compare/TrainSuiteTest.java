package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The train suite's row from the peer's per-epoch records: the epochs after the first, the last test accuracy. */
class TrainSuiteTest {
    private final TrainSuite suite = new TrainSuite();
    private final TrainSuite.Model mlp = TrainSuite.MODELS.getFirst();

    @Test
    void thePeersEpochsAfterTheFirstAreTimedAndItsLastAccuracyReported() throws IOException {
        Row row = suite.row(mlp, 4, 2, new Timing(1.0, 1.1, 1.3, 3), 0.8812, "torch (OMP 2, BLAS 1)", PeerRecordTest.recorded());
        assertEquals(new Timing(0.76, 0.78, 0.8, 3), row.peer());
        assertEquals(0.78 / 1.1, row.speedRatio(), 1e-12);
        assertEquals(Boolean.FALSE, row.met(), "time ≤ 0.7× torch on 2 threads");
        assertEquals(0.8755, row.extras().get("peer_test_accuracy"));
        assertTrue(row.note().contains("Kiln 88.12%, torch 87.55%"), row.note());
        assertTrue(row.note().contains("epochs 2–4 timed"), row.note());
    }

    @Test
    void aPeerRunWithMissingEpochsGivesNoFigure() throws IOException {
        Row row = suite.row(mlp, 6, 2, new Timing(1.0, 1.1, 1.3, 5), 0.88, "torch", PeerRecordTest.recorded());
        assertNull(row.peer());
        assertNull(row.met(), "a ratio target cannot be checked without the peer");
    }

    @Test
    void oneThreadRowsHaveNoTarget() throws IOException {
        assertNull(suite.row(mlp, 4, 1, new Timing(1, 1, 1, 3), 0.88, "torch", PeerRecordTest.recorded()).target());
    }

    @Test
    void theFirstEpochIsLeftOutUnlessItIsTheOnlyOne() {
        assertArrayEquals(new double[] {2, 3}, TrainSuite.afterFirst(new double[] {9, 2, 3}));
        assertArrayEquals(new double[] {9}, TrainSuite.afterFirst(new double[] {9}));
    }
}

package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Reading the peers' JSON lines: lines recorded from each script of ../shared/peers (conv and train as the scripts write them). */
class PeerRecordTest {
    static List<PeerRecord> recorded() throws IOException {
        try (InputStream in = PeerRecordTest.class.getResourceAsStream("peer-lines.jsonl")) {
            return PeerRecord.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList(), "peer-lines.jsonl");
        }
    }

    @Test
    void everyRecordedLineParses() throws IOException {
        assertEquals(17, recorded().size());
    }

    @Test
    void sgemmFiguresAreFoundByLibraryAndSize() throws IOException {
        Timing numpy = GemmSuite.figure(recorded(), "numpy", 64);
        assertEquals(57.410833785574866, numpy.median());
        assertEquals(1, numpy.n());
        assertEquals(51.79750049314245, GemmSuite.figure(recorded(), "torch", 64).max());
        assertNull(GemmSuite.figure(recorded(), "numpy", 1024), "a size the script did not run");
    }

    @Test
    void bandwidthFiguresAreFoundByLibraryAndOperation() throws IOException {
        assertEquals(14.41394474755385, MemorySuite.figure(recorded(), "torch", "add_out").median());
        assertEquals(3.4312019588700258, MemorySuite.figure(recorded(), "numpy", "sum").min());
    }

    @Test
    void convFiguresAreFoundByPass() throws IOException {
        Timing forwardBackward = ConvSuite.figure(recorded(), "fwd_bwd");
        assertEquals(new Timing(36.02, 36.5, 37.41, 7), forwardBackward);
        assertEquals(17.2, ConvSuite.figure(recorded(), "fwd").median());
    }

    @Test
    void inferenceFiguresCarryPercentiles() throws IOException {
        PeerRecord torch = PeerRecord.find(recorded(), "bench", "mlp_infer", "variant", "torch_inference_mode");
        assertEquals(30.38, torch.timing("batch1_us").median());
        assertEquals(31.64, torch.number("batch1_us", "p90"));
        assertEquals(138171.99663033485, torch.timing("batch1024_samples_per_s").median());
    }

    @Test
    void numbersMatchWhateverTheirJavaType() throws IOException {
        assertEquals("torch", String.valueOf(PeerRecord.find(recorded(), "bench", "sgemm", "n", 64L, "lib", "torch").fields().get("lib")));
        assertEquals(0.8, PeerRecord.find(recorded(), "bench", "train", "epoch", 2.0).number("epoch_s"));
    }

    @Test
    void aLineThatIsNotAnObjectIsRefusedNamingTheScript() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PeerRecord.parse(List.of("[1, 2]"), "bench_sgemm.py"));
        assertTrue(e.getMessage().startsWith("bench_sgemm.py"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PeerRecord.parse(List.of("{\"a\": NaN}"), "x.py"));
    }

    @Test
    void blankLinesAreSkipped() {
        assertEquals(1, PeerRecord.parse(List.of("", "{\"bench\": \"sgemm\"}", "  "), "x.py").size());
    }

    @Test
    void aMissingFigureIsNamedInTheError() {
        PeerRecord record = PeerRecord.parse(List.of("{\"bench\": \"sgemm\", \"gflops\": 3}"), "bench_sgemm.py").getFirst();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> record.timing("gflops"));
        assertTrue(e.getMessage().contains("\"gflops\""), e.getMessage());
    }
}

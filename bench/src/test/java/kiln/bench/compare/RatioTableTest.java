package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import kiln.nn.io.Json;
import org.junit.jupiter.api.Test;

/** The Markdown table (what RESULTS.md holds) and the JSON lines (what machines read). */
class RatioTableTest {
    private static final Row GEMM = new Row("gemm", "sgemm N=1024", 2, Unit.GFLOPS, new Timing(180, 190.25, 195, 7),
            "numpy (OpenBLAS 2)", new Timing(380, 400, 410, 7), GemmSuite.TARGET);
    private static final Row CONV = new Row("conv", "conv2d forward+backward", 2, Unit.MILLISECONDS, new Timing(30, 31, 40, 7),
            "torch (OMP 2, BLAS 1)", new Timing(36, 36.5, 37, 7), ConvSuite.TARGET, "Kiln 179 GFLOP/s", Map.of("kiln_gflops_at_median", 179.0));
    private static final Row LONE = new Row("memory", "sum", 1, Unit.GIGABYTES_PER_SECOND, new Timing(25, 26, 27, 7),
            "torch (OMP 1, BLAS 1)", null, MemorySuite.SUM_TARGET);

    private static RunInfo run(double loadBefore) {
        return new RunInfo("./kiln bench all", ZonedDateTime.of(2026, 11, 22, 9, 5, 0, 0, ZoneOffset.UTC), "AMD EPYC, 2 cores, JDK 25",
                loadBefore, 0.4, Duration.ofSeconds(412), Timer.standard().describe(), "/usr/bin/python3 (torch 1.13, numpy 1.24)", true, true);
    }

    @Test
    void aRowShowsBothSidesTheRatioAndTheVerdict() {
        assertEquals("| gemm | sgemm N=1024 | 2 | GFLOP/s ↑ | 180.0 / 190.3 / 195.0 | numpy (OpenBLAS 2) | 380.0 / 400.0 / 410.0"
                + " | 0.48× | ≥ 0.9× OpenBLAS | MISS |  |", RatioTable.markdownRow(GEMM));
        assertEquals("| conv | conv2d forward+backward | 2 | ms ↓ | 30.00 / 31.00 / 40.00 | torch (OMP 2, BLAS 1) | 36.00 / 36.50 / 37.00"
                + " | 1.18× | time ≤ 1.2× torch | PASS | Kiln 179 GFLOP/s |", RatioTable.markdownRow(CONV));
    }

    @Test
    void aRowWithoutThePeerShowsDashesAndStillChecksAnAbsoluteTarget() {
        assertEquals("| memory | sum | 1 | GB/s ↑ | 25.0 / 26.0 / 27.0 | torch (OMP 1, BLAS 1) | — | — | ≥ 28 GB/s | MISS |  |",
                RatioTable.markdownRow(LONE));
    }

    @Test
    void theReportHasAHeaderWithDateMachineAndCommandThenTheTableAndTheCount() {
        String md = RatioTable.markdown(run(0.1), List.of(GEMM, CONV, LONE));
        List<String> lines = md.lines().toList();
        assertEquals("### `./kiln bench all`, 2026-11-22 09:05 Z", lines.getFirst());
        assertEquals("- Machine: AMD EPYC, 2 cores, JDK 25; load average 0.10 before the run (0.40 at its end, its own work included);"
                + " the run took 6 min 52 s.", lines.get(2));
        assertTrue(md.contains("/usr/bin/python3 (torch 1.13, numpy 1.24)"));
        assertTrue(md.contains(RatioTable.COLUMNS + "\n|---|"), "the table's header line");
        assertEquals(3, lines.stream().filter(l -> l.startsWith("| gemm") || l.startsWith("| conv") || l.startsWith("| memory")).count());
        assertEquals("Targets: 1 PASS, 2 MISS.", lines.getLast());
        assertTrue(!md.contains("busy"), "a quiet machine gets no warning");
        assertTrue(md.contains("- Kiln: each suite in a fresh JVM, "), md);
    }

    @Test
    void aBusyMachineIsSaidInTheHeader() {
        assertTrue(RatioTable.markdown(run(1.7), List.of(GEMM)).contains("**The machine was busy** (load average 1.70 at the start)"));
    }

    @Test
    void withoutPeersTheHeaderSaysWhy() {
        RunInfo alone = new RunInfo("./kiln bench memory", ZonedDateTime.now(), "m", 0, 0, Duration.ofSeconds(3), "t",
                "no peer scripts in /nowhere", false, false);
        assertTrue(RatioTable.markdown(alone, List.of(LONE)).contains("- Peers: not run (no peer scripts in /nowhere); Kiln's figures alone."));
    }

    @Test
    void targetsThatCannotBeCheckedAreCounted() {
        Row noPeer = new Row("gemm", "sgemm N=256", 1, Unit.GFLOPS, new Timing(1, 1, 1, 1), "numpy", null, GemmSuite.TARGET);
        assertEquals("Targets: 0 PASS, 0 MISS, 1 not checked (no peer figure).", RatioTable.targetCount(List.of(noPeer)));
        assertTrue(RatioTable.markdownRow(noPeer).contains("| no peer figure |"));
    }

    @Test
    void jsonLinesHoldOneObjectPerRowWithNullsForWhatIsMissing() {
        List<String> lines = RatioTable.jsonLines(List.of(CONV, LONE)).lines().toList();
        assertEquals(2, lines.size());
        Map<?, ?> conv = (Map<?, ?>) Json.parse(lines.getFirst());
        assertEquals("conv", conv.get("suite"));
        assertEquals(2L, conv.get("threads"));
        assertEquals("ms", conv.get("unit"));
        assertEquals(false, conv.get("higher_is_better"));
        assertEquals(31.0, ((Map<?, ?>) conv.get("kiln")).get("median"));
        assertEquals(36.5 / 31, (Double) conv.get("speed_ratio"), 1e-12);
        assertEquals(true, conv.get("met"));
        assertEquals(179.0, conv.get("kiln_gflops_at_median"));
        Map<?, ?> lone = (Map<?, ?>) Json.parse(lines.get(1));
        assertTrue(lone.containsKey("peer_figure") && lone.get("peer_figure") == null);
        assertEquals(null, lone.get("speed_ratio"));
        assertEquals(false, lone.get("met"));
    }

    @Test
    void aRowReadBackFromItsJsonLineIsTheSameRow() {
        Row noTarget = new Row("infer", "MLP inference, batch 1", 1, Unit.MICROSECONDS, new Timing(9, 10, 12, 7), "numpy (OpenBLAS 1)",
                new Timing(13, 13.5, 14, 7), null, "Kiln p90 11 µs", Map.of("kiln_p90_us", 11.0));
        for (Row row : List.of(GEMM, CONV, LONE, noTarget)) {
            Row back = RatioTable.row((Map<?, ?>) Json.parse(RatioTable.jsonLines(List.of(row)).strip()));
            assertEquals(RatioTable.markdownRow(row), RatioTable.markdownRow(back));
            assertEquals(row.extras(), back.extras());
            assertEquals(row.target(), back.target());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RatioTable.row((Map<?, ?>) Json.parse("{\"suite\": 3}")));
        assertEquals("a row's \"suite\" must be a string, got 3", e.getMessage());
    }

    @Test
    void durationsReadAsMinutesAndSeconds() {
        assertEquals("42 s", RatioTable.duration(42));
        assertEquals("7 min 5 s", RatioTable.duration(425));
    }
}

package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** A suite run in a JVM of its own hands back the same kind of rows it would give in this one. */
class SuiteProcessTest {

    @Test
    void theChildIsThisJvmRunningOneSuiteWithThisRunsOptions() {
        CompareOptions options = CompareOptions.parse(List.of("all", "--threads", "2,1", "--quick", "--peers-dir", "/p"), Suite.all());
        List<String> command = SuiteProcess.command(new MemorySuite(), options, true);
        int main = command.indexOf(Compare.class.getName());
        assertTrue(main > 0, command.toString());
        assertEquals(List.of("memory", "--json", "--threads", "2,1", "--quick", "--peers-dir", "/p"),
                command.subList(main + 1, command.size()));
        assertEquals(System.getProperty("java.class.path"), command.get(command.indexOf("-cp") + 1));
        assertEquals("--no-peers", SuiteProcess.command(new MemorySuite(), options, false).getLast(),
                "peers this run could not find are not looked for again");
    }

    @Test
    void aForkedSuiteReturnsItsRows() throws Exception {
        CompareOptions options = CompareOptions.parse(List.of("memory", "--threads", "1", "--quick", "--no-peers"), Suite.all());
        List<Row> rows = SuiteProcess.run(new MemorySuite(), options, false);
        assertEquals(List.of("add into existing output", "add into existing output", "sum", "sum"), rows.stream().map(Row::what).toList());
        for (Row row : rows) {
            assertEquals(1, row.threads());
            assertEquals(Unit.GIGABYTES_PER_SECOND, row.unit());
            assertTrue(row.kiln().median() > 0, row.toString());
        }
        assertEquals(MemorySuite.SUM_TARGET, rows.get(2).target());
    }
}

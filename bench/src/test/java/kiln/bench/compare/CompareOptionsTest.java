package kiln.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class CompareOptionsTest {
    private static final List<Suite> KNOWN = Suite.all();

    private static List<String> names(CompareOptions options) {
        return options.suites().stream().map(Suite::name).toList();
    }

    @Test
    void allIsEverySuiteInOrderAndRepeatsCountOnce() {
        assertEquals(List.of("gemm", "conv", "train", "infer", "memory"), names(CompareOptions.parse(List.of("all"), KNOWN)));
        assertEquals(List.of("memory", "gemm"), names(CompareOptions.parse(List.of("memory", "gemm", "memory"), KNOWN)));
    }

    @Test
    void defaultsAreOneAndTwoThreadsWithPeersFromTheSharedFolder() {
        CompareOptions options = CompareOptions.parse(List.of("gemm"), KNOWN);
        assertEquals(List.of(1, 2), options.threads());
        assertEquals(true, options.peers());
        assertEquals(Path.of("..", "shared", "peers"), options.peersDir());
        assertEquals(false, options.json());
        assertEquals(null, options.out());
    }

    @Test
    void optionsMayComeAnywhere() {
        CompareOptions options = CompareOptions.parse(List.of("--json", "conv", "--threads", "2", "--quick", "--no-peers"), KNOWN);
        assertEquals(List.of("conv"), names(options));
        assertEquals(List.of(2), options.threads());
        assertEquals(true, options.json() && options.quick() && !options.peers());
        assertEquals(false, options.oneJvm());
        assertEquals(true, CompareOptions.parse(List.of("conv", "--one-jvm"), KNOWN).oneJvm());
    }

    @Test
    void threadListsMustBePositiveCounts() {
        assertEquals(List.of(2, 1), CompareOptions.threads("2, 1"));
        for (String bad : new String[] {"", "0", "1,", "a", "-1", "2000"}) {
            assertThrows(CompareOptions.UsageException.class, () -> CompareOptions.threads(bad), bad);
        }
    }

    @Test
    void deviceCudaRunsTheGemmSuiteOnly() {
        assertEquals(false, CompareOptions.parse(List.of("gemm"), KNOWN).cuda());
        assertEquals(true, CompareOptions.parse(List.of("gemm", "--device", "cuda"), KNOWN).cuda());
        assertEquals(false, CompareOptions.parse(List.of("--device", "cpu", "conv"), KNOWN).cuda());
        assertThrows(CompareOptions.UsageException.class, () -> CompareOptions.parse(List.of("conv", "--device", "cuda"), KNOWN));
        assertThrows(CompareOptions.UsageException.class, () -> CompareOptions.parse(List.of("all", "--device", "cuda"), KNOWN));
        assertThrows(CompareOptions.UsageException.class, () -> CompareOptions.parse(List.of("gemm", "--device", "gpu"), KNOWN));
        assertThrows(CompareOptions.UsageException.class, () -> CompareOptions.parse(List.of("gemm", "--device"), KNOWN));
    }
}

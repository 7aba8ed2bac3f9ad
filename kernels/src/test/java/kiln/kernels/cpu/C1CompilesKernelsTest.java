package kiln.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every vector kernel must compile in C1, the JIT's first, profiling tier. C1 inlines the whole of
 * each Vector API call; a kernel with too many of them runs it out of virtual registers, and HotSpot
 * may then leave that kernel in slow code for the rest of the run (seen: dotKernel stuck in tier 2,
 * Fashion-MNIST MLP epochs of 18 s instead of 0.9). Whether it happens in a real run depends on
 * timing, so this test forces the question: a child JVM runs the kernels under C1 only
 * ({@code -XX:TieredStopAtLevel=3}), compiling synchronously ({@code -Xbatch}), and must log no
 * "COMPILE SKIPPED" for a Kiln method.
 */
class C1CompilesKernelsTest {

    @Test
    void noKernelIsTooLargeForC1() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder child = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xbatch", "-XX:TieredStopAtLevel=3", "-XX:+PrintCompilation",
                "-cp", System.getProperty("java.class.path"), Driver.class.getName());
        child.redirectErrorStream(true);
        Process process = child.start();
        String log = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, process.exitValue(), log);
        assertTrue(log.contains("GemmDirect::dotKernel"), "the driver did not get dotKernel compiled:\n" + log);
        List<String> skipped = log.lines().filter(line -> line.contains("COMPILE SKIPPED") && line.contains("kiln.")).toList();
        assertEquals(List.of(), skipped, "Kiln methods C1 could not compile");
    }

    /** Runs the large kernels often enough for C1 to compile them: each GEMM path, with and without tails, and the convolution's. */
    public static final class Driver {
        public static void main(String[] args) {
            Parallel.setThreads(1);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment a = ones(arena, 400 * 400), b = ones(arena, 400 * 400), c = ones(arena, 400 * 400);
                for (int i = 0; i < 3000; i++) {
                    Sgemm.sgemm(c, 0, 16, a, 0, 37, 1, b, 0, 1, 37, 16, 16, 37, false);   // A·Bᵀ: dotKernel, with a partial last step
                    Sgemm.sgemm(c, 0, 32, a, 0, 37, 1, b, 0, 1, 37, 1, 32, 37, false);    // one row: rowKernel
                    Sgemm.sgemm(c, 0, 40, a, 0, 30, 1, b, 0, 40, 1, 24, 40, 30, false);   // A·B: rowsKernel
                    Sgemm.sgemm(c, 0, 40, a, 0, 1, 24, b, 0, 40, 1, 24, 40, 30, false);   // Aᵀ·B: the micro-kernel
                }
                for (int i = 0; i < 3; i++) {
                    Sgemm.sgemm(c, 0, 400, a, 0, 400, 1, b, 0, 400, 1, 400, 400, 400, false);   // packed
                }
                // LeNet's second convolution on two images: the wide and narrow forward kernels, the weight kernel.
                int channels = 6, padded = 14, kernel = 5, out = 16, outSide = padded - kernel + 1;
                MemorySegment xp = ones(arena, 2 * channels * padded * padded + ImplicitGemmConv.SLACK);
                MemorySegment w = ones(arena, out * channels * kernel * kernel);
                MemorySegment y = ones(arena, 2 * out * outSide * outSide);
                MemorySegment gw = ones(arena, 2 * out * ImplicitGemmConv.wideRow(outSide, padded) + ImplicitGemmConv.SLACK);
                MemorySegment partials = ones(arena, out * channels * kernel * kernel);
                for (int i = 0; i < 100; i++) {
                    ImplicitGemmConv.forward(y, xp, channels, padded, padded, w, 0, null, 0, 2, out, kernel, kernel);
                    ImplicitGemmConv.weightGrad(partials, gw, xp, 2, out, channels, padded, padded, kernel, kernel);
                }
            }
        }

        private static MemorySegment ones(Arena arena, long count) {
            MemorySegment s = arena.allocate(count * Float.BYTES, 64);
            for (long i = 0; i < count; i++) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f);
            }
            return s;
        }
    }
}

package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.kernels.cuda.Cuda;
import kiln.nn.io.Json;

/**
 * {@code kiln train --device cuda} as a user runs it, in a child JVM (the driver is chosen once per
 * process): over the fake CUDA driver of the tests, which runs Kiln's CUDA kernels on the CPU, it
 * trains Fashion-MNIST to the CPU's accuracy; where there is no driver it is refused in one line with
 * exit status 2.
 */
class GpuCommandTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private static final String FAKE_DRIVER = System.getProperty("kiln.test.fakeCuda");

    @Test
    void withoutADriverTheRunIsRefusedWithTheDriversLine(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("libcuda.so.1");
        Child run = kiln(missing, "train", "--dataset", "moons", "--device", "cuda", "--out", dir.resolve("run").toString());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("kiln train: CUDA unavailable: no NVIDIA driver (" + missing + " cannot be loaded)"), run.err());
        assertTrue(Files.notExists(dir.resolve("run")), "a refused run leaves no folder");
    }

    @Test
    void trainsFashionMnistOnTheGpuToTheCpusAccuracy(@TempDir Path dir) throws Exception {
        assumeTrue(FAKE_DRIVER != null && Files.isRegularFile(Path.of(FAKE_DRIVER)), "the fake CUDA driver was not built (no gcc/g++)");
        assumeTrue(Cuda.class.getClassLoader().getResource(Cuda.FATBIN_RESOURCE) != null, "kiln-native was built without nvcc: no kernels");
        assumeTrue(Files.isDirectory(FASHION_MNIST), "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
        List<String> args = List.of("train", "--dataset", "fashion-mnist", "--limit", "1200", "--model", "mlp:64", "--epochs", "2",
                "--batch", "64", "--seed", "5", "--threads", "1", "--json");
        CommandOutcome cpu = CommandOutcome.run(plus(args, "--out", dir.resolve("cpu").toString()).toArray(String[]::new));
        assertEquals(0, cpu.code(), cpu.err());
        Child gpu = kiln(Path.of(FAKE_DRIVER), plus(args, "--out", dir.resolve("gpu").toString(), "--device", "cuda"));
        assertEquals(0, gpu.code(), gpu.err());
        assertTrue(gpu.err().contains("cuda:0 (Kiln fake GPU"), "the run says where it trains: " + gpu.err());
        Map<String, Object> onCpu = cpu.json(), onGpu = gpu.json();
        double cpuAccuracy = CommandOutcome.number(onCpu, "test_accuracy"), gpuAccuracy = CommandOutcome.number(onGpu, "test_accuracy");
        assertTrue(cpuAccuracy > 0.6, "the CPU run learns: " + cpuAccuracy);
        assertEquals(cpuAccuracy, gpuAccuracy, 0.005, "the same seed trains to the same accuracy on either device");
        assertEquals(CommandOutcome.number(onCpu, "test_loss"), CommandOutcome.number(onGpu, "test_loss"), 1e-3);
        assertTrue(Files.size(dir.resolve("gpu").resolve("model.safetensors")) > 0, "the GPU run's checkpoint is written from host copies");
    }

    private record Child(int code, String out, String err) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return (Map<String, Object>) Json.parse(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        }
    }

    /** {@code kiln args...} in a new JVM whose CUDA driver is {@code driver}, with this JVM's flags and class path. */
    private static Child kiln(Path driver, String... args) throws IOException, InterruptedException {
        return kiln(driver, List.of(args));
    }

    private static Child kiln(Path driver, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-Dkiln.cuda.library=" + driver);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        process.getOutputStream().close();
        var err = process.getErrorStream().readAllBytes();   // small: progress lines
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Child(process.waitFor(), out, new String(err, StandardCharsets.UTF_8));
    }

    private static List<String> plus(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }
}

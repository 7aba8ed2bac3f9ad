package kiln.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.layers.Activation;
import kiln.nn.layers.BatchNorm1d;
import kiln.nn.layers.Linear;
import kiln.nn.layers.Sequential;
import kiln.nn.models.ModelZoo;

/**
 * Kiln's files read by an independent reader: tools/reference/read_safetensors.py, plain numpy + json,
 * sees the same tensors bit for bit and the same metadata. Skipped (with the reason) only where
 * /usr/bin/python3 with numpy is missing.
 */
class PythonReaderTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    private static Path script;

    @BeforeAll
    static void findPythonAndTheScript() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "skipped: " + PYTHON + " is missing (install python3-numpy)");
        assumeTrue(run(List.of(PYTHON, "-c", "import numpy")).exitCode() == 0, "skipped: " + PYTHON + " has no numpy (install python3-numpy)");
        script = repositoryRoot().resolve("tools/reference/read_safetensors.py");
    }

    /** The folder holding tools/reference: searched upwards from the working folder (Maven runs tests in nn/). */
    private static Path repositoryRoot() {
        for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
            if (Files.isRegularFile(folder.resolve("tools/reference/read_safetensors.py"))) {
                return folder;
            }
        }
        throw new IllegalStateException("tools/reference/read_safetensors.py not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void pythonSeesEveryDtypeBitForBit() throws IOException, InterruptedException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("f32", Tensor.fromArray(new float[] {-0f, Float.MIN_VALUE, Float.intBitsToFloat(0x7fc0beef), Float.NEGATIVE_INFINITY, 0.1f, 3e38f}, 2, 3));
        tensors.put("f64", Tensor.fromArray(new double[] {-0.0, Double.MIN_VALUE, Math.E, Double.NaN}, 4, 1));
        tensors.put("i32", Tensor.fromArray(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, 3));
        tensors.put("i64", Tensor.fromArray(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, 1, 3));
        tensors.put("bool", Tensor.fromArray(new boolean[] {true, false, true}, 3));
        tensors.put("scalar", Tensor.scalar(2.5, DType.FLOAT64));
        tensors.put("empty", Tensor.zeros(DType.INT64, 0, 4));
        Map<String, String> metadata = Map.of("note", "é \uD83D\uDE00 \"quoted\"\n");
        Path file = dir.resolve("dtypes.safetensors");
        try {
            SafeTensors.write(file, tensors, metadata);
            assertPythonAgrees(file, tensors, metadata);
        } finally {
            tensors.values().forEach(Tensor::close);
        }
    }

    @Test
    void pythonSeesACheckpointsStateDictAndMetadata() throws IOException, InterruptedException {
        Path file = dir.resolve("model.safetensors");
        Generator rng = new Generator(3);
        try (Module model = new Sequential(new Linear(4, 6, rng), new BatchNorm1d(6), Activation.relu(), new Linear(6, 2, rng))) {
            try (MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
                model.forward(Tensor.randn(rng, 5, 4));                      // moves the running statistics and the count
            }
            Checkpoint.save(file, model, Map.of("kiln.classes", "[\"a\", \"b\"]"));
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT_VERSION);
            metadata.put(Checkpoint.ARCHITECTURE_KEY, Architecture.describe(model));
            metadata.put("kiln.classes", "[\"a\", \"b\"]");
            assertPythonAgrees(file, model.stateDict(), metadata);
        }
    }

    @Test
    void pythonReadsTheLeNetCheckpointTheTrainerWillWrite() throws IOException, InterruptedException {
        Path file = dir.resolve("lenet.safetensors");
        try (Module lenet = ModelZoo.build("lenet", new int[] {1, 28, 28}, 10, new Generator(4))) {
            Checkpoint.save(file, lenet, Map.of());
            assertPythonAgrees(file, lenet.stateDict(),
                    Map.of(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT_VERSION, Checkpoint.ARCHITECTURE_KEY, Architecture.describe(lenet)));
        }
    }

    @Test
    void theComparisonCanFail() throws IOException, InterruptedException {
        Path file = dir.resolve("one.safetensors");
        try (Tensor t = Tensor.fromArray(new float[] {1, 2, 3}, 3)) {
            SafeTensors.write(file, Map.of("t", t), Map.of("k", "v"));
            try (Tensor other = Tensor.fromArray(new float[] {1, Math.nextUp(2f), 3}, 3)) {
                Result result = python(file, Map.of("t", other), Map.of("k", "v"));
                assertEquals(1, result.exitCode(), result.output());
                assertTrue(result.output().contains("tensor 't': 1 elements differ (first at flat index 1)"), result.output());
            }
            Result metadata = python(file, Map.of("t", t), Map.of("k", "w"));
            assertEquals(1, metadata.exitCode(), metadata.output());
            assertTrue(metadata.output().contains("metadata 'k': file has 'v', expected 'w'"), metadata.output());
        }
        Files.write(file, new byte[] {1, 2, 3});
        Result broken = run(List.of(PYTHON, script.toString(), file.toString()));
        assertEquals(2, broken.exitCode(), broken.output());
        assertTrue(broken.output().contains("shorter than the 8-byte header length"), broken.output());
    }

    private void assertPythonAgrees(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException, InterruptedException {
        Result result = python(file, tensors, metadata);
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().startsWith("OK: " + tensors.size() + " tensors and " + metadata.size() + " metadata entries match"),
                result.output());
    }

    /** Runs the script with --expect: the expectations computed here from the tensors' values, not from the file. */
    private Result python(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException, InterruptedException {
        Map<String, Object> expected = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", SafeTensors.code(t.dtype()));
            entry.put("shape", Arrays.stream(t.dims()).boxed().toList());
            entry.put("bits", bits(t));
            expected.put(name, entry);
        });
        Path expect = dir.resolve(file.getFileName() + ".expect.json");
        Files.writeString(expect, Json.write(Map.of("metadata", metadata, "tensors", expected)), StandardCharsets.UTF_8);
        return run(List.of(PYTHON, script.toString(), file.toString(), "--expect", expect.toString()));
    }

    /** The elements as integers: IEEE-754 bit patterns for floats (read-safetensors.py's convention), values otherwise. */
    private static List<Object> bits(Tensor t) {
        List<Object> bits = new ArrayList<>();
        switch (t.dtype()) {
            case FLOAT32 -> { for (float v : t.toFloatArray()) bits.add(Float.floatToRawIntBits(v)); }
            case FLOAT64 -> { for (double v : t.toDoubleArray()) bits.add(Double.doubleToRawLongBits(v)); }
            case INT32 -> { for (int v : t.toIntArray()) bits.add(v); }
            case INT64 -> { for (long v : t.toLongArray()) bits.add(v); }
            case BOOL -> { for (boolean v : t.toBooleanArray()) bits.add(v ? 1 : 0); }
        }
        return bits;
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return new Result(process.exitValue(), output);
    }
}

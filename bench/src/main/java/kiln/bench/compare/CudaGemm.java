package kiln.bench.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import kiln.kernels.cuda.Cuda;
import kiln.kernels.cuda.CudaDriver;
import kiln.kernels.cuda.Dim3;
import kiln.kernels.cuda.KernelArgs;

/**
 * {@code kiln bench gemm --device cuda}: each step of the SGEMM ladder (native/src/main/cuda/sgemm.cu)
 * and the engine's {@code kiln_sgemm_batched} (batch 1) on square float32 products C = A·B, N = 1024,
 * 2048, 4096, timed with CUDA events (warm-up launches, then samples of back-to-back launches; min /
 * median / max GFLOP/s), beside cuBLAS through PyTorch ({@code bench/peers/torch_gemm_cuda.py}), with each
 * kernel's median as a fraction of cuBLAS's. Each kernel's output is poisoned before it runs and spot-checked
 * against float64 after, so that a wrong kernel is not reported as a fast one.
 *
 * <p>Without a GPU it prints {@code CUDA unavailable: <reason>} and returns 2.
 */
final class CudaGemm {
    static final int[] SIZES = {1024, 2048, 4096};
    static final int[] QUICK_SIZES = {1024, 4096};
    static final Path PEER = Path.of("bench", "peers", "torch_gemm_cuda.py");
    private static final int WARMUP = 3;
    private static final double SAMPLE_MS = 20;

    /** One kernel and how to launch it on N×N operands. */
    record Kernel(String name, int tile, boolean batched) {
        Dim3 grid(int n) {
            return Dim3.of((n + tile - 1) / tile, (n + tile - 1) / tile);
        }

        Dim3 block() {
            return tile == 32 ? Dim3.of(32, 32) : Dim3.of(256);
        }

        void arguments(KernelArgs args, long c, long a, long b, int n) {
            args.clear().pointer(c).pointer(a).pointer(b).int32(n).int32(n).int32(n);
            if (batched) {
                args.int32(0).int32(0).int64(0).int64(0).int64(0);     // no transposes, batch 1
            }
        }
    }

    static final List<Kernel> KERNELS = List.of(new Kernel("kiln_sgemm_naive", 32, false), new Kernel("kiln_sgemm_tiled", 32, false),
            new Kernel("kiln_sgemm_regtile", 64, false), new Kernel("kiln_sgemm_vectorized", 128, false),
            new Kernel("kiln_sgemm_warptile", 128, false), new Kernel("kiln_sgemm_batched", 128, true));

    private CudaGemm() {}

    /** One kernel's figures at one size. */
    record Result(String kernel, int n, Timing gflops) {}

    static int run(CompareOptions options, PrintStream out, PrintStream err) throws InterruptedException {
        Cuda.Status status = Cuda.status();
        if (!status.available()) {
            err.println(status.line());
            return 2;
        }
        if (Cuda.class.getClassLoader().getResource(Cuda.FATBIN_RESOURCE) == null) {
            err.println("CUDA unavailable: this build has no CUDA kernels (kiln-native was built without nvcc)");
            return 2;
        }
        int[] sizes = options.quick() ? QUICK_SIZES : SIZES;
        int repeats = options.quick() ? 5 : 10;
        err.println("kiln bench: " + status.line());
        CudaDriver driver = status.driver();
        int device = driver.device(0);
        driver.setCurrentContext(driver.retainPrimaryContext(device));
        List<Result> results = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            long module = driver.loadModule(Cuda.fatbin(arena));
            for (int n : sizes) {
                results.addAll(measure(driver, module, n, repeats, err));
            }
            driver.unloadModule(module);
        } finally {
            driver.releasePrimaryContext(device);
        }
        List<PeerRecord> cublas = List.of();
        if (options.peers()) {
            try {
                cublas = peer(sizes, repeats);
            } catch (IOException e) {
                err.println("kiln bench: cuBLAS not measured: " + e.getMessage());
            }
        }
        out.print(table(status.line(), results, cublas));
        return 0;
    }

    /**
     * Every kernel at size n on the same random operands: C poisoned with NaN, warm-up launches,
     * {@code repeats} event-timed samples of back-to-back launches (each at least SAMPLE_MS), then a spot check.
     */
    static List<Result> measure(CudaDriver driver, long module, int n, int repeats, PrintStream err) {
        long elements = (long) n * n, bytes = 4 * elements;
        SplittableRandom random = new SplittableRandom(n);
        float[] va = new float[(int) elements], vb = new float[(int) elements];
        for (int i = 0; i < va.length; i++) {
            va[i] = (float) random.nextDouble(-1, 1);
            vb[i] = (float) random.nextDouble(-1, 1);
        }
        List<Result> results = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT, elements);
            long a = driver.allocate(bytes), b = driver.allocate(bytes), c = driver.allocate(bytes);
            long start = driver.createEvent(), end = driver.createEvent();
            MemorySegment.copy(va, 0, host, ValueLayout.JAVA_FLOAT, 0, va.length);
            driver.copyToDevice(a, host, bytes);
            MemorySegment.copy(vb, 0, host, ValueLayout.JAVA_FLOAT, 0, vb.length);
            driver.copyToDevice(b, host, bytes);
            KernelArgs args = KernelArgs.of(arena);
            double flops = 2.0 * n * n * n;
            for (Kernel kernel : KERNELS) {
                host.fill((byte) 0xff);                               // NaN: an element the kernel does not write shows
                driver.copyToDevice(c, host, bytes);
                long function = driver.function(module, kernel.name());
                kernel.arguments(args, c, a, b, n);
                Runnable launch = () -> driver.launch(function, kernel.grid(n), kernel.block(), 0, 0, args);
                for (int i = 0; i < WARMUP; i++) {
                    launch.run();
                }
                double once = millis(driver, start, end, launch, 1);
                int calls = (int) Math.max(1, Math.round(SAMPLE_MS / Math.max(once, 1e-3)));
                double[] gflops = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    gflops[r] = flops / (millis(driver, start, end, launch, calls) / calls / 1e3) / 1e9;
                }
                driver.copyToHost(host, c, bytes);
                spotCheck(kernel.name(), host, va, vb, n);
                Result result = new Result(kernel.name(), n, Timing.of(gflops));
                err.println(String.format(Locale.ROOT, "kiln bench: %s N=%d: %s GFLOP/s", kernel.name(), n, result.gflops().format(Unit.GFLOPS)));
                results.add(result);
            }
            driver.destroyEvent(start);
            driver.destroyEvent(end);
            driver.free(a);
            driver.free(b);
            driver.free(c);
        }
        return results;
    }

    private static double millis(CudaDriver driver, long start, long end, Runnable launch, int calls) {
        driver.recordEvent(start, 0);
        for (int i = 0; i < calls; i++) {
            launch.run();
        }
        driver.recordEvent(end, 0);
        driver.synchronizeEvent(end);
        return driver.elapsedMillis(start, end);
    }

    /** 64 entries of C, spread over the matrix, against float64. */
    private static void spotCheck(String kernel, MemorySegment c, float[] a, float[] b, int n) {
        SplittableRandom random = new SplittableRandom(1);
        for (int s = 0; s < 64; s++) {
            int i = random.nextInt(n), j = random.nextInt(n);
            double sum = 0;
            for (int p = 0; p < n; p++) {
                sum += (double) a[i * n + p] * b[p * n + j];
            }
            float got = c.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * n + j);
            if (!(Math.abs(got - sum) <= 1e-4 * Math.sqrt(n) + 1e-5 * Math.abs(sum))) {
                throw new IllegalStateException(kernel + " N=" + n + ": C[" + i + ", " + j + "] = " + got + ", float64 says " + sum);
            }
        }
    }

    /** Runs the cuBLAS peer with python3 ($KILN_PYTHON), which must import torch and see the GPU. */
    static List<PeerRecord> peer(int[] sizes, int repeats) throws IOException, InterruptedException {
        if (!Files.isRegularFile(PEER)) {
            throw new IOException("no " + PEER.toAbsolutePath().normalize());
        }
        String python = System.getenv().getOrDefault("KILN_PYTHON", "python3");
        Process process = new ProcessBuilder(python, PEER.toString(), "--sizes",
                Arrays.stream(sizes).mapToObj(String::valueOf).collect(Collectors.joining(",")), "--repeats", String.valueOf(repeats))
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0) {
            throw new IOException(PEER + " failed: " + (stderr.isEmpty() ? "no output" : stderr.substring(stderr.lastIndexOf('\n') + 1)));
        }
        return PeerRecord.parse(stdout.lines().filter(line -> !line.isBlank()).toList(), PEER.toString());
    }

    /** The Markdown table: one row per kernel and size, with the ratio of its median to cuBLAS's. */
    static String table(String device, List<Result> results, List<PeerRecord> cublas) {
        StringBuilder table = new StringBuilder("# kiln bench gemm --device cuda\n\n").append(device).append("\n\n")
                .append("Square float32 C = A·B, GFLOP/s (min / median / max), timed with CUDA events; cuBLAS through PyTorch, TF32 off.\n\n")
                .append("| kernel | N | Kiln GFLOP/s | cuBLAS GFLOP/s | Kiln / cuBLAS |\n|---|---:|---:|---:|---:|\n");
        for (Result result : results) {
            PeerRecord peer = PeerRecord.find(cublas, "bench", "sgemm_cuda", "lib", "torch", "n", result.n());
            Timing reference = peer == null ? null : peer.timing("gflops");
            table.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", result.kernel(), result.n(), result.gflops().format(Unit.GFLOPS),
                    reference == null ? "n/a" : reference.format(Unit.GFLOPS),
                    reference == null ? "n/a" : String.format(Locale.ROOT, "%.2f", result.gflops().median() / reference.median())));
        }
        return table.toString();
    }
}

package kiln.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kiln's CUDA kernels on a real GPU against CPU references, on random inputs of awkward sizes. Skipped,
 * with the driver's one-line reason, where there is no GPU (this machine, CI).
 */
class CudaKernelsGpuTest {
    private static CudaDriver driver;
    private static int device;
    private static long module;
    private static Arena arena;

    @BeforeAll
    static void loadTheKernels() {
        if (!Cuda.status().available() || !hasFatbin()) {
            return;                      // each test then skips, saying why (checkTheGpu)
        }
        driver = Cuda.status().driver();
        device = driver.device(0);
        driver.setCurrentContext(driver.retainPrimaryContext(device));
        arena = Arena.ofShared();
        module = driver.loadModule(Cuda.fatbin(arena));
    }

    /** Skips a test, with the driver's one line, where there is no GPU or no fatbin. */
    @BeforeEach
    void checkTheGpu() {
        assumeTrue(Cuda.status().available(), Cuda.status().line());
        assumeTrue(hasFatbin(), "kiln-native was built without nvcc: no CUDA kernels to run");
    }

    private static boolean hasFatbin() {
        return Cuda.class.getClassLoader().getResource(Cuda.FATBIN_RESOURCE) != null;
    }

    @AfterAll
    static void unload() {
        if (driver != null) {
            driver.unloadModule(module);
            driver.releasePrimaryContext(device);
            arena.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 17, 31, 33, 1023, 1025, 65_537, 1_000_003})
    void elementwiseKernelsMatchTheCpu(int n) {
        SplittableRandom random = new SplittableRandom(n);
        float[] a = randomFloats(random, n), b = randomFloats(random, n);
        try (Arena call = Arena.ofConfined()) {
            long da = upload(call, a), db = upload(call, b), dout = driver.allocate(4L * n);
            KernelArgs args = KernelArgs.of(call);
            Dim3 grid = Dim3.of(Math.min(4096, (n + 255) / 256)), block = Dim3.of(256);
            driver.launch(driver.function(module, "kiln_add_f32"), grid, block, 0, 0, args.pointer(dout).pointer(da).pointer(db).int64(n));
            float[] sum = download(call, dout, n);
            driver.launch(driver.function(module, "kiln_mul_f32"), grid, block, 0, 0, args.clear().pointer(dout).pointer(da).pointer(db).int64(n));
            float[] product = download(call, dout, n);
            driver.launch(driver.function(module, "kiln_relu_f32"), grid, block, 0, 0, args.clear().pointer(dout).pointer(da).int64(n));
            float[] relu = download(call, dout, n);
            driver.launch(driver.function(module, "kiln_relu_grad_f32"), grid, block, 0, 0,
                    args.clear().pointer(dout).pointer(da).pointer(db).int64(n));
            float[] reluGrad = download(call, dout, n);
            for (int i = 0; i < n; i++) {
                assertEquals(a[i] + b[i], sum[i], "add at " + i);
                assertEquals(a[i] * b[i], product[i], "mul at " + i);
                assertEquals(Math.max(a[i], 0f), relu[i], "relu at " + i);
                assertEquals(a[i] > 0 ? b[i] : 0f, reluGrad[i], "relu grad at " + i);
            }
            driver.free(da);
            driver.free(db);
            driver.free(dout);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 1, 1", "17, 31, 13", "33, 65, 129", "128, 256, 784", "257, 127, 300"})
    void sgemmKernelsMatchADoubleReference(int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(31L * m + n + k);
        float[] a = randomFloats(random, m * k), b = randomFloats(random, k * n);
        double[] expected = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[i * k + p] * b[p * n + j];
                }
                expected[i * n + j] = sum;
            }
        }
        try (Arena call = Arena.ofConfined()) {
            long da = upload(call, a), db = upload(call, b), dc = driver.allocate(4L * m * n);
            KernelArgs args = KernelArgs.of(call);
            for (String kernel : new String[] {"kiln_sgemm_naive", "kiln_sgemm_tiled"}) {
                Dim3 block = Dim3.of(32, 32), grid = Dim3.of((n + 31) / 32, (m + 31) / 32);
                driver.launch(driver.function(module, kernel), grid, block, 0, 0,
                        args.clear().pointer(dc).pointer(da).pointer(db).int32(m).int32(n).int32(k));
                float[] c = download(call, dc, m * n);
                for (int i = 0; i < m * n; i++) {
                    assertEquals(expected[i], c[i], 1e-4 * Math.sqrt(k) + 1e-5 * Math.abs(expected[i]), kernel + " at " + i);
                }
            }
            driver.free(da);
            driver.free(db);
            driver.free(dc);
        }
    }

    @Test
    void fillWritesEveryElement() {
        int n = 100_003;
        try (Arena call = Arena.ofConfined()) {
            long out = driver.allocate(4L * n);
            driver.launch(driver.function(module, "kiln_fill_f32"), Dim3.of(64), Dim3.of(128), 0, 0,
                    KernelArgs.of(call).pointer(out).float32(2.5f).int64(n));
            for (float value : download(call, out, n)) {
                assertEquals(2.5f, value);
            }
            driver.free(out);
        }
    }

    private static float[] randomFloats(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    private static long upload(Arena call, float[] values) {
        MemorySegment host = call.allocateFrom(ValueLayout.JAVA_FLOAT, values);
        long device = driver.allocate(host.byteSize());
        driver.copyToDevice(device, host, host.byteSize());
        return device;
    }

    private static float[] download(Arena call, long device, int n) {
        MemorySegment host = call.allocate(ValueLayout.JAVA_FLOAT, n);
        driver.copyToHost(host, device, host.byteSize());
        return host.toArray(ValueLayout.JAVA_FLOAT);
    }
}

package kiln.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kiln's CUDA kernels against references computed here in double, on random inputs of awkward sizes:
 * elementwise ops, sums, softmax and fused cross-entropy, Adam/AdamW and SGD (SGEMM: {@link SgemmKernelChecks}).
 * Two classes run it: {@link CudaKernelsGpuTest} on a real GPU (skipped, with the driver's one-line
 * reason, where there is none) and {@link CudaKernelsEmulatedTest} over the fake driver, which runs the same CUDA C on the
 * CPU, so that CI checks the kernels' logic even without a GPU.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CudaKernelsContract implements KernelChecks {
    private CudaDriver driver;
    private long module;
    private int device;
    private Arena arena;

    /** Why the kernels cannot run here, in one line; null when they can. */
    protected abstract String unavailable();

    /** The driver to run the kernels with, initialised (called only when {@link #unavailable()} is null). */
    protected abstract CudaDriver openDriver();

    /** The kernels' module image for the driver: the fatbin, or the fake's. */
    protected abstract MemorySegment moduleImage(Arena arena);

    @Override
    public CudaDriver driver() {
        return driver;
    }

    @Override
    public long module() {
        return module;
    }

    @BeforeAll
    void loadTheKernels() {
        if (unavailable() != null) {
            return;                      // each test then skips, saying why (checkTheKernelsCanRun)
        }
        driver = openDriver();
        device = driver.device(0);
        driver.setCurrentContext(driver.retainPrimaryContext(device));
        arena = Arena.ofShared();
        module = driver.loadModule(moduleImage(arena));
    }

    @BeforeEach
    void checkTheKernelsCanRun() {
        String reason = unavailable();
        assumeTrue(reason == null, reason);
    }

    @AfterAll
    void unload() {
        if (driver != null) {
            driver.unloadModule(module);
            driver.releasePrimaryContext(device);
            arena.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 17, 31, 33, 1023, 1025, 65_537, 1_000_003})
    void elementwiseKernelsMatchTheCpu(int n) {
        assumeTrue(affordable(n), "inputs this large are checked on a GPU only");
        SplittableRandom random = new SplittableRandom(n);
        float[] a = randomFloats(random, n), b = randomFloats(random, n);
        try (Arena call = Arena.ofConfined()) {
            long da = upload(call, a), db = upload(call, b), dout = driver().allocate(4L * n);
            KernelArgs args = KernelArgs.of(call);
            Dim3 grid = Dim3.of(Math.min(4096, (n + 255) / 256)), block = Dim3.of(256);
            long[] layout = KernelChecks.contiguousLayout(n);
            // kiln_zip_f32 numbers its ops as BinaryOp (ADD 0, MUL 2, RELU_GRAD 7), kiln_map_f32 as UnaryOp (RELU 8).
            launch("kiln_zip_f32", grid, block, args.pointer(dout).pointer(da).pointer(db).int64s(layout).int64(n).int32(0));
            float[] sum = download(call, dout, n);
            launch("kiln_zip_f32", grid, block, args.clear().pointer(dout).pointer(da).pointer(db).int64s(layout).int64(n).int32(2));
            float[] product = download(call, dout, n);
            launch("kiln_map_f32", grid, block, args.clear().pointer(dout).pointer(da).int64s(layout).int64(n).int32(8).float32(0).float32(0));
            float[] relu = download(call, dout, n);
            launch("kiln_zip_f32", grid, block, args.clear().pointer(dout).pointer(db).pointer(da).int64s(layout).int64(n).int32(7));
            float[] reluGrad = download(call, dout, n);
            for (int i = 0; i < n; i++) {
                assertEquals(a[i] + b[i], sum[i], "add at " + i);
                assertEquals(a[i] * b[i], product[i], "mul at " + i);
                assertEquals(Math.max(a[i], 0f), relu[i], "relu at " + i);
                assertEquals(a[i] > 0 ? b[i] : 0f, reluGrad[i], "relu grad at " + i);
            }
            freeAll(da, db, dout);
        }
    }

    @Test
    void fillWritesEveryElement() {
        int n = 100_003;
        try (Arena call = Arena.ofConfined()) {
            long out = driver().allocate(4L * n);
            driver().launch(driver().function(module(), "kiln_fill_f32"), Dim3.of(64), Dim3.of(128), 0, 0,
                    KernelArgs.of(call).pointer(out).float32(2.5f).int64(n));
            for (float value : download(call, out, n)) {
                assertEquals(2.5f, value);
            }
            driver().free(out);
        }
    }

    /** Two passes: per-block partial sums in double, then one block adds them. */
    @ParameterizedTest
    @ValueSource(ints = {1, 255, 257, 4097, 1_000_003})
    void sumMatchesADoubleSum(int n) {
        assumeTrue(affordable(n), "inputs this large are checked on a GPU only");
        float[] x = randomFloats(new SplittableRandom(n), n);
        double expected = 0;
        for (float value : x) {
            expected += value;
        }
        try (Arena call = Arena.ofConfined()) {
            int blocks = Math.min(1024, (n + 255) / 256);
            long dx = upload(call, x), partials = driver().allocate(8L * blocks), total = driver().allocate(8);
            KernelArgs args = KernelArgs.of(call);
            driver().launch(driver().function(module(), "kiln_sum_f32"), Dim3.of(blocks), Dim3.of(256), 0, 0,
                    args.pointer(partials).pointer(dx).int64(n));
            driver().launch(driver().function(module(), "kiln_sum_f64"), Dim3.of(1), Dim3.of(256), 0, 0,
                    args.clear().pointer(total).pointer(partials).int32(blocks));
            MemorySegment result = call.allocate(ValueLayout.JAVA_DOUBLE);
            driver().copyToHost(result, total, 8);
            assertEquals(expected, result.get(ValueLayout.JAVA_DOUBLE, 0), 1e-9 * n);
            freeAll(dx, partials, total);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "3, 10", "128, 10", "7, 1000", "2, 4099"})
    void rowKernelsMatchTheirReferences(int rows, int cols) {
        SplittableRandom random = new SplittableRandom(rows * 1000L + cols);
        float[] x = randomFloats(random, rows * cols);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 20;                                  // logits wide enough for the max shift to matter
        }
        long[] labels = new long[rows];
        float[] upstream = randomFloats(random, rows);
        for (int r = 0; r < rows; r++) {
            labels[r] = random.nextInt(cols);
        }
        long ignore = -100;
        if (rows > 2) {
            labels[1] = ignore;                          // ignored: loss and gradient 0
            labels[2] = cols;                            // out of range: its loss must come back NaN
        }
        try (Arena call = Arena.ofConfined()) {
            long dx = upload(call, x), sums = driver().allocate(4L * rows), soft = driver().allocate(4L * rows * cols);
            long loss = driver().allocate(4L * rows), lse = driver().allocate(4L * rows), grad = driver().allocate(4L * rows * cols);
            long dg = upload(call, upstream);
            long dlabels = upload(call.allocateFrom(ValueLayout.JAVA_LONG, labels));
            KernelArgs args = KernelArgs.of(call);
            Dim3 grid = Dim3.of(rows), block = Dim3.of(256);
            launch("kiln_sum_rows_f32", grid, block, args.pointer(sums).pointer(dx).int32(rows).int32(cols));
            launch("kiln_softmax_rows_f32", grid, block, args.clear().pointer(soft).pointer(dx).int32(rows).int32(cols).int32(0));
            launch("kiln_cross_entropy_forward_f32", grid, block,
                    args.clear().pointer(loss).pointer(lse).pointer(dx).pointer(dlabels).int64(ignore).int32(rows).int32(cols));
            launch("kiln_cross_entropy_backward_f32", grid, block,
                    args.clear().pointer(grad).pointer(dg).pointer(dx).pointer(dlabels).int64(ignore).pointer(lse).int32(rows).int32(cols));
            float[] rowSums = download(call, sums, rows), softmax = download(call, soft, rows * cols);
            float[] losses = download(call, loss, rows), grads = download(call, grad, rows * cols);
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0, exps = 0;
                for (int j = 0; j < cols; j++) {
                    max = Math.max(max, x[r * cols + j]);
                    sum += x[r * cols + j];
                }
                for (int j = 0; j < cols; j++) {
                    exps += Math.exp(x[r * cols + j] - max);
                }
                assertEquals(sum, rowSums[r], 1e-5 * (1 + Math.abs(sum)), "row sum " + r);
                boolean ignored = labels[r] == ignore, valid = labels[r] >= 0 && labels[r] < cols;
                if (ignored) {
                    assertEquals(0f, losses[r], "an ignored row has no loss, row " + r);
                } else if (valid) {
                    assertEquals(Math.log(exps) + max - x[r * cols + (int) labels[r]], losses[r], 1e-4, "loss of row " + r);
                } else {
                    assertTrue(Float.isNaN(losses[r]), "an out-of-range label gives a NaN loss, row " + r);
                }
                for (int j = 0; j < cols; j++) {
                    double p = Math.exp(x[r * cols + j] - max) / exps;
                    assertEquals(p, softmax[r * cols + j], 1e-6, "softmax " + r + ", " + j);
                    if (ignored || valid) {
                        double expected = ignored ? 0 : (p - (j == labels[r] ? 1 : 0)) * upstream[r];
                        assertEquals(expected, grads[r * cols + j], 1e-6, "gradient " + r + ", " + j);
                    }
                }
            }
            freeAll(dx, sums, soft, loss, lse, grad, dg, dlabels);
        }
    }

    /** Three steps of Adam, then of AdamW, against the formulas in double; and SGD with momentum. */
    @ParameterizedTest
    @ValueSource(ints = {1, 1037})
    void optimizerUpdatesMatchTheirFormulas(int n) {
        SplittableRandom random = new SplittableRandom(n);
        float lr = 0.01f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, decay = 0.1f, momentum = 0.9f;
        try (Arena call = Arena.ofConfined()) {
            for (int decoupled = 0; decoupled <= 1; decoupled++) {
                float[] p = randomFloats(random, n), m = new float[n], v = new float[n];
                double[] pe = toDouble(p), me = new double[n], ve = new double[n];
                long dp = upload(call, p), dm = upload(call, m), dv = upload(call, v);
                for (int t = 1; t <= 3; t++) {
                    float[] g = randomFloats(random, n);
                    long dg = upload(call, g);
                    float c1 = (float) (1 - Math.pow(beta1, t)), c2 = (float) (1 - Math.pow(beta2, t));
                    driver().launch(driver().function(module(), "kiln_adam_f32"), Dim3.of((n + 255) / 256), Dim3.of(256), 0, 0,
                            KernelArgs.of(call).pointer(dp).pointer(dg).pointer(dm).pointer(dv).int64(n).float32(lr).float32(beta1)
                                    .float32(beta2).float32(eps).float32(decay).int32(decoupled).float32(c1).float32(c2));
                    driver().free(dg);
                    for (int i = 0; i < n; i++) {
                        double grad = g[i] + (decoupled == 0 ? decay * pe[i] : 0);
                        me[i] = beta1 * me[i] + (1 - beta1) * grad;
                        ve[i] = beta2 * ve[i] + (1 - beta2) * grad * grad;
                        double param = decoupled == 1 ? pe[i] - lr * decay * pe[i] : pe[i];
                        pe[i] = param - lr * (me[i] / c1) / (Math.sqrt(ve[i] / c2) + eps);
                    }
                }
                float[] result = download(call, dp, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(pe[i], result[i], 1e-5, (decoupled == 1 ? "AdamW" : "Adam") + " parameter " + i);
                }
                freeAll(dp, dm, dv);
            }
            float[] p = randomFloats(random, n);
            double[] pe = toDouble(p), be = new double[n];
            long dp = upload(call, p), db = driver().allocate(4L * n);
            for (int step = 0; step < 3; step++) {
                float[] g = randomFloats(random, n);
                long dg = upload(call, g);
                driver().launch(driver().function(module(), "kiln_sgd_momentum_f32"), Dim3.of((n + 255) / 256), Dim3.of(256), 0, 0,
                        KernelArgs.of(call).pointer(dp).pointer(dg).pointer(db).int64(n).float32(lr).float32(momentum).int32(step == 0 ? 1 : 0));
                driver().free(dg);
                for (int i = 0; i < n; i++) {
                    be[i] = step == 0 ? g[i] : momentum * be[i] + g[i];
                    pe[i] -= lr * be[i];
                }
            }
            float[] result = download(call, dp, n);
            for (int i = 0; i < n; i++) {
                assertEquals(pe[i], result[i], 1e-5, "SGD parameter " + i);
            }
            driver().free(dp);
            driver().free(db);
        }
    }
}

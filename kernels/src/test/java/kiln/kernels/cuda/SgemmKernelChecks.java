package kiln.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SGEMM ladder (native/src/main/cuda/sgemm.cu) and the engine's batched SGEMM against products
 * computed here in double, on random inputs: sizes on and off the tiles' edges (1, 3, 17, 63, 65, 127,
 * 129), K odd or not a multiple of 4 and rows not 16-byte aligned (the kernels' scalar paths), every
 * transpose of {@code kiln_sgemm_batched}, batch strides that pad, misalign or broadcast (0). Outputs are
 * poisoned with NaN first, so an element a kernel fails to write fails the check.
 */
interface SgemmKernelChecks extends KernelChecks {
    /** The ladder's kernels, in order, with their launch geometry (block, and the tile of C a block computes). */
    enum Step {
        NAIVE("kiln_sgemm_naive", 32),
        TILED("kiln_sgemm_tiled", 32),
        REGTILE("kiln_sgemm_regtile", 64),
        VECTORIZED("kiln_sgemm_vectorized", 128),
        WARPTILE("kiln_sgemm_warptile", 128);

        final String kernel;
        final int tile;

        Step(String kernel, int tile) {
            this.kernel = kernel;
            this.tile = tile;
        }

        /** Steps 1 and 2: a thread per C[i, j], blocks of 32×32; steps 3 to 5: 256 threads per tile. */
        Dim3 block() {
            return tile == 32 ? Dim3.of(32, 32) : Dim3.of(256);
        }

        Dim3 grid(int m, int n) {
            return Dim3.of((n + tile - 1) / tile, (m + tile - 1) / tile);
        }
    }

    /** The emulator's budget: its multiply-adds run as compiled C++ (about 100 M/s here), its threads' switches cost more. */
    private boolean affordableProduct(long m, long n, long k) {
        return affordable(m * n * k / 128);
    }

    @ParameterizedTest
    @CsvSource({"1, 1, 1", "3, 17, 5", "17, 31, 13", "33, 65, 129", "63, 127, 31", "64, 128, 64", "129, 132, 36",
                "65, 129, 66", "128, 256, 784", "257, 127, 300", "129, 260, 130"})
    default void sgemmLadderMatchesADoubleReference(int m, int n, int k) {
        assumeTrue(affordableProduct(m, n, k), "products this large are checked on a GPU only");
        SplittableRandom random = new SplittableRandom(31L * m + n + k);
        float[] a = randomFloats(random, m * k), b = randomFloats(random, k * n);
        double[] expected = product(a, b, m, n, k, false, false);
        try (Arena call = Arena.ofConfined()) {
            long da = upload(call, a), db = upload(call, b), dc = driver().allocate(4L * m * n);
            KernelArgs args = KernelArgs.of(call);
            for (Step step : Step.values()) {
                poison(call, dc, m * n);
                launch(step.kernel, step.grid(m, n), step.block(), args.clear().pointer(dc).pointer(da).pointer(db).int32(m).int32(n).int32(k));
                check(expected, download(call, dc, m * n), k, step.kernel + " " + m + "×" + n + "×" + k);
            }
            freeAll(da, db, dc);
        }
    }

    /**
     * Operands one float past a 16-byte boundary (a view into a larger buffer, as the engine may pass):
     * steps 4 and 5 and the batched kernel must see it and take their scalar loads and stores.
     */
    @ParameterizedTest
    @CsvSource({"64, 128, 64", "65, 132, 20"})
    default void unalignedOperandsTakeTheScalarPath(int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(7L * m + n + k);
        float[] a = randomFloats(random, m * k + 1), b = randomFloats(random, k * n + 1);
        double[] expected = product(Arrays.copyOfRange(a, 1, a.length), Arrays.copyOfRange(b, 1, b.length), m, n, k, false, false);
        try (Arena call = Arena.ofConfined()) {
            long da = upload(call, a), db = upload(call, b), dc = driver().allocate(4L * m * n + 4);
            KernelArgs args = KernelArgs.of(call);
            for (String kernel : new String[] {"kiln_sgemm_vectorized", "kiln_sgemm_warptile", "kiln_sgemm_batched"}) {
                poison(call, dc, m * n + 1);
                args.clear().pointer(dc + 4).pointer(da + 4).pointer(db + 4).int32(m).int32(n).int32(k);
                if (kernel.endsWith("batched")) {
                    args.int32(0).int32(0).int64(0).int64(0).int64(0);
                }
                launch(kernel, Step.WARPTILE.grid(m, n), Dim3.of(256), args);
                float[] c = download(call, dc, m * n + 1);
                assertTrue(Float.isNaN(c[0]), kernel + " wrote before C");
                check(expected, Arrays.copyOfRange(c, 1, c.length), k, kernel + " unaligned " + m + "×" + n + "×" + k);
            }
            freeAll(da, db, dc);
        }
    }

    /**
     * {@code kiln_sgemm_batched} for each of the four transposes: C_z = op(A_z)·op(B_z), entries packed
     * one after another. {@code k = 0} writes zeros.
     */
    @ParameterizedTest
    @CsvSource({"1, 1, 1, 1", "2, 3, 17, 5", "3, 17, 63, 65", "2, 63, 65, 127", "1, 129, 127, 129", "2, 65, 129, 64",
                "2, 128, 132, 36", "1, 127, 3, 1", "2, 1, 129, 63", "1, 5, 7, 0", "1, 256, 384, 260"})
    default void batchedSgemmMatchesADoubleReferenceForEveryTranspose(int batch, int m, int n, int k) {
        assumeTrue(affordableProduct((long) batch * m, n, 4L * k), "products this large are checked on a GPU only");
        for (int transA = 0; transA <= 1; transA++) {
            for (int transB = 0; transB <= 1; transB++) {
                long strideA = (long) m * k, strideB = (long) k * n, strideC = (long) m * n;
                checkBatched(batch, m, n, k, transA == 1, transB == 1, strideA, strideB, strideC);
            }
        }
    }

    /**
     * Batch strides: padded by 4 floats (entries stay 16-byte aligned), by 1 (entries past the first are
     * not: the scalar path), and 0 for A or for B (one matrix broadcast to every entry).
     */
    @ParameterizedTest
    @ValueSource(strings = {"pad4", "pad1", "broadcastA", "broadcastB"})
    default void batchedSgemmHonoursItsStrides(String strides) {
        int batch = 3, m = 33, n = 68, k = 24;
        for (int trans = 0; trans < 4; trans++) {
            boolean transA = (trans & 2) != 0, transB = (trans & 1) != 0;
            long strideA = (long) m * k, strideB = (long) k * n, strideC = (long) m * n;
            switch (strides) {
                case "pad4" -> { strideA += 4; strideB += 4; strideC += 4; }
                case "pad1" -> { strideA += 1; strideB += 1; strideC += 1; }
                case "broadcastA" -> strideA = 0;
                case "broadcastB" -> strideB = 0;
                default -> throw new IllegalArgumentException(strides);
            }
            checkBatched(batch, m, n, k, transA, transB, strideA, strideB, strideC);
        }
    }

    /** One launch of kiln_sgemm_batched, each entry checked, the padding between C's entries left alone. */
    private void checkBatched(int batch, int m, int n, int k, boolean transA, boolean transB, long strideA, long strideB, long strideC) {
        String what = "kiln_sgemm_batched " + batch + "×" + m + "×" + n + "×" + k + (transA ? " Aᵀ" : "") + (transB ? " Bᵀ" : "")
                + " strides " + strideA + ", " + strideB + ", " + strideC;
        SplittableRandom random = new SplittableRandom(1009L * batch + 101L * m + 11L * n + k + (transA ? 7 : 0) + (transB ? 3 : 0));
        int sizeA = (int) (strideA * (batch - 1)) + m * k, sizeB = (int) (strideB * (batch - 1)) + k * n;
        int sizeC = (int) (strideC * (batch - 1)) + m * n;
        float[] a = randomFloats(random, Math.max(sizeA, 1)), b = randomFloats(random, Math.max(sizeB, 1));
        try (Arena call = Arena.ofConfined()) {
            long da = upload(call, a), db = upload(call, b), dc = driver().allocate(4L * sizeC);
            poison(call, dc, sizeC);
            launch("kiln_sgemm_batched", new Dim3((n + 127) / 128, (m + 127) / 128, batch), Dim3.of(256),
                    KernelArgs.of(call).pointer(dc).pointer(da).pointer(db).int32(m).int32(n).int32(k)
                            .int32(transA ? 1 : 0).int32(transB ? 1 : 0).int64(strideA).int64(strideB).int64(strideC));
            float[] c = download(call, dc, sizeC);
            boolean[] written = new boolean[sizeC];
            for (int z = 0; z < batch; z++) {
                float[] az = Arrays.copyOfRange(a, (int) (z * strideA), (int) (z * strideA) + m * k);
                float[] bz = Arrays.copyOfRange(b, (int) (z * strideB), (int) (z * strideB) + k * n);
                int c0 = (int) (z * strideC);
                check(product(az, bz, m, n, k, transA, transB), Arrays.copyOfRange(c, c0, c0 + m * n), k, what + ", entry " + z);
                Arrays.fill(written, c0, c0 + m * n, true);
            }
            for (int i = 0; i < sizeC; i++) {
                assertTrue(written[i] || Float.isNaN(c[i]), what + ": wrote between entries, at " + i);
            }
            freeAll(da, db, dc);
        }
    }

    /**
     * op(A)·op(B) in double: A is [m, k] row-major, or [k, m] when transposed; B is [k, n], or [n, k]
     * when transposed.
     */
    static double[] product(float[] a, float[] b, int m, int n, int k, boolean transA, boolean transB) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j];
                }
                c[i * n + j] = sum;
            }
        }
        return c;
    }

    /** Float32 sums of k products of values in [-1, 1): within about √k float32 roundings. */
    private static void check(double[] expected, float[] actual, int k, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * Math.sqrt(k) + 1e-5 * Math.abs(expected[i]) + 1e-6, what + " at " + i);
        }
    }

    private void poison(Arena call, long device, int n) {
        float[] nan = new float[n];
        Arrays.fill(nan, Float.NaN);
        driver().copyToDevice(device, call.allocateFrom(ValueLayout.JAVA_FLOAT, nan), 4L * n);
    }
}

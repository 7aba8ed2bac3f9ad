package kiln.engine;

import java.util.function.Function;

import kiln.kernels.cpu.Parallel;
import kiln.kernels.cpu.Simd;
import org.junit.jupiter.api.Test;

/**
 * The thread count never changes a result (kernels split work by problem size only and combine
 * partial results in a fixed order), and the SIMD kernels agree with their scalar references
 * within the documented tolerances.
 */
class DeterminismTest {

    /**
     * Runs {@code op} on {@code input} with 1 and then 2 threads and checks the results bit for bit.
     * (The first call may run interpreted code and the second compiled code: that must not change
     * the bits either, see {@link #firstCallMatchesLaterCalls}.)
     */
    private static void sameForOneAndTwoThreads(String what, Tensor input, Function<Tensor, Tensor> op) {
        int before = Parallel.threads();
        try (MemoryScope s = MemoryScope.open()) {
            Parallel.setThreads(1);
            float[] one = op.apply(input).toFloatArray();
            Parallel.setThreads(2);
            float[] two = op.apply(input).toFloatArray();
            Check.assertBitIdentical(one, two, what + ", 1 vs 2 threads");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void sumOfAMillionFloats() {
        try (Tensor x = Tensor.randn(new Generator(61), 1_000_000)) {
            sameForOneAndTwoThreads("sum of 1M", x, Tensor::sum);
            sameForOneAndTwoThreads("mean of 1M", x, Tensor::mean);
            sameForOneAndTwoThreads("std of 1M", x, Tensor::std);
            sameForOneAndTwoThreads("max of 1M", x, Tensor::max);
        }
    }

    @Test
    void matmul257By263() {
        Generator g = new Generator(62);
        try (Tensor a = Tensor.randn(g, 257, 300); Tensor b = Tensor.randn(g, 300, 263)) {
            sameForOneAndTwoThreads("257x300 @ 300x263", a, x -> x.matmul(b));
            sameForOneAndTwoThreads("batched [4, 257, 300] @ [300, 263]", a, x -> x.unsqueeze(0).expand(4, 257, 300).matmul(b));
        }
    }

    @Test
    void softmaxAndReductionsAlongAxes() {
        try (Tensor x = Tensor.randn(new Generator(63), 600, 1000)) {
            sameForOneAndTwoThreads("softmax rows", x, t -> t.softmax(1));
            sameForOneAndTwoThreads("logSoftmax columns", x, t -> t.logSoftmax(0));
            sameForOneAndTwoThreads("sum over rows", x, t -> t.sum(1, false));
            sameForOneAndTwoThreads("var over columns", x, t -> t.var(0, false));
            sameForOneAndTwoThreads("logsumexp over rows", x, t -> t.logsumexp(1, false));
            sameForOneAndTwoThreads("argmax over rows", x, t -> t.argmax(1, false).to(DType.FLOAT32));
        }
    }

    @Test
    void elementwiseOps() {
        try (Tensor x = Tensor.randn(new Generator(64), 1000, 1000); Tensor row = Tensor.randn(new Generator(65), 1000)) {
            sameForOneAndTwoThreads("gelu", x, Tensor::gelu);
            sameForOneAndTwoThreads("exp", x, Tensor::exp);
            sameForOneAndTwoThreads("add broadcast row", x, t -> t.add(row));
            sameForOneAndTwoThreads("transposed copy", x, t -> t.t().contiguous());
        }
    }

    /**
     * Reproducibility across JIT tiers: a fresh kernel (interpreted: the Vector API's Java fallback,
     * lane by lane) and the same kernel compiled by C2 (vector instructions) give the same bits, so
     * two runs of one seeded program cannot differ by when compilation happens. This failed while
     * exp came from the Vector API's EXP lanes (Math.exp interpreted, SVML compiled: 1349 of 1M gelu
     * results differed by an ulp); the kernels' own VectorMath uses only exactly rounded operations.
     */
    @Test
    void firstCallMatchesLaterCalls() {
        try (Tensor x = Tensor.randn(new Generator(67), 1000, 1000)) {
            float[] first = x.gelu().toFloatArray();
            for (int call = 0; call < 3; call++) {
                Check.assertBitIdentical(first, x.gelu().toFloatArray(), "gelu, first call vs call " + (call + 2));
            }
        }
    }

    /**
     * SIMD vs scalar reference. The float32 sum in SIMD adds at most BLOCK/(2·lanes) values (BLOCK =
     * 32768, lanes ≥ 4) into each float accumulator, so it is within (4096 + 2)·u·Σ|x| of the exact
     * sum (ReduceKernels' accuracy note); the scalar reference sums in double (error ≈ 1e-16·Σ|x|).
     * Softmax: each output within (n + 6 + d)·u relative of the exact value on either path (see
     * SoftmaxTest), so the two within twice that. Matmul: each within (K + 1)·u·Σ|a||b| (see MatmulTest).
     */
    @Test
    void simdAndScalarAgreeWithinDocumentedTolerances() {
        double u = 0x1.0p-24;
        boolean before = Simd.enabled();
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.rand(new Generator(66), 1_000_000);
            double sumAbs = x.abs().to(DType.FLOAT64).sum().item();
            Simd.setEnabled(true);
            double simdSum = x.sum().item();
            float[] simdSoftmax = x.reshape(1000, 1000).mul(4).softmax(1).toFloatArray();
            Simd.setEnabled(false);
            double scalarSum = x.sum().item();
            float[] scalarSoftmax = x.reshape(1000, 1000).mul(4).softmax(1).toFloatArray();
            double exact = x.to(DType.FLOAT64).sum().item();
            Check.assertClose(exact, scalarSum, 1e-12 * sumAbs + Math.ulp((float) exact), 0, "scalar-reference sum");
            Check.assertClose(exact, simdSum, (4096 + 2) * u * sumAbs + Math.ulp((float) exact), 0, "SIMD sum");
            // Inputs in [0, 4): d = |x − max| < 4.
            for (int i = 0; i < simdSoftmax.length; i++) {
                Check.assertClose(scalarSoftmax[i], simdSoftmax[i], 2 * (1000 + 6 + 4) * u * scalarSoftmax[i], 0, "softmax at " + i);
            }
        } finally {
            Simd.setEnabled(before);
        }
    }
}

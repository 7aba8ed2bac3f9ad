package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.List;

import kiln.kernels.cpu.Parallel;
import org.junit.jupiter.api.Test;

/**
 * batchNorm: the float32 kernels against the float64 definition (the formulas as tensor ops, whose
 * gradients the nn module's float64 gradient checks test) on the same values, for features
 * {@code [N, C]}, sequences and images, in training and evaluation: y, the three gradients and the
 * running statistics; data far from zero (a variance that a one-pass formula would lose); the same
 * bits on 1 and 2 threads; and the error messages.
 */
class BatchNormalizationTest {
    private static final List<int[]> SHAPES = List.of(new int[] {6, 5}, new int[] {9, 37}, new int[] {4, 3, 7},
            new int[] {3, 4, 5, 6}, new int[] {8, 3, 64, 64});                 // the last: several channel blocks

    /** y, dx, dweight, dbias, running mean and variance after one batchNorm of dtype {@code type} and its backward. */
    private static double[][] run(float[] values, int[] dims, DType type, boolean training, double offset) {
        Generator rng = new Generator(5);
        int channels = dims[1];
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(values, dims).add(offset).to(type).requiresGrad(true);
            Tensor weight = Tensor.randn(rng, channels).to(type).requiresGrad(true);
            Tensor bias = Tensor.randn(rng, channels).to(type).requiresGrad(true);
            Tensor runningMean = Tensor.randn(rng, channels).add(offset).to(type);
            Tensor runningVar = Tensor.rand(rng, channels).add(0.5).to(type);
            Tensor y = x.batchNorm(weight, bias, runningMean, runningVar, training, 0.1, 1e-5);
            y.backward(Tensor.randn(rng, dims).to(type));
            return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), weight.grad().toDoubleArray(), bias.grad().toDoubleArray(),
                    runningMean.toDoubleArray(), runningVar.toDoubleArray()};
        }
    }

    private static float[] values(int[] dims, long seed) {
        try (Tensor t = Tensor.randn(new Generator(seed), dims).mul(2)) {
            return t.toFloatArray();
        }
    }

    private static void compare(int[] dims, boolean training, double offset) {
        float[] values = values(dims, 7);
        double[][] expected = run(values, dims, DType.FLOAT64, training, offset);
        double[][] actual = run(values, dims, DType.FLOAT32, training, offset);
        String[] names = {"y", "dx", "dweight", "dbias", "running mean", "running var"};
        // Values of size ~3, and float32 sums of up to 2¹⁵ terms of size ~1 for dweight and dbias; the running mean of the
        // offset data is held in float32 to half an ulp of 1e4.
        double terms = (double) Check.numel(dims) / dims[1];
        double[] abs = {2e-5, 2e-5, 1e-5 * Math.sqrt(terms) + 1e-4, 1e-5 * Math.sqrt(terms) + 1e-4, 1e-5 + offset * 1e-7, 1e-5};
        for (int r = 0; r < names.length; r++) {
            Check.assertAllClose(expected[r], actual[r], abs[r], 1e-5, Arrays.toString(dims) + (training ? " training " : " eval ")
                    + names[r]);
        }
    }

    @Test
    void float32KernelsMatchTheDefinition() {
        for (int[] dims : SHAPES) {
            compare(dims, true, 0);
            compare(dims, false, 0);
        }
    }

    @Test
    void dataFarFromZeroKeepsItsVariance() {
        compare(new int[] {64, 3, 5, 5}, true, 1e4);
        compare(new int[] {256, 20}, true, 1e4);
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        int before = Parallel.threads();
        try {
            for (int[] dims : SHAPES) {
                float[] values = values(dims, 8);
                Parallel.setThreads(1);
                double[][] one = run(values, dims, DType.FLOAT32, true, 1);
                Parallel.setThreads(2);
                double[][] two = run(values, dims, DType.FLOAT32, true, 1);
                for (int r = 0; r < one.length; r++) {
                    assertArrayEquals(one[r], two[r], Arrays.toString(dims) + " result " + r);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aKeptGraphGivesTheSameGradientsTwice() {
        try (MemoryScope s = MemoryScope.open()) {
            Generator rng = new Generator(6);
            Tensor x = Tensor.randn(rng, 5, 3, 4).requiresGrad(true);
            Tensor weight = Tensor.randn(rng, 3).requiresGrad(true), bias = Tensor.randn(rng, 3).requiresGrad(true);
            Tensor seed = Tensor.randn(rng, 5, 3, 4);
            Tensor y = x.batchNorm(weight, bias, null, null, true, 0.1, 1e-5);
            y.backward(seed, true);
            float[][] once = {x.grad().toFloatArray(), weight.grad().toFloatArray(), bias.grad().toFloatArray()};
            y.backward(seed, false);                       // the same upstream gradient again: twice the gradients
            float[][] twice = {x.grad().toFloatArray(), weight.grad().toFloatArray(), bias.grad().toFloatArray()};
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < once[r].length; i++) {
                    once[r][i] *= 2;
                }
                Check.assertBitIdentical(once[r], twice[r], "gradient " + r);
            }
        }
    }

    @Test
    void errorsNameTheOpAndTheShapes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.zeros(4, 3, 2);
            Tensor three = Tensor.ones(3);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> x.batchNorm(Tensor.ones(4), three, null, null, true, 0.1, 1e-5),
                    "batchNorm", "[4]", "[3]", "[4, 3, 2]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> x.batchNorm(three, three, null, null, false, 0.1, 1e-5),
                    "batchNorm", "evaluation needs both running statistics");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(1, 3).batchNorm(three, three, null, null, true, 0.1, 1e-5),
                    "batchNorm", "more than one value per channel", "[1, 3]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).batchNorm(three, three, null, null, true, 0.1, 1e-5),
                    "batchNorm", "[3]", "[N, C, ...]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> x.batchNorm(three, three, null, null, true, 0.1, 0),
                    "batchNorm", "eps");
        }
    }
}

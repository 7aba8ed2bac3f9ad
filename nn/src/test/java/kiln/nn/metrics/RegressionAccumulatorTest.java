package kiln.nn.metrics;

import static kiln.nn.metrics.AccuracyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;

/** Tensor batches in, row-major values kept, the {@link Regression} metrics out. */
class RegressionAccumulatorTest {

    @Test
    void tensorBatchesAreKeptRowMajor() {
        var seen = new RegressionAccumulator(2);
        try (Tensor predictions = Tensor.fromArray(new float[] {1, 0, 1, 2}, 2, 2); Tensor targets = Tensor.zeros(2, 2)) {
            seen.add(predictions, targets);
            seen.add(predictions, targets);
        }
        assertEquals(4, seen.size());
        assertArrayEquals(new double[] {1, 0, 1, 2, 1, 0, 1, 2}, seen.predictions());
        assertArrayEquals(new double[8], seen.targets());
        assertEquals((1 + Math.sqrt(2)) / 2, seen.rmse(), 1e-15); // per-output RMSE 1 and sqrt 2, averaged
        assertEquals(1.5, seen.mse(), 1e-15);
    }

    @Test
    void oneOutputAcceptsVectorsAndGrowsPastItsFirstArrays() {
        var seen = new RegressionAccumulator(1);
        for (int batch = 0; batch < 30; batch++) {
            double[] truth = new double[100];
            double[] predicted = new double[100];
            for (int i = 0; i < 100; i++) {
                truth[i] = batch * 100 + i;
                predicted[i] = truth[i] + (i % 2 == 0 ? 1 : -1);
            }
            seen.add(predicted, truth);
        }
        assertEquals(3000, seen.size());
        assertEquals(1.0, seen.mae(), 1e-15);
        assertEquals(2999.0, seen.targets()[2999]);
        try (Tensor p = Tensor.fromArray(new float[] {1, 2}, 2); Tensor t = Tensor.fromArray(new float[] {1, 4}, 2)) {
            seen.reset();
            seen.add(p, t);
        }
        assertEquals(2.0, seen.mse(), 1e-15);
        assertEquals(1 - 4 / 4.5, seen.r2(), 1e-15);
    }

    @Test
    void badInputIsRefused() {
        assertMessage("RegressionAccumulator: outputs must be >= 1, got 0", () -> new RegressionAccumulator(0));
        var seen = new RegressionAccumulator(2);
        try (Tensor a = Tensor.zeros(3, 2); Tensor b = Tensor.zeros(3, 1); Tensor c = Tensor.zeros(3, 1)) {
            assertMessage("RegressionAccumulator: predictions [3, 2] and targets [3, 1] differ in shape", () -> seen.add(a, b));
            assertMessage("RegressionAccumulator: expected [n, 2], got [3, 1]", () -> seen.add(b, c));
        }
        assertMessage("RegressionAccumulator: 3 values are not rows of 2 outputs", () -> seen.add(new double[3], new double[3]));
        assertMessage("Regression.mse: needs at least 1 example, got 0", seen::mse);
    }
}

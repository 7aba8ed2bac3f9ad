package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;

class SyntheticTest {
    /** Coordinates are float32 near 1: each is within 2^-24 relative of the exact value. */
    private static final double ON_SHAPE = 1e-6;

    @Test
    void classificationSetsHaveTheDocumentedShapesTypesAndBalance() {
        try (TensorDataset moons = Synthetic.moons(101, 0.1, new Generator(1));
             TensorDataset spirals = Synthetic.spirals(100, 3, 1.5, 0.05, new Generator(1));
             TensorDataset blobs = Synthetic.blobs(10, new double[][] {{0, 0, 0}, {5, 5, 5}}, 1, new Generator(1))) {
            assertArrayEquals(new int[] {101, 2}, moons.features().dims());
            assertEquals(DType.FLOAT32, moons.features().dtype());
            assertArrayEquals(new int[] {101}, moons.targets().dims());
            assertEquals(DType.INT64, moons.targets().dtype());
            assertArrayEquals(new long[] {51, 50}, classCounts(moons.targets().toLongArray(), 2));
            assertArrayEquals(new long[] {34, 33, 33}, classCounts(spirals.targets().toLongArray(), 3));
            assertArrayEquals(new int[] {10, 3}, blobs.features().dims());
            assertArrayEquals(new long[] {0, 1, 0, 1}, Arrays.copyOf(blobs.targets().toLongArray(), 4), "interleaved classes");
        }
    }

    @Test
    void theSameGeneratorStateGivesTheSameDataAndAnotherDifferentData() {
        try (TensorDataset a = Synthetic.circles(50, 0.05, 0.5, new Generator(3));
             TensorDataset b = Synthetic.circles(50, 0.05, 0.5, new Generator(3));
             TensorDataset c = Synthetic.circles(50, 0.05, 0.5, new Generator(4))) {
            assertArrayEquals(a.features().toFloatArray(), b.features().toFloatArray());
            assertFalse(Arrays.equals(a.features().toFloatArray(), c.features().toFloatArray()));
        }
        Generator shared = new Generator(5);
        try (TensorDataset train = Synthetic.moons(20, 0, shared); TensorDataset test = Synthetic.moons(20, 0, shared)) {
            assertFalse(Arrays.equals(train.features().toFloatArray(), test.features().toFloatArray()), "two samples, not one twice");
        }
    }

    @Test
    void noiselessMoonsLieOnTheirHalfCircles() {
        try (TensorDataset moons = Synthetic.moons(200, 0, new Generator(6))) {
            float[] xy = moons.features().toFloatArray();
            long[] labels = moons.targets().toLongArray();
            for (int i = 0; i < labels.length; i++) {
                double x = xy[2 * i];
                double y = xy[2 * i + 1];
                if (labels[i] == 0) {       // upper half of the unit circle
                    assertEquals(1, Math.hypot(x, y), ON_SHAPE);
                    assertTrue(y >= 0);
                } else {                    // lower half of the unit circle around (1, 1/2)
                    assertEquals(1, Math.hypot(x - 1, y - 0.5), ON_SHAPE);
                    assertTrue(y <= 0.5);
                }
            }
        }
    }

    @Test
    void noiselessCirclesHaveRadiusOneAndFactor() {
        try (TensorDataset circles = Synthetic.circles(100, 0, 0.3, new Generator(7))) {
            float[] xy = circles.features().toFloatArray();
            long[] labels = circles.targets().toLongArray();
            for (int i = 0; i < labels.length; i++) {
                assertEquals(labels[i] == 0 ? 1 : 0.3, Math.hypot(xy[2 * i], xy[2 * i + 1]), ON_SHAPE);
            }
        }
    }

    @Test
    void noisyCirclesScatterRadiallyByAboutTheNoise() {
        // To first order the radial part of isotropic N(0, σ²) noise is N(0, σ²).
        try (TensorDataset circles = Synthetic.circles(4000, 0.02, 0.5, new Generator(8))) {
            float[] xy = circles.features().toFloatArray();
            long[] labels = circles.targets().toLongArray();
            double squares = 0;
            for (int i = 0; i < labels.length; i++) {
                double deviation = Math.hypot(xy[2 * i], xy[2 * i + 1]) - (labels[i] == 0 ? 1 : 0.5);
                squares += deviation * deviation;
            }
            assertEquals(0.02, Math.sqrt(squares / labels.length), 0.002);
        }
    }

    @Test
    void blobsCentreOnTheirCentresAndSeparateWhenFarApart() {
        double[][] centers = {{-4, 0}, {4, 0}, {0, 6}};
        try (TensorDataset blobs = Synthetic.blobs(3000, centers, 1, new Generator(9))) {
            float[] xy = blobs.features().toFloatArray();
            long[] labels = blobs.targets().toLongArray();
            double[][] means = classMeans(xy, labels, 3);
            for (int c = 0; c < 3; c++) {
                // 1000 points of deviation 1: standard error 1/√1000 ≈ 0.032.
                assertArrayEquals(centers[c], means[c], 4 * 0.032, "center of class " + c);
            }
            assertTrue(nearestCentroidAccuracy(xy, labels, means) > 0.99);
        }
    }

    @Test
    void concentricCirclesDefeatANearestCentroidClassifierButNotARadiusThreshold() {
        try (TensorDataset circles = Synthetic.circles(1000, 0.05, 0.5, new Generator(10))) {
            float[] xy = circles.features().toFloatArray();
            long[] labels = circles.targets().toLongArray();
            double centroidAccuracy = nearestCentroidAccuracy(xy, labels, classMeans(xy, labels, 2));
            assertTrue(centroidAccuracy < 0.65, "both centroids sit near the origin: " + centroidAccuracy);
            int correct = 0;
            for (int i = 0; i < labels.length; i++) {
                long predicted = Math.hypot(xy[2 * i], xy[2 * i + 1]) < 0.75 ? 1 : 0;
                correct += predicted == labels[i] ? 1 : 0;
            }
            assertTrue(correct >= 0.99 * labels.length, "radius threshold: " + correct);
        }
    }

    @Test
    void noiselessSpiralPointsWindOutwardsAtTheirArmsAngle() {
        int arms = 3;
        double turns = 1.5;
        try (TensorDataset spirals = Synthetic.spirals(300, arms, turns, 0, new Generator(11))) {
            float[] xy = spirals.features().toFloatArray();
            long[] labels = spirals.targets().toLongArray();
            for (int i = 0; i < labels.length; i++) {
                double radius = Math.hypot(xy[2 * i], xy[2 * i + 1]);
                assertTrue(radius < 1);
                if (radius < 1e-3) {
                    continue;      // the angle of a point this near the centre is lost to float32 rounding
                }
                double expected = 2 * Math.PI * ((double) labels[i] / arms + turns * radius);
                double difference = Math.IEEEremainder(Math.atan2(xy[2 * i + 1], xy[2 * i]) - expected, 2 * Math.PI);
                assertEquals(0, difference, 1e-4, "point " + i);
            }
        }
    }

    @Test
    void noiselessRegressionTargetsAreTheLinearFunctionOfTheStoredFeatures() {
        double[] weights = {2, -1.5, 0.25};
        try (Synthetic.Regression problem = Synthetic.linearRegression(50, weights, 0.5, 0, new Generator(12))) {
            assertArrayEquals(new int[] {50, 3}, problem.data().features().dims());
            assertArrayEquals(new int[] {50, 1}, problem.data().targets().dims());
            assertEquals(DType.FLOAT32, problem.data().targets().dtype());
            assertResiduals(problem, 0);
        }
    }

    @Test
    void regressionWithRandomCoefficientsReportsThemAndAddsTheNoise() {
        try (Synthetic.Regression exact = Synthetic.linearRegression(20, 4, 0, new Generator(13));
             Synthetic.Regression noisy = Synthetic.linearRegression(5000, 2, 0.3, new Generator(14))) {
            assertEquals(4, exact.weights().length);
            for (double w : exact.weights()) {
                assertTrue(w >= -1 && w < 1);
            }
            assertTrue(exact.bias() >= -1 && exact.bias() < 1);
            assertResiduals(exact, 0);
            assertResiduals(noisy, 0.3);
        }
    }

    /** The residuals y − (x·w + b) have this deviation (0: each is at most one float32 rounding of y). */
    private static void assertResiduals(Synthetic.Regression problem, double noise) {
        float[] x = problem.data().features().toFloatArray();
        float[] y = problem.data().targets().toFloatArray();
        double[] w = problem.weights();
        double squares = 0;
        for (int i = 0; i < y.length; i++) {
            double line = problem.bias();
            for (int j = 0; j < w.length; j++) {
                line += x[i * w.length + j] * w[j];
            }
            double residual = y[i] - line;
            if (noise == 0) {
                assertEquals(line, y[i], Math.ulp((float) line), "example " + i);
            }
            squares += residual * residual;
        }
        if (noise > 0) {
            assertEquals(noise, Math.sqrt(squares / y.length), 0.05 * noise);
        }
    }

    @Test
    void refusesBadParameters() {
        Generator rng = new Generator(0);
        assertThrows(IllegalArgumentException.class, () -> Synthetic.moons(0, 0.1, rng));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.moons(10, -0.1, rng));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.circles(10, 0.1, 1, rng));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.spirals(10, 1, 1, 0, rng));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.spirals(10, 2, 0, 0, rng));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.blobs(10, new double[][] {{0, 0}, {1}}, 1, rng));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.blobs(10, new double[0][], 1, rng));
        assertThrows(IllegalArgumentException.class, () -> Synthetic.linearRegression(10, 0, 0, rng));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Synthetic.linearRegression(10, new double[0], 0, 0, rng));
        assertTrue(e.getMessage().startsWith("Synthetic.linearRegression"), e.getMessage());
    }

    private static long[] classCounts(long[] labels, int classes) {
        long[] counts = new long[classes];
        for (long label : labels) {
            counts[(int) label]++;
        }
        return counts;
    }

    private static double[][] classMeans(float[] xy, long[] labels, int classes) {
        double[][] means = new double[classes][2];
        long[] counts = classCounts(labels, classes);
        for (int i = 0; i < labels.length; i++) {
            means[(int) labels[i]][0] += xy[2 * i] / (double) counts[(int) labels[i]];
            means[(int) labels[i]][1] += xy[2 * i + 1] / (double) counts[(int) labels[i]];
        }
        return means;
    }

    private static double nearestCentroidAccuracy(float[] xy, long[] labels, double[][] centroids) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int nearest = 0;
            for (int c = 1; c < centroids.length; c++) {
                if (Math.hypot(xy[2 * i] - centroids[c][0], xy[2 * i + 1] - centroids[c][1])
                        < Math.hypot(xy[2 * i] - centroids[nearest][0], xy[2 * i + 1] - centroids[nearest][1])) {
                    nearest = c;
                }
            }
            correct += nearest == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }
}

package kiln.nn.data;

import kiln.engine.Generator;
import kiln.engine.Tensor;

/**
 * Small generated datasets for tests, demos and teaching, in the manner of scikit-learn's
 * {@code make_moons}, {@code make_circles}, {@code make_blobs} and {@code make_regression}, plus spirals.
 *
 * <p>Classification sets have float32 features {@code [n, d]} and int64 labels {@code [n]}; example i
 * has label {@code i mod classes}, so the classes are balanced (counts differ by at most one) and
 * interleaved, every prefix balanced too. Each point is a noiseless position on its class's shape plus
 * independent {@code N(0, noise²)} on every coordinate. Unlike scikit-learn, positions along a shape
 * are drawn uniformly at random rather than evenly spaced, so two draws from one generator give two
 * different samples of the same distribution (a training set and a test set). Everything comes from
 * {@code rng}: the same generator state gives the same dataset.
 */
public final class Synthetic {
    private Synthetic() {}

    /** A regression dataset and the coefficients that generated it: {@code y = x·weights + bias + noise}. */
    public record Regression(TensorDataset data, double[] weights, double bias) implements AutoCloseable {
        @Override
        public void close() {
            data.close();
        }
    }

    /** The noiseless position of a point of class {@code label}, written into {@code point}. */
    @FunctionalInterface
    private interface Placement {
        void place(int label, double[] point);
    }

    /**
     * Two interleaved half circles in 2-D, t uniform in [0, π]: class 0 on the upper
     * {@code (cos t, sin t)}, class 1 on the lower {@code (1 − cos t, ½ − sin t)}.
     */
    public static TensorDataset moons(int n, double noise, Generator rng) {
        return classification("Synthetic.moons", n, 2, 2, noise, rng, (label, point) -> {
            double t = Math.PI * rng.nextDouble();
            point[0] = label == 0 ? StrictMath.cos(t) : 1 - StrictMath.cos(t);
            point[1] = label == 0 ? StrictMath.sin(t) : 0.5 - StrictMath.sin(t);
        });
    }

    /**
     * Two concentric circles in 2-D, angle uniform in [0, 2π): class 0 on the unit circle, class 1 on
     * the circle of radius {@code factor}, in (0, 1).
     */
    public static TensorDataset circles(int n, double noise, double factor, Generator rng) {
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("Synthetic.circles: factor (inner radius) must lie in (0, 1), got " + factor);
        }
        return classification("Synthetic.circles", n, 2, 2, noise, rng, (label, point) -> {
            double angle = 2 * Math.PI * rng.nextDouble();
            double radius = label == 0 ? 1 : factor;
            point[0] = radius * StrictMath.cos(angle);
            point[1] = radius * StrictMath.sin(angle);
        });
    }

    /**
     * Gaussian clusters: class c's points are {@code centers[c]} plus {@code N(0, std²)} on every
     * coordinate. All centers must have the same, positive, number of coordinates.
     */
    public static TensorDataset blobs(int n, double[][] centers, double std, Generator rng) {
        if (centers.length < 1 || centers[0].length < 1) {
            throw new IllegalArgumentException("Synthetic.blobs: needs at least one center of at least one coordinate");
        }
        for (double[] center : centers) {
            if (center.length != centers[0].length) {
                throw new IllegalArgumentException("Synthetic.blobs: centers must have the same dimension, got "
                        + centers[0].length + " and " + center.length);
            }
        }
        return classification("Synthetic.blobs", n, centers[0].length, centers.length, std, rng,
                (label, point) -> System.arraycopy(centers[label], 0, point, 0, point.length));
    }

    /**
     * Spiral arms in 2-D around the origin: with u uniform in [0, 1), a point of arm c lies at radius u
     * and angle {@code 2π·(c / arms + turns·u)}, so each arm starts at the centre and winds
     * {@code turns} times outwards, the arms evenly rotated from one another.
     */
    public static TensorDataset spirals(int n, int arms, double turns, double noise, Generator rng) {
        if (arms < 2 || !(turns > 0 && Double.isFinite(turns))) {
            throw new IllegalArgumentException("Synthetic.spirals: needs arms ≥ 2 and finite turns > 0, got arms " + arms + ", turns " + turns);
        }
        return classification("Synthetic.spirals", n, 2, arms, noise, rng, (label, point) -> {
            double u = rng.nextDouble();
            double angle = 2 * Math.PI * ((double) label / arms + turns * u);
            point[0] = u * StrictMath.cos(angle);
            point[1] = u * StrictMath.sin(angle);
        });
    }

    /**
     * A linear regression problem with random coefficients: weights and bias uniform in [−1, 1),
     * drawn first, then as {@link #linearRegression(int, double[], double, double, Generator)}.
     */
    public static Regression linearRegression(int n, int features, double noise, Generator rng) {
        if (features < 1) {
            throw new IllegalArgumentException("Synthetic.linearRegression: needs at least one feature, got " + features);
        }
        double[] weights = new double[features];
        for (int j = 0; j < features; j++) {
            weights[j] = 2 * rng.nextDouble() - 1;
        }
        double bias = 2 * rng.nextDouble() - 1;
        return linearRegression(n, weights, bias, noise, rng);
    }

    /**
     * Features {@code x ~ N(0, 1)} {@code [n, d]} and float32 targets {@code [n, 1]},
     * {@code y = x·weights + bias + N(0, noise²)}. The targets are computed in float64 from the float32
     * features as stored, so with noise 0 they are {@code x·weights + bias} rounded once to float32.
     */
    public static Regression linearRegression(int n, double[] weights, double bias, double noise, Generator rng) {
        String op = "Synthetic.linearRegression";
        checkSizeAndNoise(op, n, noise);
        if (weights.length < 1) {
            throw new IllegalArgumentException(op + ": needs at least one weight");
        }
        int d = weights.length;
        float[] x = new float[n * d];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double target = bias;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) rng.nextGaussian();
                target += x[i * d + j] * weights[j];
            }
            y[i] = (float) (target + noise * rng.nextGaussian());
        }
        TensorDataset data = new TensorDataset(Tensor.fromArray(x, n, d), Tensor.fromArray(y, n, 1));
        return new Regression(data, weights.clone(), bias);
    }

    /** n points of {@code classes} interleaved classes placed by {@code placement}, plus noise. */
    private static TensorDataset classification(String op, int n, int dimension, int classes, double noise, Generator rng,
                                                Placement placement) {
        checkSizeAndNoise(op, n, noise);
        float[] features = new float[n * dimension];
        long[] labels = new long[n];
        double[] point = new double[dimension];
        for (int i = 0; i < n; i++) {
            int label = i % classes;
            placement.place(label, point);
            for (int j = 0; j < dimension; j++) {
                features[i * dimension + j] = (float) (point[j] + noise * rng.nextGaussian());
            }
            labels[i] = label;
        }
        return new TensorDataset(Tensor.fromArray(features, n, dimension), Tensor.fromArray(labels, n));
    }

    private static void checkSizeAndNoise(String op, int n, double noise) {
        if (n < 1 || !(noise >= 0 && Double.isFinite(noise))) {
            throw new IllegalArgumentException(op + ": needs n ≥ 1 and finite noise ≥ 0, got n " + n + ", noise " + noise);
        }
    }
}

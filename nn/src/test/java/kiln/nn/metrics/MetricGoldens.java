package kiln.nn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import kiln.nn.Golden;

/**
 * Reads the scikit-learn goldens of {@code tools/reference/make_metric_goldens.py} as plain arrays.
 *
 * <p>Tolerance: every metric is a handful of float64 operations per example, summed over at most a few
 * thousand terms in a different order than NumPy's pairwise sums, so results agree to a few ulps;
 * {@link #assertClose} allows 1e-12 relative (1e-12 absolute below 1).
 */
final class MetricGoldens {
    static final double TOLERANCE = 1e-12;

    private MetricGoldens() {}

    static Golden load(String name) {
        return Golden.load("/golden/metrics/" + name + ".txt");
    }

    /** {@code classification_report} exactly as scikit-learn printed it. */
    static String report(String name) {
        String path = "/golden/metrics/" + name + ".report";
        try (InputStream in = MetricGoldens.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalArgumentException(path + " is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(Golden g, String name) {
        long[] values = g.longs(name);
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Math.toIntExact(values[i]);
        return out;
    }

    /** A 2-D entry as rows. */
    static double[][] rows(Golden g, String name) {
        int[] dims = g.dims(name);
        double[] flat = g.doubles(name);
        double[][] rows = new double[dims[0]][dims[1]];
        for (int i = 0; i < dims[0]; i++) System.arraycopy(flat, i * dims[1], rows[i], 0, dims[1]);
        return rows;
    }

    static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, TOLERANCE * Math.max(1, Math.abs(expected)), what);
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) assertClose(expected[i], actual[i], what + "[" + i + "]");
    }
}

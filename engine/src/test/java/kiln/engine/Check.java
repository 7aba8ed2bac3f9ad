package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

import org.junit.jupiter.api.function.Executable;

/**
 * Helpers shared by the engine tests: random data, element-by-element comparison with a stated
 * tolerance (the first bad element is named in the failure), and checks of error messages.
 *
 * <p>Tolerance vocabulary used throughout: float32 has a unit roundoff u = 2⁻²⁴ ≈ 6e-8 and a
 * machine epsilon eps = 2⁻²³ ≈ 1.19e-7 (one ulp at 1.0). One correctly rounded float32 operation is
 * within 0.5 ulp of the exact value; a sum of n terms accumulated in float is within about
 * n·u·Σ|x| of the exact sum (a worst-case bound; random rounding errors give about √n·u·Σ|x|).
 */
final class Check {
    /** float32 machine epsilon, 2⁻²³: the spacing of float32 values at 1.0. */
    static final double EPS32 = Math.ulp(1.0f);

    private Check() {}

    /** {@code n} uniform values in [lo, hi), from a seeded generator (reproducible). */
    static double[] uniform(Generator g, int n, double lo, double hi) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * g.nextDouble();
        }
        return out;
    }

    /** The values rounded to float32 (so a float32 and a float64 tensor can hold exactly the same numbers). */
    static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** {@code |expected - actual| <= abs + rel·|expected|} for every element; NaN must meet NaN, ±∞ the same ∞. */
    static void assertAllClose(double[] expected, double[] actual, double abs, double rel, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual[i], abs, rel, what + " at flat index " + i);
        }
    }

    static void assertAllClose(double[] expected, float[] actual, double abs, double rel, String what) {
        assertAllClose(expected, toDoubles(actual), abs, rel, what);
    }

    static void assertClose(double expected, double actual, double abs, double rel, String what) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            if (!(Double.isNaN(expected) && Double.isNaN(actual))) {
                fail(what + ": expected " + expected + " but was " + actual);
            }
            return;
        }
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            if (expected != actual) {
                fail(what + ": expected " + expected + " but was " + actual);
            }
            return;
        }
        double bound = abs + rel * Math.abs(expected);
        if (!(Math.abs(expected - actual) <= bound)) {
            fail(what + ": expected " + expected + " but was " + actual + " (difference " + Math.abs(expected - actual)
                    + " > tolerance " + bound + ")");
        }
    }

    /**
     * Every float32 result within {@code ulps} units in the last place of the float64 reference
     * (the ulp taken at the reference rounded to float32, with float32's smallest normal spacing as a floor).
     */
    static void assertUlps(double[] reference, float[] actual, double ulps, String what) {
        assertEquals(reference.length, actual.length, what + ": length");
        for (int i = 0; i < reference.length; i++) {
            double r = reference[i];
            double a = actual[i];
            if (Double.isNaN(r) || Double.isInfinite(r) || Double.isNaN(a) || Double.isInfinite(a)) {
                assertClose(r, a, 0, 0, what + " at flat index " + i);
                continue;
            }
            double ulp = Math.max(Math.ulp((float) r), Math.ulp(Float.MIN_NORMAL));
            double error = Math.abs(a - r) / ulp;
            if (!(error <= ulps)) {
                fail(what + " at flat index " + i + ": expected " + r + " but was " + a + " (" + error
                        + " ulp > " + ulps + " ulp)");
            }
        }
    }

    /** Bit-for-bit equality of two float arrays (NaN payloads aside), naming the first difference. */
    static void assertBitIdentical(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": first difference at flat index " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }

    /** Runs {@code body}, expects {@code type}, and checks that the message contains every fragment. */
    static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable body, String... fragments) {
        T e = assertThrows(type, body);
        String message = e.getMessage();
        assertTrue(message != null, "the exception has no message");
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "message should contain '" + fragment + "' but was: " + message);
        }
        return e;
    }

    /** Row-major coordinates of flat index {@code flat} in {@code dims}. */
    static int[] unravel(long flat, int[] dims) {
        int[] index = new int[dims.length];
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            index[axis] = (int) (flat % dims[axis]);
            flat /= dims[axis];
        }
        return index;
    }

    /** Row-major flat index of {@code index} in {@code dims}. */
    static long ravel(int[] index, int[] dims) {
        long flat = 0;
        for (int axis = 0; axis < dims.length; axis++) {
            flat = flat * dims[axis] + index[axis];
        }
        return flat;
    }

    /**
     * The flat index into a row-major array of shape {@code from} that broadcasting maps output
     * coordinates {@code out} to (NumPy rules: align right, size-1 axes repeat). Written independently
     * of the engine's stride-0 views, as the oracle for broadcasting tests.
     */
    static long broadcastSource(int[] out, int[] from) {
        int lead = out.length - from.length;
        long flat = 0;
        for (int axis = 0; axis < from.length; axis++) {
            int coordinate = from[axis] == 1 ? 0 : out[axis + lead];
            flat = flat * from[axis] + coordinate;
        }
        return flat;
    }

    static long numel(int[] dims) {
        return Arrays.stream(dims).asLongStream().reduce(1, (x, y) -> x * y);
    }
}

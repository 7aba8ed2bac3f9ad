package kiln.kernels.cpu;

/**
 * The one switch between the Vector API kernels and their scalar references.
 *
 * <p>Every CPU kernel has a plain scalar loop (the reference, easy to read and to trust) and a
 * SIMD version with the same signature. Running with {@code -Dkiln.simd=false} routes every kernel
 * to its scalar reference: for teaching, for debugging, and for bisecting a wrong result to a
 * kernel. Tests flip the switch with {@link #setEnabled(boolean)} to compare the two paths.
 */
public final class Simd {
    private static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty("kiln.simd", "true"));

    private Simd() {}

    /** Whether kernels take their Vector API path (true unless {@code -Dkiln.simd=false}). */
    public static boolean enabled() {
        return enabled;
    }

    /** Forces every kernel to its SIMD path ({@code true}) or its scalar reference ({@code false}). */
    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** A short description of the active CPU path, for logs and the demo. */
    public static String describe() {
        if (!enabled) {
            return "cpu (scalar reference kernels, -Dkiln.simd=false)";
        }
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        return "cpu (Vector API, " + bits + "-bit, " + lanes + " float lanes, " + Parallel.threads() + " threads)";
    }
}

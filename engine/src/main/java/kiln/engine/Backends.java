package kiln.engine;

/**
 * Finds the backend for a device. The CPU backend is always there; a CUDA backend registers itself
 * when its issue lands. Asking for a device without a backend says so plainly.
 */
public final class Backends {
    private static final Backend CPU = new CpuBackend();

    private Backends() {}

    public static Backend of(Device device) {
        if (device.kind() == Device.Kind.CPU) {
            return CPU;
        }
        throw new UnsupportedOperationException("no backend for " + device + " in this build (available: cpu)");
    }

    /** The backend ops run on by default, described in one line (for the demo and logs). */
    public static String describeDefault() {
        return CPU.describe();
    }
}

package kiln.engine;

import java.util.Objects;

/**
 * Where a tensor's memory lives and where its ops run. Every tensor carries one from the start, so
 * that a second backend (CUDA) plugs in behind {@link Backend} without touching the call sites.
 *
 * @param kind  the kind of device
 * @param index which device of that kind (0 for the CPU)
 */
public record Device(Kind kind, int index) {
    /** The kinds of device Kiln knows about; a kind without a registered backend is refused with a reason. */
    public enum Kind { CPU, CUDA }

    /** The host CPU: the default device. */
    public static final Device CPU = new Device(Kind.CPU, 0);

    public Device {
        Objects.requireNonNull(kind, "kind");
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
        if (kind == Kind.CPU && index != 0) {
            throw new IllegalArgumentException("there is one CPU device (index 0), got index " + index);
        }
    }

    /** The CUDA device with the given ordinal. */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}

package kiln.kernels;

/**
 * The size classes of Kiln's caching allocators (host memory, {@code kiln.engine.NativeMemory}, and
 * device memory, {@code kiln.kernels.cuda.DeviceMemory}): a request is rounded up to whole units of
 * 64 bytes, then to its three leading binary digits (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24,
 * 28, 32... units), four classes per doubling, so that a block is less than 1.25 times the rounded
 * request: at most 20% of a block goes unused, and a freed block serves every later request of its class.
 */
public final class SizeClasses {
    /** Every block is a whole number of 64-byte units: one cache line, one 512-bit vector. */
    public static final long UNIT = 64;
    /** Classes 1..7 are 1..7 units, then four per doubling: 256 classes cover every size a long can count. */
    public static final int COUNT = 4 * 64;

    private SizeClasses() {}

    /**
     * The size class of a request: in units (at least one), rounded up to its three leading binary
     * digits, m·2ˢ with m in 4..7, numbered 4s + m (units below 8 are their own class).
     */
    public static int of(long bytes) {
        long units = Math.max(1, (bytes + UNIT - 1) / UNIT);
        if (units < 8) {
            return (int) units;
        }
        int shift = 63 - Long.numberOfLeadingZeros(units) - 2;           // units >> shift is in 4..7
        long leading = (units + (1L << shift) - 1) >> shift;              // rounded up: 4..8
        if (leading == 8) {
            leading = 4;
            shift++;
        }
        return 4 * shift + (int) leading;
    }

    /** The bytes of a block of size class {@code sizeClass}: (4 + c mod 4)·2^(c/4 − 1) units. */
    public static long capacity(int sizeClass) {
        long units = sizeClass < 4 ? sizeClass : (4L + sizeClass % 4) << (sizeClass / 4 - 1);
        return units * UNIT;
    }
}

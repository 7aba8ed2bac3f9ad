package kiln.engine;

/**
 * A seeded source of random numbers: the same seed gives the same numbers on every machine, JDK and
 * thread count, because every draw is made on the calling thread, in order, from 64-bit integer
 * arithmetic (SplitMix64, Steele, Lea and Flood 2014) and StrictMath, which has no platform-dependent step.
 *
 * <p>Not thread-safe: give each thread its own generator.
 */
public final class Generator {
    private long state;
    private double spareGaussian;
    private boolean hasSpareGaussian;

    public Generator(long seed) {
        this.state = seed;
    }

    /** The next 64 uniformly random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 random bits: every float32 value a uniform draw can exactly be. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), without modulo bias (Lemire's multiply-and-reject). */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        while (true) {
            long bits = nextLong() >>> 1;        // 63 uniform bits
            long value = bits % bound;
            if (bits - value + (bound - 1) >= 0) { // reject the last, incomplete block of size bound
                return value;
            }
        }
    }

    /**
     * Standard normal, by the Box–Muller transform: two uniforms give two independent normals,
     * the second kept for the next call.
     */
    public double nextGaussian() {
        if (hasSpareGaussian) {
            hasSpareGaussian = false;
            return spareGaussian;
        }
        double u1 = 1.0 - nextDouble();   // in (0, 1]: log(u1) is finite
        double u2 = nextDouble();
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double angle = 2.0 * Math.PI * u2;
        spareGaussian = radius * StrictMath.sin(angle);
        hasSpareGaussian = true;
        return radius * StrictMath.cos(angle);
    }
}

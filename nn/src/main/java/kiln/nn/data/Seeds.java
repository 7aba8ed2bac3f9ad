package kiln.nn.data;

import kiln.engine.Generator;

/**
 * Seeds derived from a base seed and coordinates such as (epoch) or (epoch, batch position), so that
 * every random choice of the pipeline is a pure function of where it happens, not of which thread
 * makes it or of what was drawn before.
 *
 * <p>Why not {@code seed + epoch}? {@link Generator} is SplitMix64, which steps its state
 * by a fixed constant: generators seeded with nearby values would walk the same sequence a few steps
 * apart. Passing every coordinate through SplitMix64's bit mixer scatters the derived seeds over all
 * 2<sup>64</sup> states instead.
 */
final class Seeds {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    /** A seed that depends on {@code seed} and on every coordinate, in order. */
    static long derive(long seed, long... coordinates) {
        long h = mix(seed ^ GOLDEN_GAMMA);
        for (long coordinate : coordinates) {
            h = mix(h ^ mix(coordinate + GOLDEN_GAMMA));
        }
        return h;
    }

    /** The generator of epoch {@code epoch} for a sampler seeded with {@code seed}; a negative epoch is refused. */
    static Generator forEpoch(String sampler, long seed, int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException(sampler + ".order: epoch must be >= 0, got " + epoch);
        }
        return new Generator(derive(seed, epoch));
    }

    /** SplitMix64's output function: a bijection on 64-bit values in which every input bit moves every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package kiln.kernels.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The totals of many vectors' lanes at once, for the dot-product kernels, which end with one
 * accumulator vector per output ({@link GemmDirect#dotKernel}: 16 of them for a 4×4 block of C).
 *
 * <p>Adding up one vector's L lanes one by one costs about L scalar instructions per output, and as
 * many as the kernel's main loop spends on a short dot product. This class adds two vectors' halves
 * in one step instead: {@code combine(a, b, d)} sends lane i to {@code a[i] + a[i + d]} where bit d
 * of i is clear and to {@code b[i − d] + b[i]} where it is set, so that one vector carries half-sums
 * of both. Halving d each time, 16 vectors become 8, 4, 2, then one vector holding the 16 totals
 * (for L = 16): 15 steps of four vector instructions, against 16·16 scalar ones.
 *
 * <p>The order of the additions is fixed: every total is {@link #halvingSum}'s (lane l plus lane
 * l + L/2, then those pairs likewise), whether this code runs compiled or interpreted, which
 * {@code reduceLanes} does not promise. Results are then the same from the first step of a run.
 */
final class LaneSums {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Levels of the tree, log2(L): at least 2, since the Vector API's preferred float species has at least 4 lanes. */
    private static final int LEVELS = Integer.numberOfTrailingZeros(L);
    /** Per level (d = L/2, L/4, …, 1): the lanes with bit d set, and the shuffle i → i xor d. */
    private static final VectorMask<Float>[] UPPER = upperMasks();
    private static final VectorShuffle<Float>[] PARTNER = partnerShuffles();
    /** Where {@link #reduce} leaves each vector's total, for 8 and 16 vectors. */
    static final int[] OF_8 = positions(8), OF_16 = positions(16);

    private LaneSums() {}

    /**
     * Adds up, for each of the {@code count} vectors stored one after the other in {@code lanes}
     * (count 8 or 16), its L lanes; vector v's total ends at {@code lanes[positions(count)[v]]}
     * ({@link #OF_8}, {@link #OF_16}). The rest of the first {@code count·L} floats is overwritten.
     *
     * <p>The tree is written out level by level rather than looped: a loop over levels and pairs
     * kept reloading each level's mask and shuffle and sent every level through memory, and cost
     * about 40 ns for 8 vectors, as much as a 256-long dot product's whole main loop.
     */
    static void reduce(float[] lanes, int count) {
        switch (count) {
            case 8 -> reduce8(lanes);
            case 16 -> reduce16(lanes);
            default -> throw new IllegalArgumentException("count must be 8 or 16, got " + count);
        }
    }

    private static void reduce8(float[] lanes) {
        FloatVector a0 = pair(lanes, 0, 1), a1 = pair(lanes, 2, 3), a2 = pair(lanes, 4, 5), a3 = pair(lanes, 6, 7);
        FloatVector b0 = pair(a0, a1, 1), b1 = pair(a2, a3, 1);
        if (LEVELS == 2) {                                   // L = 4: two vectors of four totals
            b0.intoArray(lanes, 0);
            b1.intoArray(lanes, L);
            return;
        }
        selfPairsFrom(3, pair(b0, b1, 2)).intoArray(lanes, 0);
    }

    private static void reduce16(float[] lanes) {
        FloatVector a0 = pair(lanes, 0, 1), a1 = pair(lanes, 2, 3), a2 = pair(lanes, 4, 5), a3 = pair(lanes, 6, 7),
                a4 = pair(lanes, 8, 9), a5 = pair(lanes, 10, 11), a6 = pair(lanes, 12, 13), a7 = pair(lanes, 14, 15);
        FloatVector b0 = pair(a0, a1, 1), b1 = pair(a2, a3, 1), b2 = pair(a4, a5, 1), b3 = pair(a6, a7, 1);
        if (LEVELS == 2) {                                   // L = 4: four vectors of four totals
            b0.intoArray(lanes, 0);
            b1.intoArray(lanes, L);
            b2.intoArray(lanes, 2 * L);
            b3.intoArray(lanes, 3 * L);
            return;
        }
        FloatVector c0 = pair(b0, b1, 2), c1 = pair(b2, b3, 2);
        if (LEVELS == 3) {                                   // L = 8: two vectors of eight totals
            c0.intoArray(lanes, 0);
            c1.intoArray(lanes, L);
            return;
        }
        selfPairsFrom(4, pair(c0, c1, 3)).intoArray(lanes, 0);
    }

    /** The first level: stored vectors {@code v} and {@code w} of {@code lanes} paired. */
    private static FloatVector pair(float[] lanes, int v, int w) {
        return pair(FloatVector.fromArray(SPECIES, lanes, v * L), FloatVector.fromArray(SPECIES, lanes, w * L), 0);
    }

    /**
     * One step of the tree at distance d = L / 2^(level+1): lane i gets {@code a[i] + a[i + d]}
     * where bit d of i is clear and {@code b[i − d] + b[i]} where it is set.
     */
    private static FloatVector pair(FloatVector a, FloatVector b, int level) {
        FloatVector kept = a.blend(b, UPPER[level]);                              // a's lanes where bit d is clear, b's where set
        FloatVector moved = b.blend(a, UPPER[level]).rearrange(PARTNER[level]);   // each lane's partner d away
        return kept.add(moved);
    }

    /** The levels from {@code level} on for a single vector, which pairs with itself (more lanes than totals). */
    private static FloatVector selfPairsFrom(int level, FloatVector v) {
        for (; level < LEVELS; level++) {
            v = pair(v, v, level);
        }
        return v;
    }

    /** Where {@link #reduce} leaves the totals of {@code count} vectors: the same steps, tracking which vector each lane carries. */
    static int[] positions(int count) {
        int[] carried = new int[count * L];                 // the vector whose values lane i holds
        for (int i = 0; i < carried.length; i++) {
            carried[i] = i / L;
        }
        int vectors = count;
        for (int d = L / 2; d >= 1; d /= 2) {
            int pairs = Math.max(1, vectors / 2);
            for (int v = 0; v < pairs; v++) {
                int a = 2 * v * L, b = vectors > 1 ? (2 * v + 1) * L : a;
                for (int i = 0; i < L; i++) {
                    carried[v * L + i] = (i & d) == 0 ? carried[a + i] : carried[b + i];
                }
            }
            vectors = pairs;
        }
        int[] position = new int[count];
        for (int i = vectors * L - 1; i >= 0; i--) {         // the first lane that carries each vector
            position[carried[i]] = i;
        }
        return position;
    }

    /** The scalar reference: {@code values[from .. from + L)} added as {@link #reduce} adds them. */
    static float halvingSum(float[] values, int from) {
        float[] half = Arrays.copyOfRange(values, from, from + L);
        for (int n = L / 2; n >= 1; n /= 2) {
            for (int i = 0; i < n; i++) {
                half[i] += half[i + n];
            }
        }
        return half[0];
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] upperMasks() {
        VectorMask<Float>[] masks = new VectorMask[LEVELS];
        for (int level = 0, d = L / 2; d >= 1; level++, d /= 2) {
            boolean[] set = new boolean[L];
            for (int i = 0; i < L; i++) {
                set[i] = (i & d) != 0;
            }
            masks[level] = VectorMask.fromArray(SPECIES, set, 0);
        }
        return masks;
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] partnerShuffles() {
        VectorShuffle<Float>[] shuffles = new VectorShuffle[LEVELS];
        for (int level = 0, d = L / 2; d >= 1; level++, d /= 2) {
            int distance = d;
            shuffles[level] = VectorShuffle.fromOp(SPECIES, i -> i ^ distance);
        }
        return shuffles;
    }
}

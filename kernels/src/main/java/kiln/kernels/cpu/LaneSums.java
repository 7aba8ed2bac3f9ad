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
    /** Per level (d = L/2, L/4, …, 1): the lanes with bit d set, and the shuffle i → i xor d. */
    private static final VectorMask<Float>[] UPPER = upperMasks();
    private static final VectorShuffle<Float>[] PARTNER = partnerShuffles();
    /** Where {@link #reduce} leaves each vector's total, for 8 and 16 vectors. */
    static final int[] OF_8 = positions(8), OF_16 = positions(16);

    private LaneSums() {}

    /**
     * Adds up, for each of the {@code count} vectors stored one after the other in {@code lanes}
     * (count a power of two, at most 16), its L lanes; vector v's total ends at
     * {@code lanes[positions(count)[v]]} ({@link #OF_8}, {@link #OF_16}). The rest of the first
     * {@code count·L} floats is overwritten.
     */
    static void reduce(float[] lanes, int count) {
        int vectors = count;
        for (int level = 0, d = L / 2; d >= 1; level++, d /= 2) {
            int pairs = Math.max(1, vectors / 2);           // one vector left: it pairs with itself
            for (int v = 0; v < pairs; v++) {
                FloatVector a = FloatVector.fromArray(SPECIES, lanes, 2 * v * L);
                FloatVector b = vectors > 1 ? FloatVector.fromArray(SPECIES, lanes, (2 * v + 1) * L) : a;
                FloatVector kept = a.blend(b, UPPER[level]);                              // a's lanes where bit d is clear, b's where set
                FloatVector moved = b.blend(a, UPPER[level]).rearrange(PARTNER[level]);   // each lane's partner d away
                kept.add(moved).intoArray(lanes, v * L);
            }
            vectors = pairs;
        }
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
        int levels = Integer.numberOfTrailingZeros(L);
        VectorMask<Float>[] masks = new VectorMask[levels];
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
        int levels = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] shuffles = new VectorShuffle[levels];
        for (int level = 0, d = L / 2; d >= 1; level++, d /= 2) {
            int distance = d;
            shuffles[level] = VectorShuffle.fromOp(SPECIES, i -> i ^ distance);
        }
        return shuffles;
    }
}

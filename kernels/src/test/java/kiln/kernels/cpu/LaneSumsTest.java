package kiln.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vector lane totals against their scalar reference: the same bits, for every vector, wherever reduce leaves them. */
class LaneSumsTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();

    @ParameterizedTest
    @ValueSource(ints = {8, 16})
    void reduceGivesEachVectorsHalvingSumBitForBit(int count) {
        SplittableRandom random = new SplittableRandom(count);
        int[] positions = LaneSums.positions(count);
        for (int trial = 0; trial < 50; trial++) {
            float[] lanes = new float[16 * L];
            for (int i = 0; i < count * L; i++) {
                // Magnitudes over many binades, so that a different order of additions would show.
                lanes[i] = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(-20, 21)));
            }
            float[] original = lanes.clone();
            LaneSums.reduce(lanes, count);
            for (int v = 0; v < count; v++) {
                float expected = LaneSums.halvingSum(original, v * L);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(lanes[positions[v]]),
                        "vector " + v + " of " + count + ": " + expected + " vs " + lanes[positions[v]]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 16})
    void positionsAreDistinctAndInsideTheReducedVectors(int count) {
        int[] positions = LaneSums.positions(count);
        assertEquals(count, Arrays.stream(positions).distinct().count());
        int reducedFloats = Math.max(1, count / L) * L;
        for (int position : positions) {
            assertTrue(position >= 0 && position < reducedFloats, "position " + position);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 32})
    void otherCountsAreRefused(int count) {
        assertThrows(IllegalArgumentException.class, () -> LaneSums.reduce(new float[32 * L], count));
    }

    @Test
    void theHalvingSumAddsLaneLToLanePlusHalfFirst() {
        float[] values = new float[L];
        for (int i = 0; i < L; i++) {
            values[i] = i + 1;
        }
        assertEquals(L * (L + 1) / 2f, LaneSums.halvingSum(values, 0));
        // 1 + 2^24 is lost in float unless it meets -2^24 first: lanes 0 and L/2 are added first.
        float[] cancelling = new float[L];
        cancelling[0] = 0x1p24f;
        cancelling[L / 2] = -0x1p24f;
        cancelling[1] = 1;
        assertEquals(1f, LaneSums.halvingSum(cancelling, 0));
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 16})
    void thePrecomputedPositionsMatch(int count) {
        int[] expected = LaneSums.positions(count);
        assertEquals(Arrays.toString(expected), Arrays.toString(count == 8 ? LaneSums.OF_8 : LaneSums.OF_16));
    }
}

package kiln.nn.data.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.nn.Golden;

class NumericSummaryTest {
    @Test
    void summarizesOneToFiveByHand() {
        NumericSummary s = NumericSummary.of(new double[] {4, 2, 5, 1, 3});
        assertEquals(5, s.count());
        assertEquals(1, s.min());
        assertEquals(5, s.max());
        assertEquals(3, s.mean());
        assertEquals(Math.sqrt(2.5), s.std(), 1e-15, "squared deviations 4+1+0+1+4 = 10, over n - 1 = 4");
        assertEquals(3, s.median());
        assertEquals(2, s.lowerQuartile(), "position 0.25 * 4 = 1: the second value");
        assertEquals(4, s.upperQuartile());
        assertEquals(0, s.farOutliers());
    }

    @Test
    void quartilesInterpolateBetweenValues() {
        NumericSummary s = NumericSummary.of(new double[] {10, 20, 30, 40});
        assertEquals(17.5, s.lowerQuartile(), "position 0.75: 10 + 0.75 * (20 - 10)");
        assertEquals(25, s.median());
        assertEquals(32.5, s.upperQuartile());
    }

    @Test
    void countsValuesBeyondThreeInterquartileRanges() {
        // quartiles 2 and 4, IQR 2: fences at 2 - 6 = -4 and 4 + 6 = 10
        assertEquals(1, NumericSummary.of(new double[] {1, 2, 3, 4, 100}).farOutliers());
        assertEquals(0, NumericSummary.of(new double[] {1, 2, 3, 4, 10}).farOutliers(), "on the fence is not beyond it");
        assertEquals(2, NumericSummary.of(new double[] {-5, 2, 2, 3, 4, 4, 11}).farOutliers());
    }

    @Test
    void equalQuartilesMakeNoFences() {
        NumericSummary s = NumericSummary.of(new double[] {0, 0, 0, 0, 0, 0, 1});
        assertEquals(0, s.farOutliers(), "a mostly-zero column: its rare ones are not outliers");
    }

    @Test
    void aSingleValueHasNoDeviation() {
        NumericSummary s = NumericSummary.of(new double[] {7});
        assertTrue(Double.isNaN(s.std()));
        assertEquals(7, s.median());
        assertEquals(7, s.upperQuartile());
    }

    @Test
    void refusesNoValuesAndNaN() {
        assertThrows(IllegalArgumentException.class, () -> NumericSummary.of(new double[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NumericSummary.of(new double[] {1, Double.NaN}));
        assertTrue(e.getMessage().contains("NumericSummary.of"), e.getMessage());
    }

    /** Against NumPy on a seeded table (tools/reference/make_audit_goldens.py): missing cells left out. */
    @Test
    void matchesNumPyOnTheGoldenTable() throws Exception {
        Golden golden = Golden.load("/golden/audit/table.txt");
        DataAudit audit = DataAudit.of(Tables.resource("/golden/audit/table.csv"), "label");
        for (String column : new String[] {"x", "y"}) {
            ColumnProfile profile = audit.data().column(column);
            NumericSummary s = profile.numbers();
            assertEquals((int) golden.value(column + ".missing"), profile.missing(), column);
            assertEquals(golden.value(column + ".min"), s.min(), 0, column);
            assertEquals(golden.value(column + ".max"), s.max(), 0, column);
            assertEquals(golden.value(column + ".mean"), s.mean(), 1e-12 * Math.abs(s.mean()), column);
            assertEquals(golden.value(column + ".std"), s.std(), 1e-12 * s.std(), column);
            assertEquals(golden.value(column + ".median"), s.median(), 1e-12, column);
            assertEquals(golden.value(column + ".q1"), s.lowerQuartile(), 1e-12, column);
            assertEquals(golden.value(column + ".q3"), s.upperQuartile(), 1e-12, column);
            assertEquals((int) golden.value(column + ".far_outliers"), s.farOutliers(), column);
        }
    }
}

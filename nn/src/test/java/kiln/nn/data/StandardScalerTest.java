package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;
import kiln.nn.data.FeatureScaler.Scope;

class StandardScalerTest {
    /** float32 results of (x − mean) / std: a few rounding steps of 2^-24 relative each. */
    private static final float TOLERANCE = 1e-6f;

    @Test
    void perFeatureStatisticsAreThePopulationMeanAndDeviationOfEachColumn() {
        // Columns 1 2 3 4 and 10 20 30 40: means 2.5 and 25, variances (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25 and 125.
        try (Tensor train = Tensor.fromArray(new float[] {1, 10, 2, 20, 3, 30, 4, 40}, 4, 2)) {
            StandardScaler scaler = StandardScaler.perFeature().fit(train);
            assertArrayEquals(new double[] {2.5, 25}, scaler.mean(), 1e-12);
            assertArrayEquals(new double[] {Math.sqrt(1.25), Math.sqrt(125)}, scaler.std(), 1e-12);
            assertEquals(Scope.PER_FEATURE, scaler.scope());
            try (Tensor z = scaler.transform(train)) {
                double first = -1.5 / Math.sqrt(1.25);
                double second = -0.5 / Math.sqrt(1.25);
                assertArrayEquals(new float[] {(float) first, (float) first, (float) second, (float) second,
                        (float) -second, (float) -second, (float) -first, (float) -first}, z.toFloatArray(), TOLERANCE);
                assertEquals(DType.FLOAT32, z.dtype());
                assertArrayEquals(new int[] {4, 2}, z.dims());
            }
        }
    }

    @Test
    void globalStatisticsCoverEveryValueOfEveryImage() {
        // Values 1..8 as two 1×2×2 images: mean 4.5, variance (3.5² + 2.5² + 1.5² + 0.5²) · 2 / 8 = 5.25.
        try (Tensor images = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 2, 2)) {
            StandardScaler scaler = StandardScaler.global().fit(images);
            assertArrayEquals(new double[] {4.5}, scaler.mean(), 1e-12);
            assertArrayEquals(new double[] {Math.sqrt(5.25)}, scaler.std(), 1e-12);
            try (Tensor z = scaler.transform(images)) {
                assertArrayEquals(new int[] {2, 1, 2, 2}, z.dims());
                assertEquals((float) (3.5 / Math.sqrt(5.25)), z.toFloatArray()[7], TOLERANCE);
            }
        }
    }

    @Test
    void heldOutDataIsScaledWithTheTrainingStatisticsOnly() {
        try (Tensor train = Tensor.fromArray(new float[] {0, 2, 4, 6}, 4, 1);
             Tensor test = Tensor.fromArray(new float[] {100, 103}, 2, 1)) {
            StandardScaler scaler = StandardScaler.perFeature().fit(train);
            // Train: mean 3, variance (9 + 1 + 1 + 9) / 4 = 5. The test set's own statistics (101.5, 1.5) play no part.
            try (Tensor z = scaler.transform(test)) {
                assertArrayEquals(new float[] {(float) (97 / Math.sqrt(5)), (float) (100 / Math.sqrt(5))}, z.toFloatArray(), 1e-5f);
            }
        }
    }

    @Test
    void constantFeaturesAreOnlyCentred() {
        // The second column is constant 5; the third is 0.1f three times, whose float64 mean carries rounding noise.
        float tenth = 0.1f;
        try (Tensor train = Tensor.fromArray(new float[] {1, 5, tenth, 2, 5, tenth, 3, 5, tenth}, 3, 3);
             Tensor test = Tensor.fromArray(new float[] {2, 7, tenth + 1}, 1, 3)) {
            StandardScaler scaler = StandardScaler.perFeature().fit(train);
            assertEquals(0, scaler.std()[1]);
            try (Tensor z = scaler.transform(train); Tensor zTest = scaler.transform(test)) {
                float[] values = z.toFloatArray();
                assertEquals(0, values[1]);
                assertEquals(0, values[2]);
                assertArrayEquals(new float[] {0, 2, 1}, zTest.toFloatArray(), 1e-6f, "divided by 1, not by 0 or by noise");
            }
        }
    }

    @Test
    void fittingInChunksMatchesATwoPassReferenceOnDataFarFromZero() {
        // 3000 × 400 values cross the 2^20-value chunk boundary; an offset of 1e8 defeats a naive sum of squares.
        int n = 3000;
        int d = 400;
        Generator rng = new Generator(17);
        double[] values = new double[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = 1e8 + (i % d) + (1 + i % 3) * rng.nextGaussian();
        }
        try (Tensor train = Tensor.fromArray(values, n, d)) {
            StandardScaler perFeature = StandardScaler.perFeature().fit(train);
            for (int j : new int[] {0, 1, 199, 399}) {
                double mean = 0;
                for (int i = 0; i < n; i++) {
                    mean += values[i * d + j];
                }
                mean /= n;
                double squares = 0;
                for (int i = 0; i < n; i++) {
                    squares += (values[i * d + j] - mean) * (values[i * d + j] - mean);
                }
                assertEquals(mean, perFeature.mean()[j], 1e-12 * mean, "mean of feature " + j);
                assertEquals(Math.sqrt(squares / n), perFeature.std()[j], 1e-8, "std of feature " + j);
            }
            StandardScaler global = StandardScaler.global().fit(train);
            double mean = 0;
            for (double value : values) {
                mean += value;
            }
            mean /= values.length;
            double squares = 0;
            for (double value : values) {
                squares += (value - mean) * (value - mean);
            }
            assertEquals(mean, global.mean()[0], 1e-12 * mean);
            assertEquals(Math.sqrt(squares / values.length), global.std()[0], 1e-8);
        }
    }

    @Test
    void fittingOnADatasetSeesOnlyItsOwnExamples() {
        Generator rng = new Generator(3);
        try (Tensor all = Tensor.randn(rng, 50, 3); TensorDataset data = new TensorDataset(all.copy(), Tensor.zeros(DType.INT64, 50))) {
            Split split = Split.random(50, 0.8, 0.2, 0, 1);
            StandardScaler fromSubset = StandardScaler.perFeature().fit(split.trainOf(data));
            try (Tensor trainRows = all.indexSelect(0, Tensor.fromArray(split.train(), split.train().length))) {
                StandardScaler fromRows = StandardScaler.perFeature().fit(trainRows);
                assertArrayEquals(fromRows.mean(), fromSubset.mean(), 1e-12);
                assertArrayEquals(fromRows.std(), fromSubset.std(), 1e-12);
            }
            StandardScaler fromAll = StandardScaler.perFeature().fit(all);
            assertTrue(Math.abs(fromAll.mean()[0] - fromSubset.mean()[0]) > 1e-6, "the validation rows must not take part");
        }
    }

    @Test
    void transformsADatasetKeepingItsTargets() {
        try (TensorDataset data = SubsetTest.numbered(4)) {
            StandardScaler scaler = StandardScaler.perFeature().fit(data);
            try (TensorDataset scaled = scaler.transform(new Subset(data, new int[] {3, 0}))) {
                assertArrayEquals(new long[] {3, 0}, scaled.targets().toLongArray());
                // Both columns: 0, 10, 20, 30 (+1), mean 15 (16), std √125.
                float high = (float) (15 / Math.sqrt(125));
                assertArrayEquals(new float[] {high, high, -high, -high}, scaled.features().toFloatArray(), TOLERANCE);
            }
        }
    }

    @Test
    void inverseTransformUndoesTransform() {
        try (Tensor x = Tensor.randn(new Generator(5), 20, 4).mul(3).add(7)) {
            StandardScaler scaler = StandardScaler.perFeature().fit(x);
            try (Tensor z = scaler.transform(x); Tensor back = scaler.inverseTransform(z)) {
                assertArrayEquals(x.toFloatArray(), back.toFloatArray(), 1e-5f);
            }
        }
    }

    @Test
    void configRebuildsTheSameScaler() {
        try (Tensor x = Tensor.randn(new Generator(8), 30, 3)) {
            StandardScaler scaler = StandardScaler.perFeature().fit(x);
            Map<String, Object> config = scaler.config();
            assertEquals("standard", config.get("type"));
            assertEquals("per_feature", config.get("scope"));
            assertInstanceOf(List.class, config.get("mean"));
            assertInstanceOf(Double.class, ((List<?>) config.get("std")).get(0));
            FeatureScaler rebuilt = FeatureScaler.fromConfig(config);
            StandardScaler typed = assertInstanceOf(StandardScaler.class, rebuilt);
            assertArrayEquals(scaler.mean(), typed.mean(), 0);
            assertArrayEquals(scaler.std(), typed.std(), 0);
            try (Tensor a = scaler.transform(x); Tensor b = rebuilt.transform(x)) {
                assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0);
            }
        }
        // A JSON reader may hand back whole numbers as Long or Integer.
        StandardScaler fromIntegers = StandardScaler.fromConfig(Map.of("type", "standard", "scope", "global",
                "mean", List.of(2L), "std", List.of(4)));
        assertArrayEquals(new double[] {4}, fromIntegers.std(), 0);
    }

    @Test
    void refusesBadConfigsAndStatistics() {
        assertThrows(IllegalArgumentException.class, () -> FeatureScaler.fromConfig(Map.of("type", "robust")));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> FeatureScaler.fromConfig(Map.of("type", "standard", "scope", "global", "mean", List.of(1.0))));
        assertTrue(missing.getMessage().contains("\"std\""), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FeatureScaler.fromConfig(Map.of("type", "standard", "scope", "columns",
                "mean", List.of(1.0), "std", List.of(1.0))));
        assertThrows(IllegalArgumentException.class, () -> FeatureScaler.fromConfig(Map.of("type", "standard", "scope", "global",
                "mean", List.of("1"), "std", List.of(1.0))));
        assertThrows(IllegalArgumentException.class, () -> new StandardScaler(Scope.GLOBAL, new double[] {0, 1}, new double[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new StandardScaler(Scope.PER_FEATURE, new double[] {0, 1}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new StandardScaler(Scope.PER_FEATURE, new double[] {0}, new double[] {-1}));
        try (Tensor withNaN = Tensor.fromArray(new float[] {1, Float.NaN}, 2, 1)) {
            assertThrows(IllegalArgumentException.class, () -> StandardScaler.perFeature().fit(withNaN));
        }
    }

    @Test
    void refusesDataOfAnotherShapeOrType() {
        try (Tensor train = Tensor.zeros(4, 2); Tensor wide = Tensor.zeros(4, 3); Tensor integers = Tensor.zeros(DType.INT64, 4, 2);
             Tensor empty = Tensor.zeros(0, 2); Tensor scalar = Tensor.scalar(1)) {
            StandardScaler scaler = StandardScaler.perFeature().fit(train);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scaler.transform(wide));
            assertTrue(e.getMessage().startsWith("StandardScaler.transform") && e.getMessage().contains("2 features"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> scaler.transform(integers));
            assertThrows(IllegalArgumentException.class, () -> StandardScaler.perFeature().fit(empty));
            assertThrows(IllegalArgumentException.class, () -> StandardScaler.global().fit(scalar));
        }
    }

    @Test
    void transformFreesItsTemporaries() {
        try (Tensor x = Tensor.randn(new Generator(2), 64, 8)) {
            StandardScaler scaler = StandardScaler.perFeature().fit(x);
            long before = NativeMemory.settledLiveBytes();
            Tensor z = scaler.transform(x);
            Tensor back = scaler.inverseTransform(z);
            assertEquals(before + 2 * 64 * 8 * 4, NativeMemory.liveBytes(), "only the two results remain");
            z.close();
            back.close();
            assertEquals(before, NativeMemory.settledLiveBytes());
        }
    }
}

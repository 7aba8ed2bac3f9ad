package kiln.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;
import kiln.nn.data.TensorDataset;
import kiln.nn.loss.CrossEntropyLoss;

/** {@code --class-weights balanced}: n / (k · n_c) over the training split, 0 for a class it lacks. */
class ClassWeightsTest {
    private static Recipe recipe(String... classWeights) {
        Options o = Recipe.declare(new Options("train"));
        o.parse(classWeights);
        return Recipe.from(o);
    }

    @Test
    void balancedWeightsFollowTheFormulaOverTheTrainingSplit() {
        // Training labels 0, 0, 0, 1 of 3 classes: n = 4, k = 3, so 4/9, 4/3, and 0 for the absent class 2.
        try (Prepared data = new Prepared(new TensorDataset(Tensor.zeros(4, 2), Tensor.fromArray(new long[] {0, 0, 0, 1}, 4)),
                null, new TensorDataset(Tensor.zeros(1, 2), Tensor.fromArray(new long[] {2}, 1)), null, null)) {
            CrossEntropyLoss balanced = TrainingRun.loss(recipe("--class-weights", "balanced"), data, 3);
            try (Tensor weights = balanced.classWeights()) {
                assertArrayEquals(new float[] {4f / 9, 4f / 3, 0}, weights.toFloatArray(), 1e-7f);
            }
            assertNull(TrainingRun.loss(recipe(), data, 3).classWeights(), "no weights unless asked for");
        }
    }
}

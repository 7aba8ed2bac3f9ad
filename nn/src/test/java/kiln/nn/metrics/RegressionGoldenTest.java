package kiln.nn.metrics;

import static kiln.nn.metrics.MetricGoldens.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import kiln.nn.Golden;

/**
 * MSE, MAE, RMSE, R² and explained variance against scikit-learn 1.2.1 (uniform average over outputs):
 * one output, three outputs of different scales, a constant bias, constant truth with and without a
 * perfect prediction. Values within {@link MetricGoldens#TOLERANCE}; the accumulator must agree.
 */
class RegressionGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"regression_1d", "regression_3out", "regression_biased", "regression_constant_truth", "regression_constant_perfect"})
    void metricsMatchScikitLearn(String name) {
        Golden g = MetricGoldens.load(name);
        double[] yTrue = g.doubles("y_true"), yPred = g.doubles("y_pred");
        int[] dims = g.dims("y_true");
        int outputs = dims.length == 1 ? 1 : dims[1];
        assertClose(g.value("mse"), Regression.mse(yTrue, yPred, outputs), "mse");
        assertClose(g.value("mae"), Regression.mae(yTrue, yPred, outputs), "mae");
        assertClose(g.value("rmse"), Regression.rmse(yTrue, yPred, outputs), "rmse");
        assertClose(g.value("r2"), Regression.r2(yTrue, yPred, outputs), "r2");
        assertClose(g.value("explained_variance"), Regression.explainedVariance(yTrue, yPred, outputs), "explained variance");

        var seen = new RegressionAccumulator(outputs);
        int half = (yTrue.length / outputs / 2) * outputs;
        seen.add(Arrays.copyOf(yPred, half), Arrays.copyOf(yTrue, half));
        seen.add(Arrays.copyOfRange(yPred, half, yPred.length), Arrays.copyOfRange(yTrue, half, yTrue.length));
        assertEquals(yTrue.length / outputs, seen.size());
        assertClose(g.value("mse"), seen.mse(), "accumulated mse");
        assertClose(g.value("mae"), seen.mae(), "accumulated mae");
        assertClose(g.value("rmse"), seen.rmse(), "accumulated rmse");
        assertClose(g.value("r2"), seen.r2(), "accumulated r2");
        assertClose(g.value("explained_variance"), seen.explainedVariance(), "accumulated explained variance");
    }
}

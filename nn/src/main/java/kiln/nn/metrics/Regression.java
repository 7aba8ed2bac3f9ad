package kiln.nn.metrics;

import java.util.function.DoubleBinaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * Regression metrics as scikit-learn's, for one output ({@code yTrue[i]}, {@code yPred[i]}) or several
 * (row-major {@code [n, outputs]}: example i's output j at {@code i * outputs + j}). With several
 * outputs each metric is computed per output and the results averaged uniformly, as scikit-learn's
 * {@code multioutput="uniform_average"}; for RMSE that is the mean of per-output RMSEs, not the root of
 * the overall MSE.
 *
 * <pre>
 * MSE  = mean (y - ŷ)²        MAE = mean |y - ŷ|        RMSE = sqrt(MSE)
 * R²   = 1 - sum (y - ŷ)² / sum (y - ȳ)²
 * explained variance = 1 - Var(y - ŷ) / Var(y)      (population variances; ignores a constant bias)
 * </pre>
 *
 * <p>Constant truth: R² and explained variance divide by 0; as scikit-learn ({@code force_finite=True})
 * they are then 1 for a perfect prediction and 0 otherwise. They need at least two examples.
 */
public final class Regression {
    private Regression() {}

    /** Mean squared error of one output. */
    public static double mse(double[] yTrue, double[] yPred) {
        return mse(yTrue, yPred, 1);
    }

    /** Mean absolute error of one output. */
    public static double mae(double[] yTrue, double[] yPred) {
        return mae(yTrue, yPred, 1);
    }

    /** Root mean squared error of one output. */
    public static double rmse(double[] yTrue, double[] yPred) {
        return rmse(yTrue, yPred, 1);
    }

    /** Coefficient of determination R² of one output (at least two examples). */
    public static double r2(double[] yTrue, double[] yPred) {
        return r2(yTrue, yPred, 1);
    }

    /** Explained variance of one output (at least two examples). */
    public static double explainedVariance(double[] yTrue, double[] yPred) {
        return explainedVariance(yTrue, yPred, 1);
    }

    /** Mean squared error over all n·outputs values (equal to the uniform average of per-output MSEs). */
    public static double mse(double[] yTrue, double[] yPred, int outputs) {
        return perOutput("Regression.mse", yTrue, yPred, outputs, 1, column -> column.mean((t, p) -> (t - p) * (t - p)));
    }

    /** Mean absolute error over all n·outputs values (equal to the uniform average of per-output MAEs). */
    public static double mae(double[] yTrue, double[] yPred, int outputs) {
        return perOutput("Regression.mae", yTrue, yPred, outputs, 1, column -> column.mean((t, p) -> Math.abs(t - p)));
    }

    /** The mean over outputs of each output's RMSE. */
    public static double rmse(double[] yTrue, double[] yPred, int outputs) {
        return perOutput("Regression.rmse", yTrue, yPred, outputs, 1, column -> Math.sqrt(column.mean((t, p) -> (t - p) * (t - p))));
    }

    /** The mean over outputs of each output's R². */
    public static double r2(double[] yTrue, double[] yPred, int outputs) {
        return perOutput("Regression.r2", yTrue, yPred, outputs, 2, column -> {
            double meanTrue = column.mean((t, p) -> t);
            return oneMinusRatio(column.mean((t, p) -> (t - p) * (t - p)), column.mean((t, p) -> (t - meanTrue) * (t - meanTrue)));
        });
    }

    /** The mean over outputs of each output's explained variance. */
    public static double explainedVariance(double[] yTrue, double[] yPred, int outputs) {
        return perOutput("Regression.explainedVariance", yTrue, yPred, outputs, 2, column -> {
            double meanTrue = column.mean((t, p) -> t);
            double meanError = column.mean((t, p) -> t - p);
            double errorVariance = column.mean((t, p) -> (t - p - meanError) * (t - p - meanError));
            return oneMinusRatio(errorVariance, column.mean((t, p) -> (t - meanTrue) * (t - meanTrue)));
        });
    }

    /** {@code 1 - residual / spread}, made finite as scikit-learn does when the truth is constant. */
    private static double oneMinusRatio(double residual, double spread) {
        if (spread == 0) {
            return residual == 0 ? 1 : 0;
        }
        return 1 - residual / spread;
    }

    /** One output's column of (true, predicted) pairs; {@link #mean} averages a function of each pair. */
    private record Column(double[] yTrue, double[] yPred, int output, int outputs) {
        /** The mean over the column's examples of {@code f(yTrue, yPred)}. */
        double mean(DoubleBinaryOperator f) {
            int n = yTrue.length / outputs;
            double sum = 0;
            for (int i = output; i < yTrue.length; i += outputs) {
                sum += f.applyAsDouble(yTrue[i], yPred[i]);
            }
            return sum / n;
        }
    }

    /** Checks the inputs, applies {@code metric} to each output's column and averages the results. */
    private static double perOutput(String owner, double[] yTrue, double[] yPred, int outputs, int minExamples,
                                    ToDoubleFunction<Column> metric) {
        Check.require(outputs >= 1, owner, "outputs must be >= 1, got " + outputs);
        Check.sameLength(owner, "yTrue", yTrue.length, "yPred", yPred.length);
        Check.require(yTrue.length % outputs == 0, owner, yTrue.length + " values are not rows of " + outputs + " outputs");
        int n = yTrue.length / outputs;
        Check.require(n >= minExamples, owner, "needs at least " + minExamples + " example" + (minExamples == 1 ? "" : "s") + ", got " + n);
        Check.notNaN(owner, "yTrue", yTrue);
        Check.notNaN(owner, "yPred", yPred);
        double sum = 0;
        for (int j = 0; j < outputs; j++) {
            sum += metric.applyAsDouble(new Column(yTrue, yPred, j, outputs));
        }
        return sum / outputs;
    }
}

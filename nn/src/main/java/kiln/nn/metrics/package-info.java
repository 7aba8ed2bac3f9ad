/**
 * Evaluation metrics over plain Java arrays, checked against scikit-learn 1.2, with tensor overloads
 * and accumulators that a training loop feeds batch by batch.
 *
 * <ul>
 *   <li>Labels: {@link kiln.nn.metrics.Accuracy} (and top-k), {@link kiln.nn.metrics.ConfusionMatrix},
 *       {@link kiln.nn.metrics.PrecisionRecall} (precision, recall, F-beta per class and
 *       {@link kiln.nn.metrics.Average averaged}), {@link kiln.nn.metrics.ClassificationReport}.</li>
 *   <li>Scores: {@link kiln.nn.metrics.RocCurve} (ROC AUC), {@link kiln.nn.metrics.PrecisionRecallCurve}
 *       (average precision), binary or one-vs-rest; {@link kiln.nn.metrics.LogLoss}.</li>
 *   <li>Regression: {@link kiln.nn.metrics.Regression} (MSE, MAE, RMSE, R², explained variance).</li>
 *   <li>Streaming: {@link kiln.nn.metrics.ClassificationAccumulator},
 *       {@link kiln.nn.metrics.RegressionAccumulator}.</li>
 * </ul>
 *
 * <p>Conventions: functions take {@code (yTrue, yPred)} or {@code (yTrue, scores)} in scikit-learn's
 * order; classes are {@code 0 .. k-1} and score matrices are {@code [n][k]}; binary labels are 0 and 1.
 * Bad input (length mismatch, a label out of range, NaN scores, no examples where a metric is
 * undefined) throws {@link java.lang.IllegalArgumentException} naming the metric and the value. Ratios
 * with a zero denominator (precision of a class never predicted, ...) are 0, as scikit-learn's default.
 */
package kiln.nn.metrics;

/**
 * Deployment: a trained checkpoint answering requests.
 *
 * <ul>
 *   <li>{@link kiln.nn.deploy.InputEncoder}: raw rows, as the dataset stores them (pixels 0–255, plain
 *       numbers), to the model's input tensor; which encoder a checkpoint needs is in its metadata.</li>
 *   <li>{@link kiln.nn.deploy.Predictor}: checkpoint → encoder → saved scaling → model → softmax; safe to
 *       call from many threads.</li>
 *   <li>{@link kiln.nn.deploy.PredictionServer}: {@code POST /predict}, {@code GET /health},
 *       {@code GET /metrics} on the JDK's built-in HTTP server, with {@link kiln.nn.deploy.ServerMetrics}
 *       for monitoring (latency percentiles, the distribution of predicted classes).</li>
 *   <li>{@link kiln.nn.deploy.InputFile} and {@link kiln.nn.deploy.GrayImage}: inputs read from IDX, CSV
 *       and PNG files; {@link kiln.nn.deploy.PredictionsCsv}: predictions written as CSV.</li>
 * </ul>
 */
package kiln.nn.deploy;

/**
 * What a training run leaves for people to read: line charts (loss and accuracy curves), confusion-matrix
 * heatmaps, both as PNG files drawn with Java2D, and a self-contained HTML page that shows them beside the
 * run's configuration, metrics and tables.
 *
 * <p>The classes take plain arrays, lists and maps, not tensors or trainer types, so anything can report
 * through them. Everything renders off-screen and works on a machine without a display. Every file is
 * written atomically ({@link kiln.nn.io.AtomicFiles}): a crash never leaves half a PNG or half a page.
 */
package kiln.nn.report;

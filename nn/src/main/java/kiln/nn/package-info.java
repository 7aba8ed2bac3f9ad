/**
 * Layers, losses, optimizers, schedules, the data pipeline, metrics, the training loop and checkpoints,
 * in PyTorch's vocabulary with Java manners (see DESIGN.md section 5).
 *
 * <p>The module exists from the first build so that the dependency direction is fixed; its classes
 * arrive with the layers-and-optimizers issue.
 */
package kiln.nn;

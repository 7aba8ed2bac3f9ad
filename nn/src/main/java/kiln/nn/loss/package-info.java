/**
 * Loss functions with PyTorch 1.13's formulas, composed of differentiable tensor ops so that autograd
 * provides their gradients.
 *
 * <pre>{@code
 * Loss loss = new CrossEntropyLoss().withLabelSmoothing(0.1);
 * try (MemoryScope step = MemoryScope.open()) {
 *     loss.apply(model.forward(x), labels).backward();
 *     optimizer.step();
 * }
 * }</pre>
 *
 * <p>Every loss is an immutable record of its options; {@code withX(...)} returns a changed copy.
 * Regression: {@link kiln.nn.loss.MSELoss}, {@link kiln.nn.loss.L1Loss}, {@link kiln.nn.loss.SmoothL1Loss},
 * {@link kiln.nn.loss.HuberLoss}. Binary: {@link kiln.nn.loss.BCELoss} (probabilities),
 * {@link kiln.nn.loss.BCEWithLogitsLoss} (logits). Classes: {@link kiln.nn.loss.CrossEntropyLoss} (logits),
 * {@link kiln.nn.loss.NLLLoss} (log-probabilities). Distributions: {@link kiln.nn.loss.KLDivLoss}.
 *
 * <p>Memory: a loss's result and intermediates belong to the open {@link kiln.engine.MemoryScope}, like
 * any op's; backward needs the intermediates, so they are never closed early. Weight tensors given as
 * options are borrowed, not owned: create them outside the step's scope and keep them open.
 * Targets and weights in another floating dtype are converted to the prediction's.
 */
package kiln.nn.loss;

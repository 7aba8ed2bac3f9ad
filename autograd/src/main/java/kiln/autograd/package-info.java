/**
 * Reverse-mode automatic differentiation over {@code kiln.engine} tensors: the graph recorded as ops
 * run, {@code backward()} as an iterative topological sort and a reverse sweep, one small class per
 * differentiable primitive with its forward and backward rules side by side, and {@code GradCheck}.
 *
 * <p>The module exists from the first build so that the dependency direction
 * (nn → autograd → engine → kernels) is fixed; its classes arrive with the autograd issue.
 */
package kiln.autograd;

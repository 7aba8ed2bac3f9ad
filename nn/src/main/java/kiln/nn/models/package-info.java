/** Named model architectures for the command line (mlp, lenet, ...), built as Sequential stacks with PyTorch's state-dict names. */
package kiln.nn.models;

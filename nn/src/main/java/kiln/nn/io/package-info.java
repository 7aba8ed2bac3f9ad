/**
 * Files: a strict JSON reader and writer, the safetensors layout (atomic writes, validated reads),
 * model architectures as JSON, and checkpoints that rebuild a trained model from one file.
 */
package kiln.nn.io;

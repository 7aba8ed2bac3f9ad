package kiln.nn.layers;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * GradCheck (float64 central differences) of the layers not covered by their own test classes:
 * Linear, Sequential, every activation module, Embedding, Dropout in training mode and the
 * TransformerBlock, with respect to the input and every parameter.
 */
class BasicLayersGradTest {
    private final Generator rng = new Generator(17);

    private void check(String what, Module module, Tensor x) {
        try (MemoryScope scope = MemoryScope.open(); module) {
            module.to(DType.FLOAT64);
            LayerGradCheck.randomize(module, rng);
            LayerGradCheck.check(what, module, module::forward, x);
        }
    }

    private Tensor input(int... dims) {
        return Tensor.randn(rng, DType.FLOAT64, dims).requiresGrad(true);
    }

    @Test
    void linear() {
        check("Linear", new Linear(4, 3, rng), input(2, 5, 4));
        check("Linear without bias", new Linear(4, 3, false, rng), input(3, 4));
    }

    @Test
    void sequentialMlp() {
        check("MLP", new Sequential(new Linear(3, 5, rng), Activation.tanh(), new Linear(5, 2, rng)), input(4, 3));
    }

    /** Inputs are random normals: the kinks of ReLU and LeakyReLU at 0 are hit with probability 0. */
    @Test
    void activations() {
        check("ReLU", Activation.relu(), input(3, 7));
        check("LeakyReLU", Activation.leakyRelu(0.1), input(3, 7));
        check("GELU", Activation.gelu(), input(3, 7));
        check("SiLU", Activation.silu(), input(3, 7));
        check("Tanh", Activation.tanh(), input(3, 7));
        check("Sigmoid", Activation.sigmoid(), input(3, 7));
        check("Softmax", Activation.softmax(-1), input(3, 7));
    }

    @Test
    void embeddingGradientReachesTheRowsRead() {
        Tensor indices = Tensor.fromArray(new long[] {1, 4, 1, 0, 2, 4}, 2, 3);   // repeated rows accumulate
        check("Embedding", new Embedding(6, 3, rng), indices);
    }

    /** Dropout draws a new mask per call, so each evaluation builds it from the same seed: one fixed mask. */
    @Test
    void dropoutInTrainingMode() {
        Tensor x = input(4, 6);
        try (MemoryScope scope = MemoryScope.open()) {
            kiln.autograd.GradCheck.check("Dropout(0.3)", in -> new Dropout(0.3, new Generator(9)).forward(in[0]), x);
        }
    }

    @Test
    void transformerBlock() {
        check("TransformerBlock", new TransformerBlock(4, 2, true, rng), input(2, 3, 4));
    }
}

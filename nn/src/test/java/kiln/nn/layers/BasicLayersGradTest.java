package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
        // Linear then ReLU runs as one fused op (linearRelu); a Linear without bias, and a ReLU not after a Linear, too.
        check("MLP with ReLU", new Sequential(new Linear(3, 5, rng), Activation.relu(), new Linear(5, 4, false, rng), Activation.relu(),
                Activation.relu(), new Linear(4, 2, rng)), input(4, 3));
    }

    /** The fused Linear + ReLU of Sequential gives the values and gradients of the two layers run one after the other, in float32. */
    @Test
    void sequentialFusesLinearAndReluWithoutChangingResults() {
        try (MemoryScope scope = MemoryScope.open();
             Linear first = new Linear(7, 33, rng); Linear second = new Linear(33, 3, rng)) {
            Activation relu = Activation.relu();
            Tensor x = Tensor.randn(rng, 5, 7).requiresGrad(true);
            Tensor fusedOut = new Sequential(first, relu, second).forward(x);
            fusedOut.sum().backward();
            float[] fused = fusedOut.toFloatArray(), fusedDx = x.grad().toFloatArray(), fusedDw = first.weight().grad().toFloatArray();
            x.setGrad(null);
            first.zeroGrad();
            Tensor stepOut = second.forward(relu.forward(first.forward(x)));
            stepOut.sum().backward();
            assertArrayEquals(stepOut.toFloatArray(), fused, "y");       // float arrays compare bit for bit
            assertArrayEquals(x.grad().toFloatArray(), fusedDx, "dx");
            assertArrayEquals(first.weight().grad().toFloatArray(), fusedDw, "dw");
        }
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

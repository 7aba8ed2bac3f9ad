package kiln.nn.layers;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;

/**
 * Linear, Sequential and the activations against PyTorch 1.13 (tools/reference/make_goldens.py).
 * Tolerance 1e-6 (relative, plus absolute near 0): these layers add at most a few float32 products
 * per output, so results agree with PyTorch's to a few ulps.
 */
class BasicLayersGoldenTest {
    private static final double TOLERANCE = 1e-6;
    private final Generator rng = new Generator(3);

    @Test
    void linear() {
        LayerGolden.check("linear.txt", new Linear(5, 3, rng), TOLERANCE);
    }

    @Test
    void linearWithoutBias() {
        LayerGolden.check("linear_nobias.txt", new Linear(5, 3, false, rng), TOLERANCE);
    }

    @Test
    void sequentialNamesItsChildrenByPosition() {
        LayerGolden.check("sequential_mlp.txt", new Sequential(new Linear(4, 6, rng), Activation.relu(), new Linear(6, 2, rng)), TOLERANCE);
    }

    @Test
    void relu() {
        LayerGolden.check("relu.txt", Activation.relu(), TOLERANCE);
    }

    @Test
    void leakyRelu() {
        LayerGolden.check("leakyrelu.txt", Activation.leakyRelu(0.1), TOLERANCE);
    }

    @Test
    void gelu() {
        LayerGolden.check("gelu.txt", Activation.gelu(), TOLERANCE);
    }

    @Test
    void silu() {
        LayerGolden.check("silu.txt", Activation.silu(), TOLERANCE);
    }

    @Test
    void tanh() {
        LayerGolden.check("tanh.txt", Activation.tanh(), TOLERANCE);
    }

    @Test
    void sigmoid() {
        LayerGolden.check("sigmoid.txt", Activation.sigmoid(), TOLERANCE);
    }

    @Test
    void softmax() {
        LayerGolden.check("softmax.txt", Activation.softmax(-1), TOLERANCE);
    }
}

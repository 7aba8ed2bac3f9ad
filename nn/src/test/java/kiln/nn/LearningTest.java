package kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;
import kiln.nn.data.Synthetic;
import kiln.nn.data.TensorDataset;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Linear;
import kiln.nn.layers.Sequential;
import kiln.nn.loss.BCEWithLogitsLoss;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.loss.Loss;
import kiln.nn.optim.Adam;
import kiln.nn.optim.Optimizer;
import kiln.nn.optim.SGD;

/**
 * End to end: autograd, layers, a loss and an optimizer together learn small problems, and a long
 * training loop holds its off-heap memory flat.
 */
class LearningTest {

    /** One full-batch training step; everything it allocates is freed when it returns. */
    private static double step(Module model, Loss loss, Optimizer optimizer, Tensor x, Tensor y) {
        try (MemoryScope scope = MemoryScope.open()) {
            optimizer.zeroGrad();
            Tensor value = loss.apply(model.forward(x), y);
            value.backward();
            optimizer.step();
            return value.item();
        }
    }

    private static double accuracy(Module model, Tensor x, Tensor labels) {
        try (MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            Tensor logits = model.forward(x);
            Tensor predicted = logits.dim(-1) == 1 ? logits.squeeze(-1).gt(0).to(DType.INT64) : logits.argmax(-1, false);
            return predicted.eq(labels.to(DType.INT64)).to(DType.FLOAT32).mean().item();
        }
    }

    @Test
    void mlpLearnsXor() {
        Generator rng = new Generator(7);
        Module model = new Sequential(new Linear(2, 8, rng), Activation.tanh(), new Linear(8, 1, rng));
        Tensor x = Tensor.fromArray(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.fromArray(new float[] {0, 1, 1, 0}, 4, 1);
        Optimizer adam = new Adam(model.parameters(), 0.05);
        Loss loss = new BCEWithLogitsLoss();
        double last = Double.NaN;
        for (int i = 0; i < 400; i++) {
            last = step(model, loss, adam, x, y);
        }
        assertEquals(1.0, accuracy(model, x, y.squeeze(-1)), 0.0, "XOR must be learned exactly");
        assertTrue(last < 0.05, "final loss " + last);
    }

    @Test
    void mlpSeparatesTwoMoons() {
        Generator rng = new Generator(11);
        TensorDataset train = Synthetic.moons(400, 0.1, rng);
        TensorDataset test = Synthetic.moons(400, 0.1, rng);
        Module model = new Sequential(new Linear(2, 32, rng), Activation.relu(), new Linear(32, 32, rng),
                Activation.relu(), new Linear(32, 2, rng));
        Optimizer adam = new Adam(model.parameters(), 0.01);
        Loss loss = new CrossEntropyLoss();
        for (int i = 0; i < 300; i++) {
            step(model, loss, adam, train.features(), train.targets());
        }
        double trainAccuracy = accuracy(model, train.features(), train.targets());
        double testAccuracy = accuracy(model, test.features(), test.targets());
        assertTrue(testAccuracy >= 0.97, "held-out accuracy " + testAccuracy + " (train " + trainAccuracy + ")");
    }

    /**
     * 10,000 steps of a small MLP with a momentum optimizer: after warm-up (the optimizer's state and
     * the gradients exist from the first step), every step frees exactly what it allocated. Measured
     * after the garbage collector's safety net has freed what earlier tests in this JVM left behind.
     */
    @Test
    void tenThousandStepsKeepLiveMemoryFlat() {
        Generator rng = new Generator(5);
        TensorDataset data = Synthetic.moons(64, 0.1, rng);
        Module model = new Sequential(new Linear(2, 16, rng), Activation.relu(), new Linear(16, 2, rng));
        Optimizer sgd = new SGD(model.parameters(), SGD.options().lr(0.05).momentum(0.9));
        Loss loss = new CrossEntropyLoss();
        step(model, loss, sgd, data.features(), data.targets());
        long bytesAfterWarmUp = NativeMemory.settledLiveBytes();
        long blocksAfterWarmUp = NativeMemory.liveBlocks();
        for (int i = 1; i <= 10_000; i++) {
            step(model, loss, sgd, data.features(), data.targets());
            if (i % 1000 == 0) {
                assertEquals(bytesAfterWarmUp, NativeMemory.settledLiveBytes(), "live off-heap bytes after step " + i);
                assertEquals(blocksAfterWarmUp, NativeMemory.liveBlocks(), "live off-heap blocks after step " + i);
            }
        }
        model.close();
        sgd.close();
    }
}

package kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Conv2d;
import kiln.nn.layers.Flatten;
import kiln.nn.layers.Linear;
import kiln.nn.layers.MaxPool2d;
import kiln.nn.layers.Sequential;
import kiln.nn.layers.Window2d;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.loss.Loss;
import kiln.nn.optim.Adam;
import kiln.nn.optim.Optimizer;
import kiln.nn.optim.SGD;

/**
 * Whole-model checks in the manner of llm.c: a small model with PyTorch's initial weights and data
 * (tools/reference/make_goldens.py, models/*.txt) must give PyTorch's logits, loss and every parameter
 * gradient at step 0, then PyTorch's loss at each of 10 training steps and its final weights.
 *
 * <p>Tolerance: 1e-4 relative (plus absolute near 0). Every quantity is float32; the two engines sum
 * in different orders, so single results differ by a few ulps (about 1e-7 relative), and 10 optimizer
 * steps carry those differences forward, Adam's normalised steps amplifying them where gradients are
 * tiny. Observed deviations are well below the tolerance (see the assertion messages on failure).
 */
class ModelGoldenTest {
    private static final double TOLERANCE = 1e-4;
    private final Generator rng = new Generator(1);

    private void checkTraining(String file, Module model, Function<Module, Optimizer> optimizerFor) {
        Golden golden = Golden.load("/golden/models/" + file);
        try (model) {
            Map<String, Tensor> initial = new LinkedHashMap<>();
            model.stateDict().keySet().forEach(name -> initial.put(name, golden.tensor("param." + name)));
            model.loadStateDict(initial);
            Tensor x = golden.tensor("X");
            Tensor y = golden.tensor("y");
            Loss loss = new CrossEntropyLoss();
            try (Optimizer optimizer = optimizerFor.apply(model)) {
                for (int step = 0; step < 10; step++) {
                    try (MemoryScope scope = MemoryScope.open()) {
                        optimizer.zeroGrad();
                        Tensor logits = model.forward(x);
                        Tensor value = loss.apply(logits, y);
                        assertEquals(golden.value("loss." + step), value.item(), TOLERANCE, file + " loss." + step);
                        value.backward();
                        if (step == 0) {
                            assertClose(file + " logits.0", golden.tensor("logits.0"), logits);
                            model.namedParameters().forEach((name, p) ->
                                    assertClose(file + " grad0." + name, golden.tensor("grad0." + name), p.grad()));
                        }
                        optimizer.step();
                    }
                }
            }
            try (MemoryScope scope = MemoryScope.open()) {
                assertEquals(golden.value("loss.10"), loss.apply(model.forward(x), y).item(), TOLERANCE, file + " loss.10");
            }
            model.namedParameters().forEach((name, p) ->
                    assertClose(file + " final." + name, golden.tensor("final." + name), p.value()));
        }
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what + ": size");
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], TOLERANCE * (1 + Math.abs(e[i])), what + " at flat index " + i);
        }
    }

    @Test
    void mlpTrainsLikePyTorch() {
        Module mlp = new Sequential(new Linear(4, 16, rng), Activation.tanh(), new Linear(16, 16, rng),
                Activation.relu(), new Linear(16, 3, rng));
        checkTraining("mlp.txt", mlp, m -> new SGD(m.parameters(), SGD.options().lr(0.1).momentum(0.9)));
    }

    @Test
    void cnnTrainsLikePyTorch() {
        Module cnn = new Sequential(
                new Conv2d(Conv2d.options(1, 4, Window2d.of(3).padding(1)), rng), Activation.relu(), new MaxPool2d(2),
                new Conv2d(4, 8, 3, rng), Activation.relu(), new Flatten(), new Linear(32, 5, rng));
        checkTraining("cnn.txt", cnn, m -> new Adam(m.parameters(), 0.01));
    }
}

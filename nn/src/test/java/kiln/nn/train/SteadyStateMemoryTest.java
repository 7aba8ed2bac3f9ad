package kiln.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Conv2d;
import kiln.nn.layers.Flatten;
import kiln.nn.layers.Linear;
import kiln.nn.layers.MaxPool2d;
import kiln.nn.layers.Sequential;
import kiln.nn.layers.Window2d;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.optim.Adam;

/**
 * The steady state of a training step (zeroGrad; forward, cross-entropy and backward inside a memory
 * scope; Adam) allocates nothing from the operating system: once a few warm-up steps have made the
 * gradients and the optimizer's state and filled the allocator's cache, every temporary comes from
 * the cache, and the live footprint returns to the same number of bytes after every step.
 */
class SteadyStateMemoryTest {
    private static final int WARM_UP = 3;
    private static final int STEPS = 50;

    static Stream<String> models() {
        return Stream.of("mlp", "cnn");
    }

    @ParameterizedTest
    @MethodSource("models")
    void trainingStepsAllocateNothingFromTheOperatingSystem(String model) {
        Generator rng = new Generator(5);
        boolean cnn = model.equals("cnn");
        Module network = cnn
                ? new Sequential(new Conv2d(Conv2d.options(1, 4, Window2d.of(3).padding(1)), rng), Activation.relu(), new MaxPool2d(2),
                        new Flatten(), new Linear(4 * 14 * 14, 10, rng))
                : new Sequential(new Linear(784, 64, rng), Activation.relu(), new Linear(64, 10, rng));
        CrossEntropyLoss loss = new CrossEntropyLoss();
        try (network;
             Tensor images = cnn ? Tensor.randn(rng, 16, 1, 28, 28) : Tensor.randn(rng, 32, 784);
             Tensor labels = Tensor.randint(rng, 0, 10, images.dim(0));
             Adam optimizer = new Adam(network.parameters(), 1e-3)) {
            Runnable step = () -> {
                optimizer.zeroGrad();
                try (MemoryScope scope = MemoryScope.open()) {
                    loss.apply(network.forward(images), labels).backward();
                }
                optimizer.step();
            };
            for (int k = 0; k < WARM_UP; k++) {
                step.run();
            }
            long live = NativeMemory.settledLiveBytes();     // after the safety net has freed what earlier tests dropped
            long calls = NativeMemory.osAllocations();
            for (int k = 0; k < STEPS; k++) {
                step.run();
                assertEquals(live, NativeMemory.liveBytes(), model + " step " + k + ": live bytes");
            }
            assertEquals(calls, NativeMemory.osAllocations(), model + ": allocations from the C library in " + STEPS + " steady steps");
            assertTrue(NativeMemory.cachedBytes() > 0, "the step's temporaries wait in the cache between steps");
        }
    }
}

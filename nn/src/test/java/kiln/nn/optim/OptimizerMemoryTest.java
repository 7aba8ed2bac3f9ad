package kiln.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;
import kiln.nn.Parameter;
import kiln.nn.layers.Linear;

/**
 * The soak test: 1,000 training steps (forward, backward, clipping, update, schedule) of a small
 * linear model with each optimizer. Once the first step has made the gradients and the optimizer's
 * state, the live off-heap footprint must come back to exactly the same number after every step.
 */
class OptimizerMemoryTest {
    /** Each optimizer with every state tensor it can keep. */
    private static final Map<String, Function<List<Parameter>, Optimizer>> OPTIMIZERS = Map.of(
            "SGD", p -> new SGD(p, SGD.options().lr(0.01).momentum(0.9).nesterov(true).weightDecay(1e-4)),
            "Adam", p -> new Adam(p, Adam.options().amsgrad(true).weightDecay(1e-4)),
            "AdamW", p -> new AdamW(p, 1e-3),
            "RMSprop", p -> new RMSprop(p, RMSprop.options().centered(true).momentum(0.5).weightDecay(1e-4)),
            "Adagrad", p -> new Adagrad(p, Adagrad.options().lrDecay(1e-3).weightDecay(1e-4)));

    static Stream<String> optimizers() {
        return OPTIMIZERS.keySet().stream().sorted();
    }


    @ParameterizedTest
    @MethodSource("optimizers")
    void aThousandStepsKeepAFlatFootprint(String name) throws InterruptedException {
        Generator rng = new Generator(11);
        try (Linear model = new Linear(16, 4, rng);
             Tensor x = Tensor.randn(rng, 32, 16);
             Tensor y = Tensor.randn(rng, 32, 4);
             Optimizer optimizer = OPTIMIZERS.get(name).apply(model.parameters())) {
            LrScheduler schedule = new CosineAnnealingLR(optimizer, 1000, 0);
            Runnable step = () -> {
                optimizer.zeroGrad();
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor error = model.forward(x).sub(y);
                    error.mul(error).mean().backward();
                }
                GradClip.byGlobalNorm(model.parameters(), 1.0);
                optimizer.step();
                schedule.step();
            };
            step.run();                 // warm-up: gradients and optimizer state are made here
            long baseline = NativeMemory.settledLiveBytes();
            for (int k = 0; k < 1000; k++) {
                step.run();
                if (NativeMemory.liveBytes() != baseline) {
                    throw new AssertionError(name + " step " + k + ": live bytes " + NativeMemory.liveBytes() + " != " + baseline);
                }
            }
            long stateBytes = optimizer.params().stream()
                    .mapToLong(p -> optimizer.stateOf(p).tensors().values().stream().mapToLong(t -> t.numel() * 4).sum()).sum();
            assertTrue(stateBytes > 0, "the optimizer keeps state");
            optimizer.close();
            assertEquals(baseline - stateBytes, NativeMemory.liveBytes(), "close() releases the state");
        }
    }
}

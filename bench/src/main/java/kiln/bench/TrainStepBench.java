package kiln.bench;

import java.util.concurrent.TimeUnit;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.kernels.cpu.Parallel;
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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step on a Fashion-MNIST-shaped batch of 128 (forward, cross-entropy, backward, Adam),
 * the unit of {@code kiln train}: an epoch of 60 000 images is 469 such steps.
 *
 * <ul>
 *   <li>{@code mlp}: 784-256-128-10 with ReLU, inputs {@code [128, 784]};</li>
 *   <li>{@code lenet}: LeNet-5, conv 5×5 1→6 padding 2, ReLU, max pool 2, conv 5×5 6→16, ReLU, max pool
 *       2, flatten, 400-120-84-10 with ReLU, inputs {@code [128, 1, 28, 28]}.</li>
 * </ul>
 *
 * Warm-up is longer than the other benchmarks': a step runs many kernels, and until the JIT has
 * compiled them all (a few hundred steps; the very first step, interpreted, takes seconds) steps are
 * many times slower. Reported as milliseconds per step (lower is better).
 *
 * <pre>
 * ./kiln build && java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main TrainStepBench
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class TrainStepBench {
    /** Images per step. */
    public static final int BATCH = 128;

    @Param({"mlp", "lenet"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    private Module network;
    private Tensor images;
    private Tensor labels;
    private final CrossEntropyLoss loss = new CrossEntropyLoss();
    private Adam optimizer;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        Generator rng = new Generator(1);
        boolean lenet = model.equals("lenet");
        network = lenet ? lenet(rng) : mlp(rng);
        images = lenet ? Tensor.randn(rng, BATCH, 1, 28, 28) : Tensor.randn(rng, BATCH, 784);
        labels = Tensor.randint(rng, 0, 10, BATCH);
        optimizer = new Adam(network.parameters(), 1e-3);
    }

    static Module mlp(Generator rng) {
        return new Sequential(new Linear(784, 256, rng), Activation.relu(), new Linear(256, 128, rng), Activation.relu(),
                new Linear(128, 10, rng));
    }

    static Module lenet(Generator rng) {
        return new Sequential(
                new Conv2d(Conv2d.options(1, 6, Window2d.of(5).padding(2)), rng), Activation.relu(), new MaxPool2d(2),
                new Conv2d(6, 16, 5, rng), Activation.relu(), new MaxPool2d(2), new Flatten(),
                new Linear(400, 120, rng), Activation.relu(), new Linear(120, 84, rng), Activation.relu(), new Linear(84, 10, rng));
    }

    @TearDown
    public void tearDown() {
        optimizer.close();
        network.close();
        images.close();
        labels.close();
    }

    @Benchmark
    public void step() {
        optimizer.zeroGrad();
        try (MemoryScope step = MemoryScope.open()) {
            loss.apply(network.forward(images), labels).backward();
        }
        optimizer.step();
    }
}

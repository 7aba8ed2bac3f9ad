package kiln.cli;

import java.io.PrintStream;

import kiln.engine.Autograd;
import kiln.engine.Backends;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Linear;
import kiln.nn.layers.Sequential;
import kiln.nn.loss.BCEWithLogitsLoss;
import kiln.nn.loss.Loss;
import kiln.nn.optim.Adam;
import kiln.nn.optim.Optimizer;

/** {@code kiln demo}: builds tensors, runs a few ops, a gradient and a tiny training loop, and prints them with the active backend. */
final class Demo {
    private static final String HELP = """
            usage: kiln demo [--seed N]

            A short tour of the engine: factories, views without copies, broadcasting, reductions,
            softmax, a matmul, a gradient, a small network learning XOR, and memory scopes freeing
            temporaries. Deterministic for a seed.""";

    private Demo() {}

    static int run(String[] args, PrintStream out) {
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println(HELP);
                    return 0;
                }
                case "--seed" -> {
                    if (i + 1 >= args.length) {
                        throw new Main.UsageException("--seed needs a value");
                    }
                    try {
                        seed = Long.parseLong(args[++i]);
                    } catch (NumberFormatException e) {
                        throw new Main.UsageException("--seed must be an integer, got '" + args[i] + "'");
                    }
                }
                default -> throw new Main.UsageException("unknown option '" + args[i] + "' (try: kiln demo --help)");
            }
        }
        out.println("backend: " + Backends.describeDefault());
        long liveBefore = NativeMemory.liveBytes();
        try (MemoryScope scope = MemoryScope.open()) {
            section(out, "a 2x3 matrix from an array, and its transpose (a view: no copy)");
            Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).named("x");
            out.println(x);
            out.println(x.t());

            section(out, "broadcasting: x + [10, 20, 30], and x * 2");
            out.println(x.add(Tensor.fromArray(new float[] {10, 20, 30}, 3)));
            out.println(x.mul(2));

            section(out, "elementwise: relu, gelu, exp, sigmoid of linspace(-2, 2, 5)");
            Tensor grid = Tensor.linspace(-2, 2, 5);
            out.println(grid.relu());
            out.println(grid.gelu());
            out.println(grid.exp());
            out.println(grid.sigmoid());

            section(out, "reductions of x: sum, sum along axis 0, mean along axis 1 (keepDim), max, argmax along 1, std");
            out.println(x.sum());
            out.println(x.sum(0, false));
            out.println(x.mean(1, true));
            out.println(x.max());
            out.println(x.argmax(1, false));
            out.println(x.std());

            section(out, "softmax along the last axis (each row sums to 1)");
            out.println(x.softmax(-1));

            section(out, "matmul: randn(2, 3) @ randn(3, 4) with seed " + seed);
            Generator generator = new Generator(seed);
            Tensor a = Tensor.randn(generator, 2, 3);
            Tensor b = Tensor.randn(generator, 3, 4);
            out.println(a.matmul(b));

            section(out, "indexing: oneHot of labels [2, 0, 1] and gather of x's column per row");
            Tensor labels = Tensor.fromArray(new long[] {2, 0, 1}, 3);
            out.println(Tensor.oneHot(labels, 3));
            out.println(x.gather(1, Tensor.fromArray(new long[] {2, 0}, 2, 1)));

            section(out, "joining: cat along 0 and stack along 0; int32 cast; comparison mask");
            out.println(Tensor.cat(0, x, x.mul(-1)));
            out.println(Tensor.stack(0, x, x).shape());
            out.println(x.div(2).to(DType.INT32));
            out.println(x.gt(3));

            section(out, "autograd: y = sum(x * x * w); backward() gives dy/dx = 2·x·w");
            Tensor v = Tensor.fromArray(new float[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor weights = Tensor.fromArray(new float[] {0.5f, -1, 2}, 3);
            Tensor y = v.mul(v).mul(weights).sum();
            y.backward();
            out.println("y = " + y.item() + " (made by '" + y.gradFn() + "'), dy/dx = " + v.grad());

            section(out, "training: a 2-8-1 MLP learns XOR with Adam (binary cross-entropy every 100 steps)");
            trainXor(seed, out);

            section(out, "a large tensor prints in summary, like NumPy");
            out.println(Tensor.arange(0, 2000, 1, DType.FLOAT32).reshape(40, 50));

            out.println();
            out.println("off-heap bytes live inside the scope: " + (NativeMemory.liveBytes() - liveBefore)
                    + " in " + scope.size() + " tensors");
        }
        out.println("off-heap bytes live after the scope closed: " + (NativeMemory.liveBytes() - liveBefore));
        return 0;
    }

    private static void trainXor(long seed, PrintStream out) {
        Generator rng = new Generator(seed);
        Tensor inputs = Tensor.fromArray(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor targets = Tensor.fromArray(new float[] {0, 1, 1, 0}, 4, 1);
        Loss loss = new BCEWithLogitsLoss();
        try (Module model = new Sequential(new Linear(2, 8, rng), Activation.tanh(), new Linear(8, 1, rng));
             Optimizer adam = new Adam(model.parameters(), 0.05)) {
            for (int step = 0; step <= 400; step++) {
                try (MemoryScope stepScope = MemoryScope.open()) {      // each step frees its own temporaries
                    adam.zeroGrad();
                    Tensor value = loss.apply(model.forward(inputs), targets);
                    value.backward();
                    adam.step();
                    if (step % 100 == 0) {
                        out.printf("step %3d  loss %.4f%n", step, value.item());
                    }
                }
            }
            try (Autograd.NoGrad off = Autograd.noGrad()) {
                out.println("predictions for (0,0) (0,1) (1,0) (1,1): " + model.forward(inputs).sigmoid().reshape(4));
            }
        }
    }

    private static void section(PrintStream out, String title) {
        out.println();
        out.println("# " + title);
    }
}

package kiln.nn.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.engine.Generator;
import kiln.nn.Module;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Conv2d;
import kiln.nn.layers.Flatten;
import kiln.nn.layers.Linear;
import kiln.nn.layers.MaxPool2d;
import kiln.nn.layers.Sequential;
import kiln.nn.layers.Window2d;

/**
 * The named models of the command line ({@code kiln train --model NAME}), each a {@link Sequential}
 * so that its state dict has PyTorch's names ({@code 0.weight}, {@code 1.bias}, ...) and an
 * {@code nn.Sequential} of the same layers in PyTorch shares its weights files:
 *
 * <ul>
 *   <li>{@code linear}: Flatten, Linear(in, classes): softmax regression on the logits.</li>
 *   <li>{@code mlp}, {@code mlp:H1,H2,...}: Flatten, then Linear and ReLU per hidden size (default
 *       256,128), then Linear to the classes: 784-256-128-10 on Fashion-MNIST.</li>
 *   <li>{@code lenet}: LeNet-5 as the PyTorch peer trains it: Conv2d(C, 6, 5, padding 2), ReLU,
 *       MaxPool2d(2), Conv2d(6, 16, 5), ReLU, MaxPool2d(2), Flatten, Linear(400, 120), ReLU,
 *       Linear(120, 84), ReLU, Linear(84, classes) for 28×28 images (400 = 16·5·5; other sizes change it).</li>
 *   <li>{@code cnn}: LeNet-5's layout with wider convolutions, 16 and 32 filters instead of 6 and 16
 *       (Flatten then gives 800 = 32·5·5 features on 28×28 images): about four times LeNet's
 *       arithmetic, for a point or two more accuracy.</li>
 * </ul>
 *
 * {@code linear} and {@code mlp} take any input shape (flattened per sample); {@code lenet} and
 * {@code cnn} take images {@code [C, H, W]} of at least 12×12.
 */
public final class ModelZoo {
    private static final int[] DEFAULT_HIDDEN = {256, 128};

    private ModelZoo() {}

    /** Each model name with a one-line description, in the order a --help lists them. */
    public static Map<String, String> names() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("linear", "softmax regression: Flatten, Linear(inputs, classes)");
        names.put("mlp", "multilayer perceptron: Flatten, Linear+ReLU per hidden size, Linear; default mlp:256,128 (e.g. mlp:512,256)");
        names.put("lenet", "LeNet-5 for [C, H, W] images: conv5x5 C->6 pad 2, ReLU, maxpool 2; conv5x5 6->16, ReLU, maxpool 2; 400-120-84-classes");
        names.put("cnn", "LeNet-5 with wider convolutions: conv5x5 C->16 pad 2, ReLU, maxpool 2; conv5x5 16->32, ReLU, maxpool 2; 800-120-84-classes");
        return names;
    }

    /**
     * A new model: {@code spec} is a name from {@link #names()}, with options after a colon where the
     * model takes them ({@code mlp:512,256}); {@code inputShape} is one sample's shape (e.g.
     * {@code [1, 28, 28]}); parameters are initialised from {@code rng} as PyTorch's layers do.
     */
    public static Module build(String spec, int[] inputShape, int classes, Generator rng) {
        if (spec == null || rng == null) {
            throw new IllegalArgumentException("ModelZoo.build: the model name and the generator must not be null");
        }
        if (inputShape == null || inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("ModelZoo.build(" + spec + "): the input shape must be non-empty with positive sizes, got "
                    + Arrays.toString(inputShape));
        }
        if (classes <= 0) {
            throw new IllegalArgumentException("ModelZoo.build(" + spec + "): the number of classes must be positive, got " + classes);
        }
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String options = colon < 0 ? null : spec.substring(colon + 1);
        if (!names().containsKey(name)) {
            throw new IllegalArgumentException("ModelZoo: unknown model \"" + spec + "\" (known: " + String.join(", ", names().keySet()) + ")");
        }
        if (options != null && !name.equals("mlp")) {
            throw new IllegalArgumentException("ModelZoo: the model " + name + " takes no options, got \"" + spec + "\"");
        }
        return switch (name) {
            case "linear" -> perceptron(inputShape, new int[0], classes, rng);
            case "mlp" -> perceptron(inputShape, options == null ? DEFAULT_HIDDEN : hiddenSizes(spec, options), classes, rng);
            case "lenet" -> lenet(spec, inputShape, 6, 16, classes, rng);
            default -> lenet(spec, inputShape, 16, 32, classes, rng);
        };
    }

    /** "512,256" as {512, 256}. */
    private static int[] hiddenSizes(String spec, String options) {
        String[] parts = options.split(",", -1);
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException notANumber) {
                sizes[i] = 0;
            }
            if (sizes[i] <= 0) {
                throw new IllegalArgumentException("ModelZoo: hidden sizes must be positive integers separated by commas, got \"" + spec + "\"");
            }
        }
        return sizes;
    }

    /** Flatten, then Linear+ReLU per hidden size, then Linear to the classes. */
    private static Module perceptron(int[] inputShape, int[] hidden, int classes, Generator rng) {
        List<Module> layers = new ArrayList<>();
        layers.add(new Flatten());
        int width = Math.toIntExact(Arrays.stream(inputShape).asLongStream().reduce(1, Math::multiplyExact));
        for (int size : hidden) {
            layers.add(new Linear(width, size, rng));
            layers.add(Activation.relu());
            width = size;
        }
        layers.add(new Linear(width, classes, rng));
        return new Sequential(layers.toArray(Module[]::new));
    }

    /** LeNet-5's layout with {@code c1} and {@code c2} filters in its two convolutions (6 and 16 in the original). */
    private static Module lenet(String spec, int[] inputShape, int c1, int c2, int classes, Generator rng) {
        if (inputShape.length != 3 || inputShape[1] < 12 || inputShape[2] < 12) {
            throw new IllegalArgumentException("ModelZoo: " + spec + " needs images [C, H, W] of at least 12x12, got "
                    + Arrays.toString(inputShape));
        }
        // Height (and width) through the stack: the padded 5x5 conv keeps it, each pool halves it, the second conv takes 4.
        int h = (inputShape[1] / 2 - 4) / 2;
        int w = (inputShape[2] / 2 - 4) / 2;
        return new Sequential(
                new Conv2d(Conv2d.options(inputShape[0], c1, Window2d.of(5).padding(2)), rng),
                Activation.relu(),
                new MaxPool2d(2),
                new Conv2d(c1, c2, 5, rng),
                Activation.relu(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(c2 * h * w, 120, rng),
                Activation.relu(),
                new Linear(120, 84, rng),
                Activation.relu(),
                new Linear(84, classes, rng));
    }
}

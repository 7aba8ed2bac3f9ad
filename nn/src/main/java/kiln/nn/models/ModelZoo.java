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
import kiln.nn.layers.Dropout;
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
 *
 * <p>Two knobs vary a model's capacity and regularization without a new name, so that a tuner can
 * search them: the <b>width</b> multiplies every hidden size (the MLP's hidden sizes; LeNet's and the
 * CNN's filters and hidden units), each rounded and at least 1; <b>dropout</b> p adds {@link Dropout}
 * layers (the MLP: after each hidden ReLU; LeNet and the CNN: before each hidden Linear, where AlexNet
 * put them). Width 1 and dropout 0 give exactly the models above, layer for layer. {@code linear} has
 * no hidden layer, so it takes neither.
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
        return build(spec, inputShape, classes, 1, 0, rng);
    }

    /**
     * A new model as {@link #build(String, int[], int, Generator)} builds it, its hidden sizes multiplied
     * by {@code width} and with Dropout layers of probability {@code dropout} (none when 0); the Dropout
     * layers draw their masks from {@code rng}.
     */
    public static Module build(String spec, int[] inputShape, int classes, double width, double dropout, Generator rng) {
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
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException("ModelZoo(" + spec + "): the width must be a positive number, got " + width);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("ModelZoo(" + spec + "): dropout must be in [0, 1), got " + dropout);
        }
        if (name.equals("linear") && (width != 1 || dropout != 0)) {
            throw new IllegalArgumentException("ModelZoo: linear has no hidden layer to widen or drop out, got width " + width
                    + " and dropout " + dropout);
        }
        Capacity capacity = new Capacity(width, dropout, rng);
        return switch (name) {
            case "linear" -> perceptron(inputShape, new int[0], classes, capacity);
            case "mlp" -> perceptron(inputShape, options == null ? DEFAULT_HIDDEN : hiddenSizes(spec, options), classes, capacity);
            case "lenet" -> lenet(spec, inputShape, 6, 16, classes, capacity);
            default -> lenet(spec, inputShape, 16, 32, classes, capacity);
        };
    }

    /** The width multiplier and dropout probability applied while building, and the generator for both kinds of layer. */
    private record Capacity(double width, double dropout, Generator rng) {
        /** A hidden size times the width, rounded, at least 1. */
        int scaled(int size) {
            return (int) Math.max(1, Math.round(size * width));
        }

        /** Adds a Dropout layer to {@code layers}, unless dropout is off. */
        void dropout(List<Module> layers) {
            if (dropout > 0) {
                layers.add(new Dropout(dropout, rng));
            }
        }
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

    /** Flatten, then Linear+ReLU(+Dropout) per hidden size, then Linear to the classes. */
    private static Module perceptron(int[] inputShape, int[] hidden, int classes, Capacity capacity) {
        List<Module> layers = new ArrayList<>();
        layers.add(new Flatten());
        int features = Math.toIntExact(Arrays.stream(inputShape).asLongStream().reduce(1, Math::multiplyExact));
        for (int size : hidden) {
            int units = capacity.scaled(size);
            layers.add(new Linear(features, units, capacity.rng()));
            layers.add(Activation.relu());
            capacity.dropout(layers);
            features = units;
        }
        layers.add(new Linear(features, classes, capacity.rng()));
        return new Sequential(layers.toArray(Module[]::new));
    }

    /**
     * LeNet-5's layout with {@code c1} and {@code c2} filters in its two convolutions (6 and 16 in the
     * original) and hidden units 120 and 84, all times the width; Dropout before each hidden Linear.
     */
    private static Module lenet(String spec, int[] inputShape, int c1, int c2, int classes, Capacity capacity) {
        if (inputShape.length != 3 || inputShape[1] < 12 || inputShape[2] < 12) {
            throw new IllegalArgumentException("ModelZoo: " + spec + " needs images [C, H, W] of at least 12x12, got "
                    + Arrays.toString(inputShape));
        }
        // Height (and width) through the stack: the padded 5x5 conv keeps it, each pool halves it, the second conv takes 4.
        int h = (inputShape[1] / 2 - 4) / 2;
        int w = (inputShape[2] / 2 - 4) / 2;
        int filters1 = capacity.scaled(c1);
        int filters2 = capacity.scaled(c2);
        int hidden1 = capacity.scaled(120);
        int hidden2 = capacity.scaled(84);
        Generator rng = capacity.rng();
        List<Module> layers = new ArrayList<>(List.of(
                new Conv2d(Conv2d.options(inputShape[0], filters1, Window2d.of(5).padding(2)), rng),
                Activation.relu(),
                new MaxPool2d(2),
                new Conv2d(filters1, filters2, 5, rng),
                Activation.relu(),
                new MaxPool2d(2),
                new Flatten()));
        capacity.dropout(layers);
        layers.add(new Linear(filters2 * h * w, hidden1, rng));
        layers.add(Activation.relu());
        capacity.dropout(layers);
        layers.add(new Linear(hidden1, hidden2, rng));
        layers.add(Activation.relu());
        layers.add(new Linear(hidden2, classes, rng));
        return new Sequential(layers.toArray(Module[]::new));
    }
}

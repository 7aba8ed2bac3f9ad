package kiln.nn.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kiln.engine.Generator;
import kiln.nn.Module;
import kiln.nn.layers.Activation;
import kiln.nn.layers.AdaptiveAvgPool2d;
import kiln.nn.layers.AvgPool2d;
import kiln.nn.layers.BatchNorm;
import kiln.nn.layers.BatchNorm1d;
import kiln.nn.layers.BatchNorm2d;
import kiln.nn.layers.Conv2d;
import kiln.nn.layers.Dropout;
import kiln.nn.layers.Flatten;
import kiln.nn.layers.LayerNorm;
import kiln.nn.layers.Linear;
import kiln.nn.layers.MaxPool2d;
import kiln.nn.layers.Sequential;
import kiln.nn.layers.Window2d;

/**
 * A model's structure as JSON, so that a checkpoint alone is enough to rebuild the model: every layer
 * is an object with a {@code "type"} and its configuration under PyTorch's argument names, and a
 * Sequential lists its layers in order. LeNet's first layers, for example:
 *
 * <pre>
 * {"type": "Sequential", "layers": [
 *   {"type": "Conv2d", "in_channels": 1, "out_channels": 6, "kernel_size": [5, 5], "stride": [1, 1],
 *    "padding": [2, 2], "dilation": [1, 1], "groups": 1, "bias": true},
 *   {"type": "ReLU"},
 *   {"type": "MaxPool2d", "kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1]},
 *   ...]}
 * </pre>
 *
 * <p>Types: Sequential, Linear, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout,
 * BatchNorm1d, BatchNorm2d, LayerNorm, and the activations ReLU, LeakyReLU ({@code negative_slope}),
 * GELU, SiLU, Tanh, Sigmoid, Softmax ({@code dim}). Weights are not part of the description.
 *
 * <p>Building is closed-world: a {@code "type"} outside that list is refused, never looked up as a
 * class, and so is any missing or unknown member (a typo must not silently become a default).
 */
public final class Architecture {
    private static final Pattern LEAKY_RELU = Pattern.compile("LeakyReLU\\((.+)\\)");
    private static final Pattern SOFTMAX = Pattern.compile("Softmax\\(axis=(-?\\d+)\\)");
    private static final List<String> PLAIN_ACTIVATIONS = List.of("ReLU", "GELU", "SiLU", "Tanh", "Sigmoid");

    private Architecture() {}

    // ---------------------------------------------------------------- describing

    /** The model's structure as compact JSON; refuses a module type it cannot rebuild, naming it and where it is. */
    public static String describe(Module model) {
        if (model == null) {
            throw new IllegalArgumentException("Architecture.describe: the model is null");
        }
        return Json.write(describe(model, "model"));
    }

    private static Map<String, Object> describe(Module module, String where) {
        return switch (module) {
            case Sequential s -> {
                List<Object> layers = new ArrayList<>();
                for (int i = 0; i < s.size(); i++) {
                    layers.add(describe(s.get(i), where + "." + i));
                }
                yield spec("Sequential", "layers", layers);
            }
            case Linear l -> spec("Linear", "in_features", l.inFeatures(), "out_features", l.outFeatures(), "bias", l.bias() != null);
            case Conv2d c -> {
                Conv2d.Options o = c.options();
                Map<String, Object> spec = withWindow(spec("Conv2d", "in_channels", o.inChannels(), "out_channels", o.outChannels()),
                        o.window(), true);
                spec.put("groups", o.groups());
                spec.put("bias", o.bias());
                yield spec;
            }
            case MaxPool2d m -> withWindow(spec("MaxPool2d"), m.window(), true);
            case AvgPool2d a -> withWindow(spec("AvgPool2d"), a.window(), false);
            case AdaptiveAvgPool2d a -> spec("AdaptiveAvgPool2d", "output_size", List.of(a.outH(), a.outW()));
            case Flatten f -> spec("Flatten", "start_dim", f.startDim(), "end_dim", f.endDim());
            case Dropout d -> spec("Dropout", "p", d.p());
            case BatchNorm1d b -> batchNorm("BatchNorm1d", b);
            case BatchNorm2d b -> batchNorm("BatchNorm2d", b);
            case LayerNorm n -> spec("LayerNorm", "normalized_shape", Arrays.stream(n.normalizedShape()).boxed().toList(), "eps", n.eps(),
                    "elementwise_affine", n.weight() != null);
            case Activation a -> activation(a, where);
            default -> throw new IllegalArgumentException("Architecture.describe: " + where + " is a "
                    + module.getClass().getSimpleName() + ", a module type the architecture format cannot describe");
        };
    }

    private static Map<String, Object> batchNorm(String type, BatchNorm b) {
        return spec(type, "num_features", b.numFeatures(), "eps", b.eps(), "momentum", b.momentum());
    }

    /** An activation keeps only its printed name; it is described only if building the description gives that name back. */
    private static Map<String, Object> activation(Activation a, String where) {
        String name = a.name();
        Matcher leaky = LEAKY_RELU.matcher(name);
        Matcher softmax = SOFTMAX.matcher(name);
        Map<String, Object> spec = PLAIN_ACTIVATIONS.contains(name) ? spec(name)
                : leaky.matches() ? spec("LeakyReLU", "negative_slope", Double.parseDouble(leaky.group(1)))
                : softmax.matches() ? spec("Softmax", "dim", Integer.parseInt(softmax.group(1)))
                : null;
        if (spec == null || !((Activation) build(spec, where, null)).name().equals(name)) {
            throw new IllegalArgumentException("Architecture.describe: " + where + " is the activation " + name
                    + ", which the architecture format cannot describe");
        }
        return spec;
    }

    /** Adds kernel_size, stride, padding and (when {@code dilated}) dilation, each [h, w], to spec; returns it. */
    private static Map<String, Object> withWindow(Map<String, Object> spec, Window2d w, boolean dilated) {
        spec.put("kernel_size", List.of(w.kernelH(), w.kernelW()));
        spec.put("stride", List.of(w.strideH(), w.strideW()));
        spec.put("padding", List.of(w.paddingH(), w.paddingW()));
        if (dilated) {
            spec.put("dilation", List.of(w.dilationH(), w.dilationW()));
        }
        return spec;
    }

    /** {"type": type, key1: value1, key2: value2, ...} in that order. */
    private static Map<String, Object> spec(String type, Object... keysAndValues) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", type);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            spec.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return spec;
    }

    // ---------------------------------------------------------------- building

    /**
     * A new model of the described structure, its parameters initialised from {@code rng} as each
     * layer's constructor does (load weights afterwards); Dropout layers draw their masks from
     * {@code rng} too. Refuses invalid JSON, unknown types and missing or unknown members with an
     * IllegalArgumentException that names the layer ({@code model.3} is layer 3 of the root).
     */
    public static Module build(String json, Generator rng) {
        if (json == null || rng == null) {
            throw new IllegalArgumentException("Architecture.build: the JSON and the generator must not be null");
        }
        try {
            return build(Json.parse(json), "model", rng);
        } catch (IllegalArgumentException invalid) {
            throw new IllegalArgumentException("Architecture.build: " + invalid.getMessage(), invalid);
        }
    }

    /** The layer {@code value} describes; {@code path} is where it is in the model, for messages. */
    private static Module build(Object value, String path, Generator rng) {
        String type = JsonObject.of(value, path).string("type");
        JsonObject layer = JsonObject.of(value, path + " (" + type + ")");
        try {
            return switch (type) {
                case "Sequential" -> sequential(layer.allowOnly(List.of("type", "layers")), path, rng);
                case "Linear" -> {
                    layer.allowOnly(List.of("type", "in_features", "out_features", "bias"));
                    yield new Linear(layer.integer("in_features", 1), layer.integer("out_features", 1), layer.bool("bias"), rng);
                }
                case "Conv2d" -> {
                    layer.allowOnly(List.of("type", "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"));
                    Conv2d.Options options = Conv2d.options(layer.integer("in_channels", 1), layer.integer("out_channels", 1), window(layer, true))
                            .groups(layer.integer("groups", 1)).bias(layer.bool("bias"));
                    yield new Conv2d(options, rng);
                }
                case "MaxPool2d" -> new MaxPool2d(window(layer.allowOnly(List.of("type", "kernel_size", "stride", "padding", "dilation")), true));
                case "AvgPool2d" -> new AvgPool2d(window(layer.allowOnly(List.of("type", "kernel_size", "stride", "padding")), false));
                case "AdaptiveAvgPool2d" -> {
                    int[] size = pair(layer.allowOnly(List.of("type", "output_size")), "output_size", 1);
                    yield new AdaptiveAvgPool2d(size[0], size[1]);
                }
                case "Flatten" -> {
                    layer.allowOnly(List.of("type", "start_dim", "end_dim"));
                    yield new Flatten(layer.integer("start_dim", Integer.MIN_VALUE), layer.integer("end_dim", Integer.MIN_VALUE));
                }
                case "Dropout" -> new Dropout(layer.allowOnly(List.of("type", "p")).number("p"), rng);
                case "BatchNorm1d", "BatchNorm2d" -> {
                    layer.allowOnly(List.of("type", "num_features", "eps", "momentum"));
                    int features = layer.integer("num_features", 1);
                    double eps = layer.number("eps");
                    double momentum = layer.number("momentum");
                    yield type.equals("BatchNorm1d") ? new BatchNorm1d(features, eps, momentum) : new BatchNorm2d(features, eps, momentum);
                }
                case "LayerNorm" -> {
                    layer.allowOnly(List.of("type", "normalized_shape", "eps", "elementwise_affine"));
                    yield new LayerNorm(layer.integers("normalized_shape", 1), layer.number("eps"), layer.bool("elementwise_affine"));
                }
                case "ReLU" -> activation(layer, Activation.relu());
                case "GELU" -> activation(layer, Activation.gelu());
                case "SiLU" -> activation(layer, Activation.silu());
                case "Tanh" -> activation(layer, Activation.tanh());
                case "Sigmoid" -> activation(layer, Activation.sigmoid());
                case "LeakyReLU" -> Activation.leakyRelu(layer.allowOnly(List.of("type", "negative_slope")).number("negative_slope"));
                case "Softmax" -> Activation.softmax(layer.allowOnly(List.of("type", "dim")).integer("dim", Integer.MIN_VALUE));
                default -> throw new IllegalArgumentException(path + ": unknown layer type \"" + type + "\" (known: Sequential, Linear, "
                        + "Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout, BatchNorm1d, BatchNorm2d, LayerNorm, "
                        + "ReLU, LeakyReLU, GELU, SiLU, Tanh, Sigmoid, Softmax)");
            };
        } catch (IllegalArgumentException invalid) {
            // A layer's own check (e.g. Conv2d's groups) does not know where the layer is: say it once.
            throw invalid.getMessage().startsWith(path) ? invalid : new IllegalArgumentException(layer.where() + ": " + invalid.getMessage(), invalid);
        }
    }

    /** The layers in order; if one fails, those already built are released. */
    private static Sequential sequential(JsonObject spec, String path, Generator rng) {
        List<Module> layers = new ArrayList<>();
        try {
            List<?> list = spec.list("layers");
            for (int i = 0; i < list.size(); i++) {
                layers.add(build(list.get(i), path + "." + i, rng));
            }
            return new Sequential(layers.toArray(Module[]::new));
        } catch (RuntimeException failure) {
            layers.forEach(Module::close);
            throw failure;
        }
    }

    private static Activation activation(JsonObject spec, Activation activation) {
        spec.allowOnly(List.of("type"));
        return activation;
    }

    /** A pooling or convolution window from kernel_size, stride, padding and (when {@code dilated}) dilation, each [h, w]. */
    private static Window2d window(JsonObject spec, boolean dilated) {
        int[] kernel = pair(spec, "kernel_size", 1);
        int[] stride = pair(spec, "stride", 1);
        int[] padding = pair(spec, "padding", 0);
        int[] dilation = dilated ? pair(spec, "dilation", 1) : new int[] {1, 1};
        return new Window2d(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
    }

    private static int[] pair(JsonObject spec, String key, int min) {
        int[] values = spec.integers(key, min);
        if (values.length != 2) {
            throw new IllegalArgumentException(spec.where() + ": \"" + key + "\" must be [height, width], got " + JsonObject.describe(spec.get(key)));
        }
        return values;
    }
}

package kiln.nn.deploy;

import java.util.List;
import java.util.Map;

import kiln.engine.Tensor;
import kiln.nn.data.prep.InvalidRowException;
import kiln.nn.data.prep.TablePreparation;
import kiln.nn.io.Json;

/**
 * Turns raw input rows, one per example and as the dataset stores them, into the model's input
 * tensor {@code [n, ...shape]} (float32), the way the training pipeline did before its saved scaling.
 *
 * <p>A row is a {@code List} of values: {@code Number}, {@code String} or {@code null} (missing), as
 * JSON arrays and CSV rows hold them. An encoder refuses rows it cannot take with an
 * {@link InvalidRowException} naming the row (from 0) and the problem.
 *
 * <p>The kinds, by the {@code "type"} of their config:
 * <ul>
 *   <li>{@code {"type": "pixels", "shape": [1, 28, 28], "max": 255}}: {@link PixelEncoder};</li>
 *   <li>{@code {"type": "numbers", "shape": [2]}}: {@link NumberEncoder};</li>
 *   <li>{@code {"type": "table", "columns": [...], ...}}: {@link TableEncoder}, rows of a CSV table
 *       prepared as in training.</li>
 * </ul>
 * A checkpoint names its encoder in the metadata entry {@value #METADATA_KEY}; {@link #fromMetadata}
 * reads it, or derives it for checkpoints written before that entry existed.
 */
public interface InputEncoder {
    /** The checkpoint metadata entry that holds the encoder's config (JSON). */
    String METADATA_KEY = "kiln.input";

    /** One example's shape after encoding, e.g. {@code [1, 28, 28]}. */
    int[] shape();

    /** How many raw values a row holds. */
    int width();

    /** A new float32 tensor {@code [rows.size(), ...shape()]}; refuses bad rows with {@link InvalidRowException}. */
    Tensor encode(List<List<Object>> rows);

    /**
     * Whether a row may hold texts (categories). An encoder of numbers only says no, so that a file
     * with a stray word in a column is refused at that word's line rather than at its first row.
     */
    default boolean acceptsText() {
        return false;
    }

    /**
     * The names of the columns a row's values belong to, in order, when they have names (a table);
     * null when values are taken by position (pixels, numbers). A CSV file of inputs is matched by these names.
     */
    default List<String> columnNames() {
        return null;
    }

    /** What a row must hold, in words, e.g. "784 pixel values in [0, 255] per row (images [1, 28, 28])". */
    String describe();

    /** The JSON-ready config that {@link #fromConfig} rebuilds this encoder from. */
    Map<String, Object> config();

    /** The encoder a config describes; every kind is dispatched here and only here. */
    static InputEncoder fromConfig(Map<String, Object> config) {
        if (config == null) {
            throw new IllegalArgumentException("InputEncoder.fromConfig: the config is null");
        }
        Object type = config.get("type");
        if (PixelEncoder.TYPE.equals(type)) {
            return PixelEncoder.fromConfig(config);
        }
        if (NumberEncoder.TYPE.equals(type)) {
            return NumberEncoder.fromConfig(config);
        }
        if (TablePreparation.TYPE.equals(type)) {
            return TableEncoder.fromConfig(config);
        }
        throw new IllegalArgumentException("InputEncoder.fromConfig: unknown type " + Json.write(type) + " (known: \""
                + PixelEncoder.TYPE + "\", \"" + NumberEncoder.TYPE + "\", \"" + TablePreparation.TYPE + "\")");
    }

    /**
     * The encoder a checkpoint's metadata asks for: the config in {@value #METADATA_KEY} when present;
     * otherwise derived from {@code kiln.dataset} and {@code kiln.input_shape}: Fashion-MNIST stores
     * pixels 0–255 (and training divided them by 255), any other dataset plain numbers of the input shape.
     */
    static InputEncoder fromMetadata(Map<String, String> metadata) {
        String saved = metadata.get(METADATA_KEY);
        if (saved != null) {
            return fromConfig(EncoderConfig.object(Json.parse(saved), METADATA_KEY));
        }
        String shapeJson = metadata.get("kiln.input_shape");
        if (shapeJson == null) {
            throw new IllegalArgumentException("no " + METADATA_KEY + " or kiln.input_shape metadata: the input the model takes is unknown");
        }
        int[] shape = EncoderConfig.shape(Json.parse(shapeJson), "kiln.input_shape");
        return "fashion-mnist".equals(metadata.get("kiln.dataset")) ? new PixelEncoder(shape, 255) : new NumberEncoder(shape);
    }
}

package kiln.nn.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * A trained model in one safetensors file ({@link SafeTensors}): its state dict (parameters and
 * buffers under PyTorch's names, e.g. {@code 0.weight}, {@code 3.running_mean}) and string metadata:
 *
 * <ul>
 *   <li>{@value #FORMAT_KEY}: the checkpoint format version, {@value #FORMAT_VERSION};</li>
 *   <li>{@value #ARCHITECTURE_KEY}: the model's structure ({@link Architecture} JSON);</li>
 *   <li>whatever the caller adds, e.g. the preprocessing, the class names, the dataset.</li>
 * </ul>
 *
 * So one file rebuilds the model ({@link #load}), and because the names and layouts are PyTorch's,
 * {@code torch.load_state_dict} of the tensors works on the same architecture in PyTorch, and a state
 * dict saved by PyTorch loads into a Kiln model ({@link #loadWeights}).
 *
 * <p>Loading is strict: every name of the model must be in the file with the same shape and dtype,
 * and the file must hold nothing else; otherwise it is refused with the list of problems and the
 * model is left unchanged.
 */
public final class Checkpoint {
    /** The metadata key of the format version. */
    public static final String FORMAT_KEY = "kiln.format";
    /** The format version this class writes and reads. */
    public static final String FORMAT_VERSION = "1";
    /** The metadata key of the architecture JSON. */
    public static final String ARCHITECTURE_KEY = "kiln.architecture";

    /** A rebuilt model (weights loaded, evaluation mode) and the file's metadata; closing releases the model. */
    public record Loaded(Module model, Map<String, String> metadata) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    private Checkpoint() {}

    /**
     * Writes the model's state dict and structure, with {@code metadata} added (its keys must not be
     * {@value #FORMAT_KEY} or {@value #ARCHITECTURE_KEY}), atomically. Refuses a model that
     * {@link Architecture} cannot describe.
     */
    public static void save(Path file, Module model, Map<String, String> metadata) throws IOException {
        if (file == null || model == null || metadata == null) {
            throw new IllegalArgumentException("Checkpoint.save: file, model and metadata must not be null");
        }
        if (metadata.containsKey(FORMAT_KEY) || metadata.containsKey(ARCHITECTURE_KEY)) {
            throw new IllegalArgumentException("Checkpoint.save: the metadata keys " + FORMAT_KEY + " and " + ARCHITECTURE_KEY
                    + " are written by Checkpoint itself, got " + metadata.keySet());
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put(FORMAT_KEY, FORMAT_VERSION);
        all.put(ARCHITECTURE_KEY, Architecture.describe(model));
        all.putAll(metadata);
        SafeTensors.write(file, model.stateDict(), all);
    }

    /**
     * Rebuilds the model a Kiln checkpoint describes, loads its weights and switches it to evaluation
     * mode. {@code rng} initialises the layers before the weights overwrite them, and later draws
     * Dropout's masks if the model is trained further.
     */
    public static Loaded load(Path file, Generator rng) throws IOException {
        if (file == null || rng == null) {
            throw new IllegalArgumentException("Checkpoint.load: file and generator must not be null");
        }
        try (SafeTensors.Contents contents = SafeTensors.read(file)) {
            Map<String, String> metadata = contents.metadata();
            String format = metadata.get(FORMAT_KEY);
            if (format == null) {
                throw new InvalidFileException(file, "no \"" + FORMAT_KEY + "\" metadata: not a Kiln checkpoint"
                        + " (a bare state dict, e.g. from PyTorch, loads into a model built first: Checkpoint.loadWeights)");
            }
            if (!format.equals(FORMAT_VERSION)) {
                throw new InvalidFileException(file, "checkpoint format \"" + format + "\"; this Kiln reads format " + FORMAT_VERSION);
            }
            String architecture = metadata.get(ARCHITECTURE_KEY);
            if (architecture == null) {
                throw new InvalidFileException(file, "no \"" + ARCHITECTURE_KEY + "\" metadata: the model cannot be rebuilt");
            }
            Module model;
            try {
                model = Architecture.build(architecture, rng);
            } catch (IllegalArgumentException invalid) {
                throw new InvalidFileException(file, "invalid architecture: " + invalid.getMessage());
            }
            try {
                copyInto(file, contents.tensors(), model);
            } catch (InvalidFileException | RuntimeException failure) {
                model.close();
                throw failure;
            }
            model.eval();
            return new Loaded(model, metadata);
        }
    }

    /**
     * Copies the tensors of a safetensors file (Kiln's or PyTorch's, by state-dict name) into an
     * existing model, e.g. for a warm start; the model's mode is unchanged.
     */
    public static void loadWeights(Path file, Module model) throws IOException {
        if (file == null || model == null) {
            throw new IllegalArgumentException("Checkpoint.loadWeights: file and model must not be null");
        }
        try (SafeTensors.Contents contents = SafeTensors.read(file)) {
            copyInto(file, contents.tensors(), model);
        }
    }

    /**
     * Checks that the file's tensors fit the model exactly, then copies them. Module.loadStateDict
     * checks names and shapes but converts dtypes, as PyTorch does; a checkpoint is stricter, since a
     * float64 file meeting a float32 model means the file is not the model's.
     */
    private static void copyInto(Path file, Map<String, Tensor> values, Module model) throws InvalidFileException {
        Map<String, Tensor> own = model.stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        own.forEach((name, tensor) -> {
            Tensor value = values.get(name);
            if (value == null) {
                missing.add(name);
            } else if (!Arrays.equals(value.dims(), tensor.dims()) || value.dtype() != tensor.dtype()) {
                mismatched.add(name + " (file " + SafeTensors.code(value.dtype()) + value.shape()
                        + ", model " + SafeTensors.code(tensor.dtype()) + tensor.shape() + ")");
            }
        });
        List<String> unexpected = values.keySet().stream().filter(name -> !own.containsKey(name)).toList();
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder reason = new StringBuilder("the tensors do not fit the model");
            appendList(reason, "missing", missing);
            appendList(reason, "unexpected", unexpected);
            appendList(reason, "mismatched", mismatched);
            throw new InvalidFileException(file, reason.toString());
        }
        model.loadStateDict(values);
    }

    private static void appendList(StringBuilder reason, String label, List<String> names) {
        if (!names.isEmpty()) {
            reason.append("; ").append(label).append(": ").append(String.join(", ", names));
        }
    }
}

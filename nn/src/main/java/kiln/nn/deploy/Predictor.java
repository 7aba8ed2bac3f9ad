package kiln.nn.deploy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.data.FeatureScaler;
import kiln.nn.data.prep.InvalidRowException;
import kiln.nn.io.Checkpoint;
import kiln.nn.io.InvalidFileException;
import kiln.nn.io.Json;
import kiln.nn.metrics.Accuracy;

/**
 * A trained classifier ready to answer: the model of a checkpoint with everything its metadata says
 * about its inputs, applied in the training pipeline's order:
 *
 * <pre>
 *   raw rows ──{@link InputEncoder} (kiln.input)──► features ──saved scaling (kiln.preprocessing)──► model ──softmax──► {@link Prediction}
 * </pre>
 *
 * <pre>{@code
 * try (Predictor predictor = Predictor.load(Path.of("runs/cnn"))) {
 *     Prediction p = predictor.predict(List.of(pixelsOfOneImage));   // 784 values 0–255
 *     p.names().getFirst();                                           // "Ankle boot"
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> {@link #predict} may be called from many threads at once, without a lock around
 * the model: in evaluation mode a forward pass only reads the parameters; what it writes is its own
 * (each call's tensors belong to a {@link MemoryScope} of the calling thread, no-grad scopes and
 * autograd recording are per thread, the kernels' scratch buffers are per thread, and the shared
 * compute pool takes jobs from any number of callers). A read-write lock only keeps {@link #close}
 * from freeing the model under a running prediction: closing waits for them to finish.
 */
public final class Predictor implements AutoCloseable {
    /** The checkpoint's name inside a run folder written by {@code kiln train}. */
    public static final String CHECKPOINT_NAME = "model.safetensors";

    private final Path checkpoint;
    private final Module model;
    private final Map<String, String> metadata;
    private final InputEncoder encoder;
    private final FeatureScaler scaler;          // null when the model was trained on unscaled features
    private final List<String> classNames;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;                      // written under the write lock, read under the read lock

    private Predictor(Path checkpoint, Module model, Map<String, String> metadata) throws InvalidFileException {
        this.checkpoint = checkpoint;
        this.model = model;
        this.metadata = Map.copyOf(metadata);
        this.encoder = entry(checkpoint, InputEncoder.METADATA_KEY + " / kiln.input_shape", () -> InputEncoder.fromMetadata(metadata));
        this.scaler = entry(checkpoint, "kiln.preprocessing", () -> metadata.containsKey("kiln.preprocessing")
                ? FeatureScaler.fromConfig(EncoderConfig.object(Json.parse(metadata.get("kiln.preprocessing")), "kiln.preprocessing"))
                : null);
        this.classNames = entry(checkpoint, "kiln.classes", () -> classNames(metadata.get("kiln.classes")));
    }

    /**
     * Loads the checkpoint of a run folder ({@value #CHECKPOINT_NAME} inside it) or a checkpoint file,
     * refusing one whose metadata does not say what its inputs and classes are.
     */
    public static Predictor load(Path runDirOrFile) throws IOException {
        Path file = checkpointFile(runDirOrFile);
        Checkpoint.Loaded loaded = Checkpoint.load(file, new Generator(0));
        try {
            return new Predictor(file, loaded.model(), loaded.metadata());
        } catch (InvalidFileException | RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** The checkpoint file a run folder or file names: {@value #CHECKPOINT_NAME} inside a folder, else the file itself. */
    public static Path checkpointFile(Path runDirOrFile) throws FileNotFoundException {
        if (runDirOrFile == null) {
            throw new IllegalArgumentException("Predictor: the checkpoint path is null");
        }
        Path file = Files.isDirectory(runDirOrFile) ? runDirOrFile.resolve(CHECKPOINT_NAME) : runDirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("no checkpoint at " + file + " (expected a run folder holding "
                    + CHECKPOINT_NAME + ", or a .safetensors file)");
        }
        return file;
    }

    /**
     * The predicted class and the probabilities of every class for each row (see {@link InputEncoder}
     * for what a row holds). Rows the encoder refuses throw {@link InvalidRowException}, naming the row.
     */
    public Prediction predict(List<List<Object>> rows) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("Predictor: closed (" + checkpoint + ")");
            }
            double[][] probabilities = probabilities(rows);
            int[] classes = Accuracy.argmax(probabilities);
            List<String> names = new ArrayList<>(classes.length);
            for (int c : classes) {
                names.add(classNames.get(c));
            }
            return new Prediction(classes, names, probabilities);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Softmax of the logits in float64, as {@code kiln eval} computes its probabilities. */
    private double[][] probabilities(List<List<Object>> rows) {
        try (MemoryScope scope = MemoryScope.open(); Autograd.NoGrad off = Autograd.noGrad()) {
            Tensor features = encoder.encode(rows);
            Tensor input = scaler == null ? features : scaler.transform(features);
            Tensor logits = model.forward(input);
            if (logits.rank() != 2 || logits.dim(0) != rows.size() || logits.dim(1) != classNames.size()) {
                throw new IllegalStateException("Predictor: the model of " + checkpoint + " gave " + logits.describe() + " for "
                        + rows.size() + " rows; expected one score per class of " + classNames.size());
            }
            double[] flat = logits.to(DType.FLOAT64).softmax(1).toDoubleArray();
            int k = classNames.size();
            double[][] probabilities = new double[rows.size()][];
            for (int i = 0; i < probabilities.length; i++) {
                probabilities[i] = Arrays.copyOfRange(flat, i * k, (i + 1) * k);
            }
            return probabilities;
        }
    }

    /** The checkpoint file this predictor was loaded from. */
    public Path checkpoint() {
        return checkpoint;
    }

    /** The class names, by class index. */
    public List<String> classNames() {
        return classNames;
    }

    /** How raw rows become the model's input. */
    public InputEncoder encoder() {
        return encoder;
    }

    /** The scaling fitted on the training split, applied after the encoder; null when training scaled nothing. */
    public FeatureScaler scaler() {
        return scaler;
    }

    /** The model, in evaluation mode; it stays this predictor's (closed with it). */
    public Module model() {
        return model;
    }

    /** The checkpoint's metadata. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Frees the model, once every prediction in progress has finished; later calls to {@link #predict} are refused. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                model.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private static List<String> classNames(String json) {
        if (json == null) {
            throw new IllegalArgumentException("missing: the class names are unknown");
        }
        if (Json.parse(json) instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw new IllegalArgumentException("expected a non-empty JSON list of class names, got " + json);
    }

    /** Reads one part of the metadata, turning a malformed value into a refusal of the file that names the entry. */
    private static <T> T entry(Path file, String key, Supplier<T> read) throws InvalidFileException {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidFileException(file, "the metadata entry " + key + " is not usable: " + e.getMessage());
        }
    }
}

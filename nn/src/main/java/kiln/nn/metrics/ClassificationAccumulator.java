package kiln.nn.metrics;

import java.util.Arrays;
import java.util.List;

import kiln.engine.Tensor;

/**
 * Collects a classifier's outputs batch by batch (an evaluation pass), then computes any classification
 * metric over everything seen:
 *
 * <pre>{@code
 * var seen = new ClassificationAccumulator(10);
 * for (Batch batch : validLoader) {
 *     try (batch; var scope = MemoryScope.open(); var off = Autograd.noGrad()) {
 *         seen.add(model.forward(batch.features()), batch.targets());
 *     }
 * }
 * double accuracy = seen.accuracy();
 * String report = seen.report(classNames);
 * }</pre>
 *
 * <p>It keeps, per example, the true label, the predicted label (the arg-max, lowest index on ties)
 * and the k class probabilities, on the Java heap in arrays that double when full: about
 * {@code 8 + 8k} bytes per example (10 classes, 10,000 examples: 0.9 MB). {@link #reset()} forgets
 * the examples but keeps the arrays for the next epoch. Tensors are read, never kept or closed.
 * Not thread-safe.
 */
public final class ClassificationAccumulator {
    private static final String OWNER = "ClassificationAccumulator";
    private static final int INITIAL_CAPACITY = 1024;

    private final int numClasses;
    private int size;
    private int[] labels = new int[INITIAL_CAPACITY];
    private int[] predictions = new int[INITIAL_CAPACITY];
    /** Row-major {@code [capacity, numClasses]}. */
    private double[] probabilities;

    /** An empty accumulator for classes {@code 0 .. numClasses-1} (numClasses &gt;= 2). */
    public ClassificationAccumulator(int numClasses) {
        Check.require(numClasses >= 2, OWNER, "numClasses must be >= 2, got " + numClasses);
        this.numClasses = numClasses;
        this.probabilities = new double[Math.multiplyExact(INITIAL_CAPACITY, numClasses)];
    }

    /**
     * Adds a batch of logits and integer labels {@code [n]}. Logits {@code [n, k]} become probabilities
     * by a softmax (in float64). With two classes, logits {@code [n]} or {@code [n, 1]} are read as the
     * logit of class 1 (a sigmoid model, as with BCEWithLogitsLoss): probabilities {@code [σ(-z), σ(z)]}.
     */
    public void add(Tensor logits, Tensor labels) {
        int[] y = TensorInput.labels(OWNER, labels);
        boolean binaryLogit = numClasses == 2 && (logits.rank() == 1 || (logits.rank() == 2 && logits.dim(1) == 1));
        double[][] rows = binaryLogit ? sigmoidRows(TensorInput.values(OWNER, "logits", logits)) : softmaxRows(TensorInput.rows(OWNER, "logits", logits));
        add(y, rows);
    }

    /** Adds a batch of probabilities {@code [n, k]} (used as given) and integer labels {@code [n]}. */
    public void addProbabilities(Tensor probabilities, Tensor labels) {
        add(TensorInput.labels(OWNER, labels), TensorInput.rows(OWNER, "probabilities", probabilities));
    }

    /** Adds examples: labels and their class probabilities (or any scores) {@code [n][k]}. */
    public void add(int[] labels, double[][] probabilities) {
        Check.sameLength(OWNER, "labels", labels.length, "probabilities", probabilities.length);
        if (labels.length == 0) {
            return;
        }
        int k = Check.columns(OWNER, "probabilities", probabilities);
        Check.require(k == numClasses, OWNER, "expected " + numClasses + " classes, got rows of " + k);
        Check.labels(OWNER, "labels", labels, numClasses);
        reserve(labels.length);
        int[] predicted = Accuracy.argmax(probabilities);
        for (int i = 0; i < labels.length; i++) {
            this.labels[size] = labels[i];
            this.predictions[size] = predicted[i];
            System.arraycopy(probabilities[i], 0, this.probabilities, size * numClasses, numClasses);
            size++;
        }
    }

    /** Forgets every example; the arrays are kept for reuse. */
    public void reset() {
        size = 0;
    }

    /** The number of examples added since creation or the last {@link #reset()}. */
    public int size() {
        return size;
    }

    /** The number of classes k of every probability row. */
    public int numClasses() {
        return numClasses;
    }

    /** The true labels, in the order added. */
    public int[] labels() {
        return Arrays.copyOf(labels, size);
    }

    /** The predicted labels (arg-max of the probabilities), in the order added. */
    public int[] predictions() {
        return Arrays.copyOf(predictions, size);
    }

    /** The probabilities {@code [n][k]}, in the order added. */
    public double[][] probabilities() {
        double[][] rows = new double[size][];
        for (int i = 0; i < size; i++) {
            rows[i] = Arrays.copyOfRange(probabilities, i * numClasses, (i + 1) * numClasses);
        }
        return rows;
    }

    /** The probability of class c for every example (e.g. c = 1 for a binary ROC curve). */
    public double[] probabilities(int c) {
        Check.require(c >= 0 && c < numClasses, OWNER, "class " + c + " is not in [0, " + numClasses + ")");
        double[] column = new double[size];
        for (int i = 0; i < size; i++) {
            column[i] = probabilities[i * numClasses + c];
        }
        return column;
    }

    /** The confusion matrix of the predictions against the labels. */
    public ConfusionMatrix confusionMatrix() {
        requireExamples();
        return ConfusionMatrix.of(labels(), predictions(), numClasses);
    }

    /** The fraction of examples whose prediction is their label. */
    public double accuracy() {
        requireExamples();
        return Accuracy.of(labels(), predictions());
    }

    /** See {@link Accuracy#topK(int[], double[][], int)} for how ties rank. */
    public double topKAccuracy(int k) {
        requireExamples();
        return Accuracy.topK(labels(), probabilities(), k);
    }

    /** Precision, recall and F1 per class and averaged. */
    public PrecisionRecall precisionRecall() {
        return PrecisionRecall.of(confusionMatrix());
    }

    /** Log loss of the probabilities, clipped at {@link LogLoss#DEFAULT_EPS}. */
    public double logLoss() {
        requireExamples();
        return LogLoss.of(labels(), probabilities());
    }

    /**
     * One-vs-rest ROC AUC over all classes (see {@link RocCurve#auc(int[], double[][], Average)}). For the
     * binary AUC of a two-class problem use {@code RocCurve.auc(labels(), probabilities(1))}.
     */
    public double rocAuc(Average average) {
        requireExamples();
        return RocCurve.auc(labels(), probabilities(), average);
    }

    /**
     * One-vs-rest average precision over all classes (see
     * {@link PrecisionRecallCurve#averagePrecision(int[], double[][], Average)}). For the binary AP of a
     * two-class problem use {@code PrecisionRecallCurve.averagePrecision(labels(), probabilities(1))}.
     */
    public double averagePrecision(Average average) {
        requireExamples();
        return PrecisionRecallCurve.averagePrecision(labels(), probabilities(), average);
    }

    /** scikit-learn's classification report (see {@link ClassificationReport}); null names use indices. */
    public String report(List<String> classNames) {
        return ClassificationReport.of(confusionMatrix(), classNames);
    }

    private void requireExamples() {
        Check.require(size > 0, OWNER, "no examples added yet");
    }

    /** Makes room for {@code more} examples, doubling the arrays as often as needed. */
    private void reserve(int more) {
        int needed = Math.addExact(size, more);
        if (needed <= labels.length) {
            return;
        }
        int capacity = Math.max(needed, (int) Math.min(2L * labels.length, Integer.MAX_VALUE - 8));
        labels = Arrays.copyOf(labels, capacity);
        predictions = Arrays.copyOf(predictions, capacity);
        probabilities = Arrays.copyOf(probabilities, Math.multiplyExact(capacity, numClasses));
    }

    private static double[][] softmaxRows(double[][] logits) {
        for (double[] row : logits) {
            double max = Double.NEGATIVE_INFINITY;
            for (double z : row) {
                max = Math.max(max, z);
            }
            double sum = 0;
            for (int c = 0; c < row.length; c++) {
                row[c] = Math.exp(row[c] - max); // shifted by the max: no overflow, same ratios
                sum += row[c];
            }
            for (int c = 0; c < row.length; c++) {
                row[c] /= sum;
            }
        }
        return logits;
    }

    private static double[][] sigmoidRows(double[] logits) {
        double[][] rows = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            // σ(z) = 1 / (1 + e^-z), and σ(-z) rather than 1 - σ(z) keeps tiny probabilities exact
            rows[i] = new double[] {1 / (1 + Math.exp(logits[i])), 1 / (1 + Math.exp(-logits[i]))};
        }
        return rows;
    }
}

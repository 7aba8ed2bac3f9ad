package kiln.nn.data;

import java.util.Map;

import kiln.engine.Tensor;

/**
 * A fitted feature scaling, {@code z = (x − shift) / scale}, whose statistics were measured on the
 * training data only and are then applied unchanged to training, validation and test data, so that
 * nothing about the held-out data leaks into training.
 *
 * <p>Features are the values of one example: an input {@code [n, ...]} holds n examples of
 * {@code d = product of the trailing dimensions} features. A {@link Scope#PER_FEATURE} scaler keeps
 * statistics per feature (a column of {@code [n, d]}); a {@link Scope#GLOBAL} one keeps one set for all
 * values, as images are usually standardized with a single mean and deviation.
 *
 * <p>Scaling runs in the input's dtype with the statistics rounded to it; the statistics themselves
 * are accumulated in float64. Build a scaler with {@code StandardScaler.perFeature().fit(train)} or
 * {@code MinMaxScaler.global().fit(train)}; save it with {@link #config()} and rebuild it with
 * {@link #fromConfig}.
 */
public interface FeatureScaler {

    /** Which values share one set of statistics. */
    enum Scope {
        /** Each feature (column of {@code [n, d]}) its own. */
        PER_FEATURE,
        /** One set over every value of every feature. */
        GLOBAL
    }

    Scope scope();

    /** The scaled values of {@code x} ({@code [n, ...]} with this scaler's feature count, or any shape if global): a new tensor. */
    Tensor transform(Tensor x);

    /** The values whose scaling is {@code z}: undoes {@link #transform}, up to rounding. A new tensor. */
    Tensor inverseTransform(Tensor z);

    /**
     * Everything needed to rebuild this scaler, as JSON-ready values: Strings, Doubles and Lists of
     * Doubles, under the key {@code "type"} and the keys its class documents.
     */
    Map<String, Object> config();

    /**
     * All of {@code data}, gathered at once, with its features scaled and its targets unchanged: a new
     * dataset the caller owns and closes.
     */
    default TensorDataset transform(Dataset data) {
        int[] all = new int[data.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        Batch whole = data.gather(all);
        Tensor scaled;
        try (Tensor features = whole.features()) {
            scaled = transform(features);
        } catch (RuntimeException e) {
            whole.targets().close();
            throw e;
        }
        return new TensorDataset(scaled, whole.targets());
    }

    /** The scaler that {@link #config()} describes, of the class named by its {@code "type"}. */
    static FeatureScaler fromConfig(Map<String, Object> config) {
        Object type = config.get("type");
        if (StandardScaler.TYPE.equals(type)) {
            return StandardScaler.fromConfig(config);
        }
        if (MinMaxScaler.TYPE.equals(type)) {
            return MinMaxScaler.fromConfig(config);
        }
        throw new IllegalArgumentException("FeatureScaler.fromConfig: unknown type " + type + " (expected \""
                + StandardScaler.TYPE + "\" or \"" + MinMaxScaler.TYPE + "\")");
    }
}

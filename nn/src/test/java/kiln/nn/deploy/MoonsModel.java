package kiln.nn.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.data.DataLoader;
import kiln.nn.data.StandardScaler;
import kiln.nn.data.Synthetic;
import kiln.nn.data.TensorDataset;
import kiln.nn.io.Checkpoint;
import kiln.nn.io.Json;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Linear;
import kiln.nn.layers.Sequential;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.optim.Adam;
import kiln.nn.train.Trainer;

/**
 * A small classifier trained on two moons whose raw features are the points × 50 + 200, with a
 * standard scaler fitted on them and saved in the checkpoint as {@code kiln train} saves it: a
 * predictor that skipped the scaling would see inputs near 200 instead of near 0.
 */
final class MoonsModel {
    static final List<String> CLASSES = List.of("upper moon", "lower \"moon\", bent");

    /** The scaler's statistics and the raw test points, for the tests' own arithmetic. */
    record Saved(Path file, double[] mean, double[] std, float[][] testPoints, long[] testLabels) {
        /** The test points as request rows of Doubles. */
        List<List<Object>> rows(int from, int to) {
            List<List<Object>> rows = new ArrayList<>();
            for (int i = from; i < to; i++) {
                rows.add(List.of((double) testPoints[i][0], (double) testPoints[i][1]));
            }
            return rows;
        }
    }

    private MoonsModel() {}

    static Module architecture(Generator rng) {
        return new Sequential(new Linear(2, 16, rng), Activation.relu(), new Linear(16, 2, rng));
    }

    /** Trains for a few epochs and saves {@code dir/model.safetensors} with the metadata kiln train writes. */
    static Saved train(Path dir) throws IOException {
        try (TensorDataset train = raw(Synthetic.moons(600, 0.1, new Generator(1)));
             TensorDataset test = raw(Synthetic.moons(200, 0.1, new Generator(2)));
             Module model = architecture(new Generator(3))) {
            StandardScaler scaler = StandardScaler.perFeature().fit(train);
            try (TensorDataset scaled = scaler.transform(train)) {
                Trainer.builder(model, new CrossEntropyLoss(), new Adam(model.parameters(), 0.02)).epochs(15).build()
                        .fit(DataLoader.builder(scaled).batchSize(32).shuffle(4).build(), null);
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("kiln.dataset", "moons");
            metadata.put("kiln.input_shape", "[2]");
            metadata.put("kiln.classes", Json.write(CLASSES));
            metadata.put("kiln.preprocessing", Json.write(scaler.config()));
            Path file = dir.resolve(Predictor.CHECKPOINT_NAME);
            Checkpoint.save(file, model, metadata);
            float[] x = test.features().toFloatArray();
            float[][] points = new float[test.size()][];
            for (int i = 0; i < points.length; i++) {
                points[i] = new float[] {x[2 * i], x[2 * i + 1]};
            }
            long[] labels = new long[test.size()];
            double[] y = test.targets().toDoubleArray();
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (long) y[i];
            }
            return new Saved(file, scaler.mean(), scaler.std(), points, labels);
        }
    }

    /** The moons in raw units: × 50 + 200. */
    private static TensorDataset raw(TensorDataset moons) {
        try (moons; Tensor scaled = moons.features().mul(50)) {
            return new TensorDataset(scaled.add(200), moons.targets().copy());
        }
    }
}

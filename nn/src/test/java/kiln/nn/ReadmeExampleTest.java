package kiln.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Linear;
import kiln.nn.layers.Sequential;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.loss.Loss;
import kiln.nn.optim.AdamW;
import kiln.nn.optim.CosineAnnealingLR;
import kiln.nn.optim.LrScheduler;
import kiln.nn.optim.Optimizer;
import kiln.nn.data.DataLoader;
import kiln.nn.data.Synthetic;
import kiln.nn.data.TensorDataset;
import kiln.nn.io.Checkpoint;
import kiln.nn.optim.Adam;
import kiln.nn.train.EarlyStopping;
import kiln.nn.train.ProgressBar;
import kiln.nn.train.TrainResult;
import kiln.nn.train.Trainer;

/** The training example of README.md, verbatim apart from the assertions: if it stops working, so does this. */
class ReadmeExampleTest {
    @Test
    void readmeTrainingLoopLearns() {
        Generator rng = new Generator(42);
        Tensor x = Tensor.randn(rng, 256, 2);                                  // 256 points in the plane
        Tensor y = x.select(1, 0).mul(x.select(1, 1)).gt(0).to(DType.INT64);  // class 1 where x0·x1 > 0

        Module model = new Sequential(
                new Linear(2, 32, rng), Activation.relu(),
                new Linear(32, 32, rng), Activation.relu(),
                new Linear(32, 2, rng));
        Loss lossFunction = new CrossEntropyLoss();
        Optimizer optimizer = new AdamW(model.parameters(), AdamW.options().lr(0.01).weightDecay(1e-4));
        LrScheduler schedule = new CosineAnnealingLR(optimizer, 500, 0.0);

        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        for (int step = 0; step < 500; step++) {
            try (MemoryScope scope = MemoryScope.open()) {                     // frees the step's activations
                optimizer.zeroGrad();
                Tensor loss = lossFunction.apply(model.forward(x), y);
                loss.backward();                                               // gradients of every parameter
                optimizer.step();
                schedule.step();
                lastLoss = loss.item();
                if (step == 0) {
                    firstLoss = lastLoss;
                }
            }
        }
        double accuracy;
        try (MemoryScope scope = MemoryScope.open(); var off = Autograd.noGrad()) {
            accuracy = model.forward(x).argmax(1, false).eq(y).to(DType.FLOAT32).mean().item();
        }
        assertTrue(lastLoss < firstLoss / 5, "loss went from " + firstLoss + " to " + lastLoss);
        assertTrue(accuracy >= 0.97, "training accuracy " + accuracy);
    }

    /** The README's trainer example, verbatim apart from the checkpoint's folder and the assertions. */
    @Test
    void readmeTrainerExampleLearnsAndSaves(@TempDir Path dir) throws Exception {
        double best;
        Generator rng = new Generator(7);
        try (TensorDataset train = Synthetic.moons(2000, 0.2, rng); TensorDataset valid = Synthetic.moons(500, 0.2, rng);
             Module model = new Sequential(new Linear(2, 32, rng), Activation.relu(), new Linear(32, 2, rng))) {
            Trainer trainer = Trainer.builder(model, new CrossEntropyLoss(), new Adam(model.parameters(), 0.01))
                    .epochs(20)
                    .callbacks(new ProgressBar(System.err), new EarlyStopping("val_loss", 3, true))
                    .build();
            TrainResult result = trainer.fit(DataLoader.builder(train).batchSize(64).shuffle(7).build(),
                                             DataLoader.builder(valid).batchSize(500).build());
            Checkpoint.save(dir.resolve("moons.safetensors"), model, Map.of("kiln.classes", "[\"upper\",\"lower\"]"));
            System.out.printf("best validation accuracy %.3f%n", result.bestValidationAccuracy());   // about 0.97
            best = result.bestValidationAccuracy();
        }
        assertTrue(best >= 0.95, "best validation accuracy " + best);
        try (Checkpoint.Loaded loaded = Checkpoint.load(dir.resolve("moons.safetensors"), new Generator(0))) {
            assertTrue(loaded.metadata().get("kiln.classes").contains("upper"));
        }
    }
}

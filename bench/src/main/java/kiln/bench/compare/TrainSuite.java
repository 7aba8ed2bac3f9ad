package kiln.bench.compare;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kiln.engine.Generator;
import kiln.kernels.cpu.Parallel;
import kiln.nn.Module;
import kiln.nn.data.DataLoader;
import kiln.nn.data.FashionMnist;
import kiln.nn.data.StandardScaler;
import kiln.nn.data.TensorDataset;
import kiln.nn.loss.CrossEntropyLoss;
import kiln.nn.models.ModelZoo;
import kiln.nn.optim.Adam;
import kiln.nn.train.EpochLog;
import kiln.nn.train.TrainResult;
import kiln.nn.train.Trainer;

/**
 * Fashion-MNIST training with {@code train_fmnist.py}'s recipe on both sides: pixels standardized with
 * the training set's mean and deviation, all 60,000 training images reshuffled each epoch, batch 128
 * (the last batch of 96 kept), cross-entropy, Adam with lr 10⁻³, constant; the MLP 784-256-128-10 and
 * LeNet-5 ({@link ModelZoo}'s {@code mlp} and {@code lenet}). An epoch's time covers forward, backward
 * and optimizer step over every batch, the batch gather included (Kiln gathers on the training
 * thread, prefetch 0, as the peer does); the test accuracy is measured after each epoch, outside the
 * time. Kiln trains with {@link Trainer#fit}, the loop of {@code kiln train}, which also checks every
 * step's loss and gradients for NaN and counts the training accuracy. Seconds per epoch are min /
 * median / max over the epochs after the first (Kiln's first holds the JIT's warm-up). Target on 2
 * threads: Kiln's epoch ≤ 0.7× PyTorch's.
 */
final class TrainSuite implements Suite {
    static final int BATCH = 128;
    static final double LR = 1e-3;
    static final long SEED = 0;
    static final Target TARGET = Target.timeAtMost(0.7, "torch");

    /** A model and the epochs it trains for, normally and with {@code --quick}. */
    record Model(String name, String label, int epochs, int quickEpochs) {}

    static final List<Model> MODELS = List.of(
            new Model("mlp", "MLP 784-256-128-10 epoch", 6, 2),
            new Model("lenet", "LeNet-5 epoch", 5, 2));

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String measures() {
        return "Fashion-MNIST epoch, MLP 784-256-128-10 and LeNet-5, batch 128, Adam 1e-3, s/epoch and test accuracy, against PyTorch";
    }

    @Override
    public List<Row> run(Session session) throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        TensorDataset train;
        TensorDataset test;
        try (FashionMnist.Data data = FashionMnist.load(null)) {
            StandardScaler scaler = StandardScaler.global().fit(data.train());   // the training set's statistics, as the peer's
            train = scaler.transform(data.train());
            test = scaler.transform(data.test());
        }
        try (train; test) {
            for (Model model : MODELS) {
                int epochs = session.quick() ? model.quickEpochs() : model.epochs();
                for (int threads : session.threads()) {
                    Parallel.setThreads(threads);
                    TrainResult kiln = train(model.name(), epochs, train, test);
                    Timing kilnEpoch = Timing.of(afterFirst(kiln.epochSeconds()));
                    double kilnAccuracy = kiln.history().getLast().validationAccuracy();
                    session.progress(String.format(Locale.ROOT, "%s, %d thread(s): Kiln %s s/epoch, test accuracy %.2f%%",
                            model.name(), threads, kilnEpoch.format(Unit.SECONDS_PER_EPOCH), 100 * kilnAccuracy));
                    PeerThreads setting = PeerThreads.torchFair(threads);
                    List<PeerRecord> peer = session.peer("train_fmnist.py", setting, "--model", model.name(),
                            "--epochs", String.valueOf(epochs), "--batch", String.valueOf(BATCH), "--lr", String.valueOf(LR),
                            "--seed", String.valueOf(SEED));
                    rows.add(row(model, epochs, threads, kilnEpoch, kilnAccuracy, "torch (" + setting.torch() + ")", peer));
                }
            }
        }
        return rows;
    }

    /** Trains a new model for {@code epochs} epochs, testing after each (outside the epoch's time). */
    private static TrainResult train(String model, int epochs, TensorDataset train, TensorDataset test) {
        try (Module network = ModelZoo.build(model, train.featureShape(), FashionMnist.CLASS_NAMES.size(), new Generator(SEED));
             Adam adam = new Adam(network.parameters(), LR)) {
            DataLoader batches = DataLoader.builder(train).batchSize(BATCH).shuffle(SEED).prefetch(0).build();
            DataLoader testBatches = DataLoader.builder(test).batchSize(1000).prefetch(0).build();
            return Trainer.builder(network, new CrossEntropyLoss(), adam).epochs(epochs).build().fit(batches, testBatches);
        }
    }

    /** The epochs after the first; the only one if there is one. */
    static double[] afterFirst(double[] epochs) {
        return epochs.length > 1 ? Arrays.copyOfRange(epochs, 1, epochs.length) : epochs;
    }

    Row row(Model model, int epochs, int threads, Timing kiln, double kilnAccuracy, String peerName, List<PeerRecord> peer) {
        List<Double> peerEpochs = new ArrayList<>();
        double peerAccuracy = Double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            PeerRecord record = PeerRecord.find(peer, "bench", "train", "model", model.name(), "epoch", epoch);
            if (record != null) {
                peerEpochs.add(record.number("epoch_s"));
                peerAccuracy = record.number("test_acc");
            }
        }
        Timing peerEpoch = peerEpochs.size() == epochs
                ? Timing.of(afterFirst(peerEpochs.stream().mapToDouble(Double::doubleValue).toArray())) : null;
        String timed = switch (epochs) {
            case 1 -> "its only epoch timed, warm-up included";
            case 2 -> "epoch 2 timed";
            default -> "epochs 2–" + epochs + " timed";
        };
        String note = peerEpoch == null
                ? String.format(Locale.ROOT, "test accuracy after %d epochs: Kiln %.2f%%; %s", epochs, 100 * kilnAccuracy, timed)
                : String.format(Locale.ROOT, "test accuracy after %d epochs: Kiln %.2f%%, torch %.2f%%; %s", epochs,
                        100 * kilnAccuracy, 100 * peerAccuracy, timed);
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("epochs", epochs);
        extras.put("kiln_test_accuracy", kilnAccuracy);
        if (peerEpoch != null) {
            extras.put("peer_test_accuracy", peerAccuracy);
        }
        return new Row(name(), model.label(), threads, Unit.SECONDS_PER_EPOCH, kiln, peerName, peerEpoch,
                threads == 2 ? TARGET : null, note, extras);
    }
}

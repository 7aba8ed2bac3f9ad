package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import kiln.engine.NativeMemory;
import kiln.engine.Tensor;

/** Batching, seeded shuffling, prefetching, failures and memory of the {@link DataLoader}. */
class DataLoaderTest {
    private static final String THREAD_PREFIX = "kiln-data-loader";

    /** Example i has feature i (float32 [n, 1]) and target i (int64 [n]): batches show which examples they hold. */
    private static TensorDataset indexDataset(int n) {
        float[] features = new float[n];
        long[] targets = new long[n];
        for (int i = 0; i < n; i++) {
            features[i] = i;
            targets[i] = i;
        }
        return new TensorDataset(Tensor.fromArray(features, n, 1), Tensor.fromArray(targets, n));
    }

    /** A dataset wrapper that counts gathers, notes their threads, and can be told to fail on one. */
    private static final class Probe implements Dataset {
        final Dataset inner;
        final AtomicInteger gathers = new AtomicInteger();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final int failOnGather;   // 0-based gather number to fail on, or -1
        final RuntimeException failure = new IllegalStateException("disk on fire");

        Probe(Dataset inner, int failOnGather) {
            this.inner = inner;
            this.failOnGather = failOnGather;
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public int[] featureShape() {
            return inner.featureShape();
        }

        @Override
        public Batch gather(int[] indices) {
            threads.add(Thread.currentThread().getName());
            if (gathers.getAndIncrement() == failOnGather) {
                throw failure;
            }
            return inner.gather(indices);
        }
    }

    /** Something read from every batch of one epoch, closing each batch. */
    private static <T> List<T> collect(Iterable<Batch> epoch, Function<Batch, T> read) {
        List<T> values = new ArrayList<>();
        for (Batch batch : epoch) {
            try (batch) {
                values.add(read.apply(batch));
            }
        }
        return values;
    }

    private static List<long[]> targetsOf(Iterable<Batch> epoch) {
        return collect(epoch, batch -> batch.targets().toLongArray());
    }

    private static List<float[]> featuresOf(Iterable<Batch> epoch) {
        return collect(epoch, batch -> batch.features().toFloatArray());
    }

    private static long liveLoaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(THREAD_PREFIX) && t.isAlive()).count();
    }

    @AfterEach
    void noLoaderThreadOutlivesATest() throws InterruptedException {
        // Every test below ends its epochs, so no loader thread may be left running.
        for (int i = 0; i < 200 && liveLoaderThreads() > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, liveLoaderThreads(), "a loader thread is still running after the test");
    }

    @Test
    void batchesFollowDatasetOrderAndKeepOrDropTheShortLastBatch() {
        try (TensorDataset data = indexDataset(10)) {
            DataLoader keep = DataLoader.builder(data).batchSize(4).build();
            assertEquals(3, keep.batchCount());
            List<long[]> batches = targetsOf(keep);
            assertArrayEquals(new long[] {0, 1, 2, 3}, batches.get(0));
            assertArrayEquals(new long[] {4, 5, 6, 7}, batches.get(1));
            assertArrayEquals(new long[] {8, 9}, batches.get(2));
            assertEquals(3, batches.size());

            DataLoader drop = DataLoader.builder(data).batchSize(4).dropLast(true).build();
            assertEquals(2, drop.batchCount());
            assertEquals(2, targetsOf(drop).size());
            assertEquals(0, DataLoader.builder(data).batchSize(11).dropLast(true).build().batchCount());
        }
    }

    @Test
    void shuffledEpochsArePermutationsThatDependOnlyOnSeedAndEpoch() {
        try (TensorDataset data = indexDataset(50)) {
            DataLoader a = DataLoader.builder(data).batchSize(8).shuffle(7).build();
            long[] epoch0 = flatten(targetsOf(a));
            long[] epoch1 = flatten(targetsOf(a));
            assertEquals(2, a.nextEpoch());
            for (long[] epoch : List.of(epoch0, epoch1)) {
                long[] sorted = epoch.clone();
                Arrays.sort(sorted);
                assertArrayEquals(flatten(targetsOf(DataLoader.builder(data).batchSize(50).build())), sorted,
                        "each epoch visits every example exactly once");
            }
            assertFalse(Arrays.equals(epoch0, epoch1), "a new order every epoch");

            // A second loader with the same seed, asked for epoch 1 directly (a resumed run), sees the same batches.
            DataLoader resumed = DataLoader.builder(data).batchSize(8).shuffle(7).build();
            assertArrayEquals(epoch1, flatten(targetsOf(resumed.epoch(1))));
            assertEquals(2, resumed.nextEpoch(), "iterator() continues after the epoch asked for");
            assertArrayEquals(epoch1, flatten(targetsOf(resumed.epoch(1))), "asking twice gives the same epoch");

            DataLoader otherSeed = DataLoader.builder(data).batchSize(8).shuffle(8).build();
            assertFalse(Arrays.equals(epoch0, flatten(targetsOf(otherSeed))));
        }
    }

    private static long[] flatten(List<long[]> batches) {
        return batches.stream().flatMapToLong(Arrays::stream).toArray();
    }

    /** Adds noise drawn from the loader's generator: the batches reveal which random numbers each batch got. */
    private static final BatchTransform NOISE = (batch, rng) -> {
        float[] noise = new float[(int) batch.features().numel()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) rng.nextGaussian();
        }
        try (Tensor delta = Tensor.fromArray(noise, batch.features().dims())) {
            batch.features().addInPlace(delta);
            return batch;
        }
    };

    @Test
    void prefetchingChangesNeitherTheBatchesNorTheirOrderNorTheTransformsRandomness() {
        try (TensorDataset data = indexDataset(37)) {
            List<List<float[]>> runs = new ArrayList<>();
            for (int prefetch : new int[] {0, 1, 2, 5}) {
                DataLoader loader = DataLoader.builder(data).batchSize(5).shuffle(3).transform(NOISE).prefetch(prefetch).build();
                List<float[]> run = new ArrayList<>(featuresOf(loader));
                run.addAll(featuresOf(loader));   // a second epoch: new order, new noise
                runs.add(run);
            }
            for (List<float[]> run : runs.subList(1, runs.size())) {
                assertEquals(runs.get(0).size(), run.size());
                for (int b = 0; b < run.size(); b++) {
                    assertArrayEquals(runs.get(0).get(b), run.get(b), "batch " + b);
                }
            }
            // The noise is real and differs between batches, so equality above is not vacuous.
            assertNotEquals(Math.round(runs.get(0).get(0)[0]), runs.get(0).get(0)[0]);
        }
    }

    @Test
    void prefetchLoadsOnANamedBackgroundThreadAndPrefetchZeroOnTheCallers() {
        try (TensorDataset data = indexDataset(20)) {
            Probe background = new Probe(data, -1);
            targetsOf(DataLoader.builder(background).batchSize(4).prefetch(2).build());
            assertEquals(Set.of("kiln-data-loader-epoch-0"), background.threads);

            Probe caller = new Probe(data, -1);
            targetsOf(DataLoader.builder(caller).batchSize(4).prefetch(0).build());
            assertEquals(Set.of(Thread.currentThread().getName()), caller.threads);
        }
    }

    @Test
    void theLoaderThreadRunsAtMostPrefetchBatchesAhead() throws InterruptedException {
        try (TensorDataset data = indexDataset(100)) {
            Probe probe = new Probe(data, -1);
            DataLoader loader = DataLoader.builder(probe).batchSize(2).prefetch(3).build();
            try (BatchIterator batches = loader.iterator()) {
                Thread.sleep(300);   // ample time to load all 50 batches if nothing held the thread back
                // 3 waiting in the queue, plus at most one loaded and waiting for room.
                assertTrue(probe.gathers.get() <= 4, probe.gathers.get() + " batches loaded ahead");
                batches.next().close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void offHeapMemoryReturnsToItsBaselineAfterFullAndClosedEarlyEpochs(int prefetch) {
        try (TensorDataset data = indexDataset(64)) {
            DataLoader loader = DataLoader.builder(data).batchSize(4).shuffle(1).transform(NOISE).prefetch(prefetch).build();
            long baseline = NativeMemory.liveBytes();

            targetsOf(loader);
            assertEquals(baseline, NativeMemory.liveBytes(), "after a full epoch");

            try (BatchIterator batches = loader.iterator()) {
                batches.next().close();
                batches.next().close();
            }
            // No garbage collection needed: closing the iterator freed the batches loaded ahead.
            assertEquals(baseline, NativeMemory.liveBytes(), "after an epoch closed early");
        }
    }

    @Test
    void anEpochAbandonedInAForEachLoopIsReleasedByTheGarbageCollector() throws InterruptedException {
        try (TensorDataset data = indexDataset(64)) {
            DataLoader loader = DataLoader.builder(data).batchSize(4).prefetch(3).build();
            long baseline = NativeMemory.settledLiveBytes();
            for (Batch batch : loader) {
                batch.close();
                break;   // leaves the iterator unclosed, its thread waiting with 3 batches
            }
            long live = NativeMemory.settledLiveBytes();
            for (int i = 0; i < 100 && (live != baseline || liveLoaderThreads() > 0); i++) {
                Thread.sleep(20);
                live = NativeMemory.settledLiveBytes();
            }
            assertEquals(baseline, live, "batches loaded ahead of an abandoned epoch are freed");
            assertEquals(0, liveLoaderThreads(), "the abandoned epoch's thread ended");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void aFailureInTheDatasetReachesTheConsumerAfterTheBatchesBeforeIt(int prefetch) {
        try (TensorDataset data = indexDataset(40)) {
            Probe probe = new Probe(data, 2);
            DataLoader loader = DataLoader.builder(probe).batchSize(4).prefetch(prefetch).build();
            long baseline = NativeMemory.liveBytes();
            List<long[]> received = new ArrayList<>();
            DataLoader.LoadingException e = assertThrows(DataLoader.LoadingException.class, () -> {
                for (Batch batch : loader) {
                    try (batch) {
                        received.add(batch.targets().toLongArray());
                    }
                }
            });
            assertSame(probe.failure, e.getCause());
            assertTrue(e.getMessage().contains("batch 2 of epoch 0") && e.getMessage().contains("disk on fire"), e.getMessage());
            assertEquals(2, received.size(), "batches 0 and 1 arrive before the failure of batch 2");
            assertEquals(baseline, NativeMemory.liveBytes());
        }
    }

    @Test
    void aFailingTransformDoesNotLeakItsBatch() {
        try (TensorDataset data = indexDataset(8)) {
            BatchTransform failing = (batch, rng) -> {
                throw new ArithmeticException("bad augmentation");
            };
            DataLoader loader = DataLoader.builder(data).batchSize(4).transform(failing).prefetch(1).build();
            long baseline = NativeMemory.liveBytes();
            DataLoader.LoadingException e = assertThrows(DataLoader.LoadingException.class, () -> targetsOf(loader));
            assertTrue(e.getCause() instanceof ArithmeticException);
            assertEquals(baseline, NativeMemory.liveBytes());
        }
    }

    @Test
    void aCustomSamplerDecidesTheOrder() {
        try (TensorDataset data = indexDataset(6)) {
            Sampler backwards = new Sampler() {
                @Override
                public int length() {
                    return 6;
                }

                @Override
                public int[] order(int epoch) {
                    return new int[] {5, 4, 3, 2, 1, 0};
                }
            };
            DataLoader loader = DataLoader.builder(data).batchSize(4).sampler(backwards).build();
            List<long[]> batches = targetsOf(loader);
            assertArrayEquals(new long[] {5, 4, 3, 2}, batches.get(0));
            assertArrayEquals(new long[] {1, 0}, batches.get(1));
        }
    }

    @Test
    void badSettingsAreRefusedWithTheValue() {
        try (TensorDataset data = indexDataset(4)) {
            var e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(data).batchSize(0));
            assertTrue(e.getMessage().contains("batchSize must be >= 1, got 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(data).prefetch(-1));
            assertTrue(e.getMessage().contains("got -1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> DataLoader.builder(data).shuffle(1).sampler(new SequentialSampler(4)).build());
            assertTrue(e.getMessage().contains("exclude each other"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(data).build().epoch(-1));
        }
    }
}

package kiln.nn.data;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;

/**
 * Cuts a {@link Dataset} into mini-batches, epoch after epoch:
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(128).shuffle(seed).prefetch(2).build();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     for (Batch batch : loader) {            // each pass over the loader is the next epoch
 *         try (batch) { ... }                 // the caller owns (and closes) every batch
 *     }
 * }
 * }</pre>
 *
 * <p><b>Order.</b> A {@link Sampler} gives each epoch's example indices: dataset order by default, a
 * fresh permutation each epoch with {@code shuffle(seed)}, or any sampler you pass. The indices are
 * taken {@code batchSize} at a time; the last, shorter batch is kept or, with {@code dropLast(true)},
 * dropped. Every choice is a pure function of (seed, epoch, batch position): the same seed gives the
 * same batches whether they load on the caller's thread or ahead on a background one, and a resumed
 * run asks for {@link #epoch(int)} to continue where it stopped.
 *
 * <p><b>Prefetching.</b> With {@code prefetch(k)}, k &gt; 0 (the default is 2), a daemon thread gathers
 * and transforms up to k batches ahead of the consumer; {@code prefetch(0)} loads each batch on the
 * caller's thread when asked. See {@link BatchIterator} for stopping an epoch early and for failures
 * (rethrown on the consumer's thread as {@link LoadingException}).
 *
 * <p><b>Transforms.</b> An optional {@link BatchTransform} (augmentation) runs on each batch as it is
 * loaded, with a {@link Generator} seeded from (seed, epoch, batch position).
 */
public final class DataLoader implements Iterable<Batch> {
    /** Separates the transform's random stream from the shuffling sampler's, which uses (seed, epoch). */
    private static final long TRANSFORM_STREAM = 0x7472616E73666F72L;   // "transfor"

    private final Dataset dataset;
    private final int batchSize;
    private final boolean dropLast;
    private final Sampler sampler;
    private final BatchTransform transform;   // null: none
    private final int prefetch;
    private final long seed;
    private final AtomicInteger nextEpoch = new AtomicInteger();

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.dropLast = b.dropLast;
        this.sampler = b.sampler != null ? b.sampler
                : b.shuffle ? new RandomSampler(b.dataset.size(), b.seed)
                : new SequentialSampler(b.dataset.size());
        this.transform = b.transform;
        this.prefetch = b.prefetch;
        this.seed = b.seed;
    }

    /** A builder for a loader over {@code dataset}: batch size 1, dataset order, no transform, prefetch 2. */
    public static Builder builder(Dataset dataset) {
        if (dataset == null) {
            throw new IllegalArgumentException("DataLoader.builder: dataset is null");
        }
        return new Builder(dataset);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch: the sampler's length divided by the batch size, rounded down with dropLast, else up. */
    public int batchCount() {
        int length = sampler.length();
        return dropLast ? length / batchSize : (length + batchSize - 1) / batchSize;
    }

    /** The epoch the next {@link #iterator()} call will produce. */
    public int nextEpoch() {
        return nextEpoch.get();
    }

    /** The batches of the next epoch: 0 on the first call, then 1, 2, ... */
    @Override
    public BatchIterator iterator() {
        return iterator(nextEpoch.get());
    }

    /**
     * The batches of epoch {@code epoch}, identical each time they are asked for; afterwards
     * {@link #iterator()} continues with {@code epoch + 1}.
     */
    public BatchIterator iterator(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader: epoch must be >= 0, got " + epoch);
        }
        nextEpoch.set(epoch + 1);
        int[] order = sampler.order(epoch);
        return new BatchIterator(epoch, batchCount(), position -> load(order, epoch, position), prefetch,
                "kiln-data-loader-epoch-" + epoch);
    }

    /** Epoch {@code epoch} as an {@link Iterable}, for a for-each loop in a resumed run. */
    public Iterable<Batch> epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader.epoch: epoch must be >= 0, got " + epoch);
        }
        return () -> iterator(epoch);
    }

    /**
     * Gathers batch {@code position} of an epoch whose example order is {@code order} and applies the
     * transform. The batch belongs to the caller even if a {@link MemoryScope} is open on this thread.
     */
    private Batch load(int[] order, int epoch, int position) {
        int from = position * batchSize;
        int to = Math.min(from + batchSize, order.length);
        return MemoryScope.outside(() -> {
            Batch batch = dataset.gather(Arrays.copyOfRange(order, from, to));
            if (transform == null) {
                return batch;
            }
            try {
                return transform.apply(batch, new Generator(Seeds.derive(seed, TRANSFORM_STREAM, epoch, position)));
            } catch (RuntimeException | Error e) {
                batch.close();   // the transform owned it; closing twice is harmless
                throw e;
            }
        });
    }

    /** A batch failed to load: the dataset or the transform threw {@link #getCause()}. */
    public static final class LoadingException extends RuntimeException {
        LoadingException(int epoch, int position, Throwable cause) {
            super("DataLoader: batch " + position + " of epoch " + epoch + " failed to load: " + cause, cause);
        }
    }

    /** Settings for a {@link DataLoader}; each setter validates its argument and returns this builder. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean dropLast;
        private boolean shuffle;
        private long seed;
        private Sampler sampler;
        private BatchTransform transform;
        private int prefetch = 2;

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Drop the last batch of an epoch when it is shorter than the batch size (default false). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** A new random order every epoch, from {@code seed}; also seeds the transform. */
        public Builder shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        /** Seeds the transform without shuffling (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Which examples each epoch visits, in which order; excludes {@link #shuffle}. */
        public Builder sampler(Sampler sampler) {
            if (sampler == null) {
                throw new IllegalArgumentException("DataLoader: sampler is null");
            }
            this.sampler = sampler;
            return this;
        }

        /** Applied to every batch as it is loaded (e.g. augmentation of training batches). */
        public Builder transform(BatchTransform transform) {
            if (transform == null) {
                throw new IllegalArgumentException("DataLoader: transform is null");
            }
            this.transform = transform;
            return this;
        }

        /** How many batches a background thread may load ahead; 0 loads on the caller's thread. */
        public Builder prefetch(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("DataLoader: prefetch must be >= 0 batches, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        public DataLoader build() {
            if (shuffle && sampler != null) {
                throw new IllegalArgumentException("DataLoader: shuffle(seed) and sampler(...) exclude each other;"
                        + " a sampler decides the order itself (use a RandomSampler to shuffle)");
            }
            return new DataLoader(this);
        }
    }
}

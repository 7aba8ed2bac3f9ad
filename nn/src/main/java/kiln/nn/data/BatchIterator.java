package kiln.nn.data;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;

/**
 * The batches of one epoch of a {@link DataLoader}, in order. Each batch returned by {@link #next()}
 * belongs to the caller, who closes it.
 *
 * <p>With prefetching, a background thread loads batches ahead (see {@link Prefetcher}); closing the
 * iterator stops it and frees the batches it loaded that were not taken. That happens by itself when
 * the epoch runs to its end ({@link #hasNext()} returns false) or a batch fails to load. A loop that
 * leaves early should close the iterator:
 * <pre>{@code
 * try (BatchIterator batches = loader.iterator()) {
 *     while (batches.hasNext()) {
 *         try (Batch batch = batches.next()) {
 *             if (step(batch) == STOP) break;
 *         }
 *     }
 * }
 * }</pre>
 * A for-each loop that breaks out cannot close it; then the thread and the (at most {@code prefetch})
 * waiting batches are released when the garbage collector finds the iterator unreachable, the same
 * safety net tensors have.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
    /** Runs {@link Prefetcher#stop} for iterators abandoned without being closed. */
    private static final Cleaner ABANDONED = Cleaner.create();

    private final int epoch;
    private final int count;
    private final IntFunction<Batch> load;
    private final Prefetcher prefetcher;            // null: batches load on the caller's thread
    private final Cleaner.Cleanable stopPrefetcher; // null with no prefetcher
    private int position;
    private boolean closed;

    /**
     * The {@code count} batches {@code load.apply(0 .. count−1)} of epoch {@code epoch}; with
     * {@code prefetch > 0}, loaded up to {@code prefetch} ahead on a thread named {@code threadName}.
     */
    BatchIterator(int epoch, int count, IntFunction<Batch> load, int prefetch, String threadName) {
        this.epoch = epoch;
        this.count = count;
        this.load = load;
        if (prefetch > 0 && count > 0) {
            this.prefetcher = new Prefetcher(threadName, count, prefetch, load);
            // The cleanup action holds the prefetcher, never this iterator, or the iterator could not become unreachable.
            this.stopPrefetcher = ABANDONED.register(this, prefetcher::stop);
        } else {
            this.prefetcher = null;
            this.stopPrefetcher = null;
        }
    }

    /** The epoch these batches belong to. */
    public int epoch() {
        return epoch;
    }

    /** Whether another batch follows; false once the epoch is over or the iterator is closed, and then it closes itself. */
    @Override
    public boolean hasNext() {
        if (!closed && position < count) {
            return true;
        }
        close();
        return false;
    }

    /**
     * The next batch, which the caller now owns.
     *
     * @throws DataLoader.LoadingException if the dataset or the transform failed on this batch (the cause
     *         is their exception); the iterator is closed then
     */
    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("BatchIterator: epoch " + epoch + " has no batch after " + position);
        }
        int current = position++;
        try {
            return prefetcher == null ? load.apply(current) : prefetcher.take();
        } catch (ExecutionException failed) {
            close();
            throw new DataLoader.LoadingException(epoch, current, failed.getCause());
        } catch (InterruptedException interrupted) {
            close();
            Thread.currentThread().interrupt();
            throw new DataLoader.LoadingException(epoch, current, interrupted);
        } catch (RuntimeException | Error failed) {   // loading on this thread failed
            close();
            throw new DataLoader.LoadingException(epoch, current, failed);
        }
    }

    /** Stops the prefetch thread and frees the batches it loaded that were not taken. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (stopPrefetcher != null) {
                stopPrefetcher.clean();   // runs prefetcher.stop() now, and never again
            }
        }
    }
}

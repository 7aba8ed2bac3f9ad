package kiln.nn.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;

/**
 * Loads the batches of one epoch on a background thread, a few ahead of the consumer, so that reading
 * and augmenting the next batch overlaps with training on the current one.
 *
 * <p>The two threads share one bounded queue:
 * <pre>
 *   loader thread:  load 0, put ─ load 1, put ─ load 2, put (waits: queue full) ─ ...
 *   consumer:                take 0 ─── train ─── take 1 ─── train ─── ...
 * </pre>
 * The queue holds at most {@code capacity} batches, so the loader runs at most that far ahead and memory
 * stays bounded. The loader puts exactly one item per batch position, in order: a loaded batch, or the
 * exception that stopped it (after which it puts nothing more). The consumer takes items in the same
 * order, so batch {@code k} is always the k-th thing it receives, whatever the timing.
 *
 * <p>Stopping ({@link #stop}) is what makes early exits leak-free: it tells the loader to quit, wakes
 * it if it is waiting for room in the queue, waits for it to finish, and closes every batch it loaded
 * that nobody took.
 */
final class Prefetcher {
    /** What the loader thread hands to the consumer. */
    private sealed interface Item permits Loaded, Failed {}

    private record Loaded(Batch batch) implements Item {}

    private record Failed(Throwable error) implements Item {}

    private final BlockingQueue<Item> queue;
    private final Thread thread;
    private volatile boolean stopping;

    /**
     * Starts a daemon thread named {@code threadName} that calls {@code load} for positions
     * {@code 0 .. count−1}, keeping at most {@code capacity} loaded batches waiting.
     */
    Prefetcher(String threadName, int count, int capacity, IntFunction<Batch> load) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        // Daemon: a loader left waiting on a full queue must never keep the JVM alive.
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(() -> loadAll(count, load));
        thread.start();
    }

    /** The loader thread's whole life: load, hand over, repeat; stop at the first failure or when told to. */
    private void loadAll(int count, IntFunction<Batch> load) {
        for (int position = 0; position < count && !stopping; position++) {
            Batch batch;
            try {
                batch = load.apply(position);
            } catch (Throwable error) {   // everything, Errors included: the consumer must hear of it
                handOver(new Failed(error));
                return;
            }
            if (!handOver(new Loaded(batch))) {
                batch.close();   // the consumer is gone: this batch has no other owner
                return;
            }
        }
    }

    /** Puts {@code item} in the queue, waiting for room; false if {@link #stop} interrupted the wait. */
    private boolean handOver(Item item) {
        try {
            queue.put(item);
            return true;
        } catch (InterruptedException stopRequested) {
            return false;
        }
    }

    /**
     * The next batch, waiting for the loader if it has not finished it yet. Call at most {@code count}
     * times.
     *
     * @throws ExecutionException if loading failed; its cause is the exception the loader thread caught
     * @throws InterruptedException if the consumer's thread is interrupted while it waits
     */
    Batch take() throws ExecutionException, InterruptedException {
        return switch (queue.take()) {
            case Loaded loaded -> loaded.batch();
            case Failed failed -> throw new ExecutionException(failed.error());
        };
    }

    /**
     * Ends the loader thread and closes every batch it loaded that was not taken. Safe to call more than
     * once, from any thread, at any time (also after the loader finished on its own).
     */
    void stop() {
        stopping = true;     // checked before each load: quit at the next batch boundary
        thread.interrupt();  // wakes a loader waiting in put()
        closeWaitingBatches();   // and makes room, in case the load in progress swallowed the interrupt
        joinUninterruptibly();
        closeWaitingBatches();   // the loader may have put one last batch before it saw the flag
    }

    private void closeWaitingBatches() {
        for (Item item; (item = queue.poll()) != null; ) {
            if (item instanceof Loaded loaded) {
                loaded.batch().close();
            }
        }
    }

    /** Waits for the loader to end, even if this thread is interrupted meanwhile (the interrupt is kept). */
    private void joinUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

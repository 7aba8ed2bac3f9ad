package kiln.kernels.cpu;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A small fixed thread pool: one worker per core, the calling thread included.
 *
 * <p>Work is expressed as a number of <em>tasks</em> chosen by the kernel from the problem size
 * alone (never from the thread count). Each task writes its own part of the output, and reductions
 * combine per-task partial results in task order, so a kernel gives bit-identical results whatever
 * the number of threads: determinism does not depend on scheduling.
 *
 * <p>The number of threads defaults to the number of available processors and can be set with
 * {@code -Dkiln.threads=N} or {@link #setThreads(int)}. A task that itself calls
 * {@link #forEach} runs its inner tasks inline, so nesting cannot deadlock the pool.
 */
public final class Parallel {
    private static volatile Pool pool = new Pool(initialThreads());
    private static final ThreadLocal<Boolean> INSIDE_TASK = ThreadLocal.withInitial(() -> false);
    /** How long a waiting thread spins before it parks: long enough to bridge the gap between kernels. */
    private static final long SPIN_NANOS = 100_000;

    private Parallel() {}

    private static int initialThreads() {
        String configured = System.getProperty("kiln.threads");
        if (configured != null) {
            try {
                return checkThreads(Integer.parseInt(configured.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-Dkiln.threads must be a positive integer, got '" + configured + "'");
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static int checkThreads(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be in [1, 1024], got " + threads);
        }
        return threads;
    }

    /** How many threads (the caller included) run a parallel kernel. */
    public static int threads() {
        return pool.threads;
    }

    /** Sets the number of threads, the caller included; 1 runs everything on the calling thread. */
    public static synchronized void setThreads(int threads) {
        checkThreads(threads);
        if (threads != pool.threads) {
            Pool old = pool;
            pool = new Pool(threads);
            old.shutdown();
        }
    }

    /**
     * The number of tasks of about {@code grain} items each that cover {@code items} items:
     * {@code ceil(items / grain)}, at least 1. Depends on the problem only, never on the thread count.
     */
    public static int tasks(long items, long grain) {
        if (grain <= 0) {
            throw new IllegalArgumentException("grain must be positive, got " + grain);
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (items + grain - 1) / grain));
    }

    /**
     * Runs {@code body.accept(t)} for every task index {@code t} in {@code [0, tasks)}, spread over
     * the pool, and returns when all are done. The first exception thrown by a task is rethrown here.
     */
    public static void forEach(int tasks, IntConsumer body) {
        if (tasks < 0) {
            throw new IllegalArgumentException("tasks must be >= 0, got " + tasks);
        }
        Pool current = pool;
        if (tasks <= 1 || current.threads == 1 || INSIDE_TASK.get()) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        current.run(tasks, body);
    }

    /**
     * One job: its tasks cut into one contiguous share per thread of the pool, each with a counter
     * that hands out its task indices, and a count of finished helpers.
     *
     * <p>Thread i (the caller is 0, worker i is i) works through share i first, then helps with the
     * others'. When the threads keep pace, each runs the same tasks call after call, so the data a
     * task reads (a slice of a layer's weights, say) stays in that core's own cache; one shared
     * counter would deal the tasks out anew each time. Which thread runs a task never changes what
     * the task computes, so results do not depend on it.
     */
    private static final class Job {
        /** Counters this many ints apart, so that two never share a cache line. */
        private static final int PAD = 16;
        final int tasks;
        final int shares;
        final IntConsumer body;
        final AtomicIntegerArray next;
        final AtomicInteger helpersLeft;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread caller = Thread.currentThread();

        Job(int tasks, int shares, IntConsumer body, int helpers) {
            this.tasks = tasks;
            this.shares = shares;
            this.body = body;
            this.next = new AtomicIntegerArray(shares * PAD);
            for (int share = 0; share < shares; share++) {
                next.set(share * PAD, start(share));
            }
            this.helpersLeft = new AtomicInteger(helpers);
        }

        /** The first task of a share: shares differ in size by at most one task. */
        private int start(int share) {
            return (int) ((long) tasks * share / shares);
        }

        /** Claims and runs tasks until none are left: those of share {@code own} first, then the others in turn. */
        void work(int own) {
            boolean outer = INSIDE_TASK.get();
            INSIDE_TASK.set(true);
            try {
                for (int k = 0; k < shares; k++) {
                    int share = (own + k) % shares, end = start(share + 1);
                    for (int t = next.getAndIncrement(share * PAD); t < end; t = next.getAndIncrement(share * PAD)) {
                        if (failure.get() != null) {
                            return;
                        }
                        body.accept(t);
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                INSIDE_TASK.set(outer);
            }
        }
    }

    private static final class Pool {
        final int threads;
        final BlockingQueue<Job> queue;
        final Thread[] workers;

        Pool(int threads) {
            this.threads = threads;
            this.queue = new ArrayBlockingQueue<>(Math.max(1, 4 * threads));
            this.workers = new Thread[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                int share = i + 1;
                Thread worker = new Thread(() -> serve(share), "kiln-worker-" + share);
                worker.setDaemon(true);
                workers[i] = worker;
                worker.start();
            }
        }

        private void serve(int share) {
            try {
                while (true) {
                    help(nextJob(), share);
                }
            } catch (InterruptedException stop) {
                // shutdown(): the pool was replaced
            }
        }

        /**
         * Works on one job. A method of its own so that nothing on this thread's stack refers to the
         * job once it is done: a waiting worker would otherwise keep the last job's tasks, and the
         * tensors they captured, from being collected.
         */
        private static void help(Job job, int share) {
            job.work(share);
            if (job.helpersLeft.decrementAndGet() == 0) {
                LockSupport.unpark(job.caller);
            }
        }

        /**
         * Waits for a job: spinning for a short while first, because kernels come in quick succession
         * and waking a parked thread costs tens of microseconds; then blocking, so an idle pool costs nothing.
         */
        private Job nextJob() throws InterruptedException {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            do {
                Job job = queue.poll();
                if (job != null) {
                    return job;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() < spinUntil);
            return queue.take();
        }

        void run(int tasks, IntConsumer body) {
            int helpers = Math.min(workers.length, tasks - 1);
            Job job = new Job(tasks, threads, body, helpers);
            for (int i = 0; i < helpers; i++) {
                if (!queue.offer(job)) {
                    // Queue full (many callers at once): this helper's share is done by the caller.
                    job.helpersLeft.decrementAndGet();
                }
            }
            job.work(0);
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (job.helpersLeft.get() > 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();     // helpers usually finish within microseconds of the caller
                } else {
                    LockSupport.park(this);
                }
            }
            Throwable failure = job.failure.get();
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException("parallel task failed", failure);
            }
        }

        void shutdown() {
            for (Thread worker : workers) {
                worker.interrupt();
            }
        }
    }
}

package kiln.kernels.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
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
 * {@link #forEach} runs its inner tasks inline, and a caller that finds the pool busy with another
 * thread's job starts on its tasks alone: nothing ever waits for the pool, so nothing can deadlock on it.
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

    /**
     * Sets the number of threads, the caller included; 1 runs everything on the calling thread. A
     * job in progress on another thread finishes first. Not from inside a parallel task, which would
     * wait for its own job.
     */
    public static void setThreads(int threads) {
        checkThreads(threads);
        // Checked before taking the lock: a task blocked on it, behind a replacement waiting for the
        // task's own job to end, would never get to refuse.
        if (INSIDE_TASK.get()) {
            throw new IllegalStateException("setThreads cannot be called from inside a parallel task");
        }
        replacePool(threads);
    }

    private static synchronized void replacePool(int threads) {
        if (threads != pool.threads) {
            Pool old = pool;
            pool = new Pool(threads);
            old.shutdown();
        }
    }

    /** The exception the current pool's job holds: null between jobs, since the caller that rethrows it lets go of it (for tests). */
    static Throwable keptFailure() {
        return pool.job.failure.get();
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
     *
     * <p>The pool runs one job at a time. A caller that finds it busy with another thread's job (a
     * data loader's, say) does not wait: it runs its tasks itself, one by one, and hands the rest to
     * the pool as soon as the pool is free.
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
        int done = 0;
        while (done < tasks - 1 && !current.tryAcquire()) {
            body.accept(done++);
        }
        if (done == tasks - 1) {
            body.accept(done);          // one task left: not worth a hand-over
            return;
        }
        int first = done;
        try {
            current.run(tasks - first, first == 0 ? body : t -> body.accept(first + t));
        } finally {
            current.release();
        }
    }

    /**
     * The job in progress: its tasks cut into one contiguous share per thread of the pool, each with
     * a counter that hands out its task indices, and the {@link #attendance} of helpers. The pool
     * keeps one and refills it for each call, so starting a job allocates nothing.
     *
     * <p>Thread i (the caller is 0, worker i is i) works through share i first, then helps with the
     * others'. When the threads keep pace, each runs the same tasks call after call, so the data a
     * task reads (a slice of a layer's weights, say) stays in that core's own cache; one shared
     * counter would deal the tasks out anew each time. Which thread runs a task never changes what
     * the task computes, so results do not depend on it.
     */
    static final class Job {
        /** Counters this many ints apart, so that two never share a cache line. */
        private static final int PAD = 16;
        final int shares;
        final AtomicIntegerArray next;
        /**
         * How many helpers are inside the job, plus {@link #CLOSED} once the caller has run out of
         * tasks to claim. A helper joins only while the job is open, and the caller waits only for
         * those inside: a worker the operating system has not run yet (two cores shared with the
         * JIT's and the garbage collector's threads) is left out instead of waited for, and the
         * caller, which claims every task no helper took, has already done its part.
         */
        final AtomicInteger attendance = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        int tasks;
        IntConsumer body;
        Thread caller;

        Job(int shares) {
            this.shares = shares;
            this.next = new AtomicIntegerArray(shares * PAD);
        }

        /** Set in {@link #attendance} when the job closes: its sign bit, so the count of helpers stays readable below it. */
        static final int CLOSED = Integer.MIN_VALUE;

        /**
         * Refills the job and opens it. The volatile write to {@link #attendance} publishes the plain
         * writes before it: a helper that joins, even one still answering the previous ticket, sees
         * this job whole (it then works on this job, which is as good).
         */
        void reset(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
            this.caller = Thread.currentThread();
            for (int share = 0; share < shares; share++) {
                next.setPlain(share * PAD, start(share));
            }
            attendance.set(0);
        }

        /** Enters the job unless it is closed; whoever enters must {@link #leave}. */
        boolean join() {
            for (int now = attendance.get(); now >= 0; now = attendance.get()) {
                if (attendance.compareAndSet(now, now + 1)) {
                    return true;
                }
            }
            return false;
        }

        /** Leaves the job; true for the last helper out of a closed job, who then wakes the caller. */
        boolean leave() {
            return attendance.decrementAndGet() == CLOSED;
        }

        /** Closes the job to helpers not yet inside. */
        void close() {
            attendance.getAndAdd(CLOSED);
        }

        /** Whether helpers are still inside the closed job. */
        boolean helpersInside() {
            return attendance.get() != CLOSED;
        }

        /** The first task of a share: shares differ in size by at most one task. */
        private int start(int share) {
            return (int) ((long) tasks * share / shares);
        }

        /** Claims and runs tasks until none are left: those of share {@code own} first, then the others in turn. */
        void work(int own) {
            try {
                for (int k = 0; k < shares; k++) {
                    int share = (own + k) % shares, end = start(share + 1);
                    if (k > 0 && next.get(share * PAD) >= end) {
                        continue;            // a look before the claim: a claim would take the owner's cache line from it
                    }
                    // t < 0: the counter wrapped past Integer.MAX_VALUE after the last task (a failed claim still counts).
                    for (int t = next.getAndIncrement(share * PAD); 0 <= t && t < end; t = next.getAndIncrement(share * PAD)) {
                        if (failure.get() != null) {
                            return;
                        }
                        body.accept(t);
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /**
     * The workers and the one job they share. Handing a job over is one volatile write by the caller
     * (the job's {@link #ticket}) that each waiting worker sees on its next read, and each helper
     * joins it with a compare-and-set and leaves it with a decrement. A job of two trivial tasks on two threads
     * takes about 0.27 µs, where a blocking queue with a lock, a fresh job object and a clock read
     * in every turn of each waiting loop took 0.5 to 1.5 µs: a batch-1 inference runs two jobs in 8 µs.
     *
     * <p>Waiting threads spin for {@link #SPIN_NANOS} (kernels come in quick succession, and waking
     * a parked thread costs tens of microseconds), then park, so that an idle pool costs nothing.
     */
    private static final class Pool {
        /** Turns of a waiting loop between two reads of the clock, which costs as much as a dozen turns. */
        private static final int SPINS_PER_CLOCK_READ = 64;
        /** More than the largest number of workers (1023). */
        private static final long HELPER_SLOTS = 1024;
        final int threads;
        final Worker[] workers;
        final Job job;
        /** Whether a caller holds the pool; {@link #shutdown} takes it for good. */
        private final AtomicBoolean busy = new AtomicBoolean();
        /**
         * The latest job's ticket: its sequence number times {@link #HELPER_SLOTS}, plus how many
         * workers take part in it (workers 1 to that count: there is no use waking more than tasks − 1
         * of them). One value, so that a worker never pairs one job's number with another's count.
         */
        private volatile long ticket;
        private volatile boolean stopped;

        Pool(int threads) {
            this.threads = threads;
            this.job = new Job(threads);
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        boolean tryAcquire() {
            return !busy.get() && busy.compareAndSet(false, true);   // a look first: a failed CAS still takes the line
        }

        void release() {
            busy.set(false);
        }

        /** Runs a job with as many workers as it has tasks for; the caller holds the pool. */
        void run(int tasks, IntConsumer body) {
            int helpers = Math.min(workers.length, tasks - 1);
            job.reset(tasks, body);
            ticket = (ticket / HELPER_SLOTS + 1) * HELPER_SLOTS + helpers;   // the only writer: the caller holding the pool
            for (int i = 0; i < helpers; i++) {
                if (workers[i].parked) {
                    LockSupport.unpark(workers[i]);
                }
            }
            INSIDE_TASK.set(true);
            try {
                job.work(0);
            } finally {
                INSIDE_TASK.set(false);
            }
            long spinUntil = 0;
            job.close();
            for (int spins = 1; job.helpersInside(); spins++) {
                if (spins % SPINS_PER_CLOCK_READ != 0) {
                    Thread.onSpinWait();     // helpers usually finish within microseconds of the caller
                } else if (spinUntil == 0) {
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                } else if (System.nanoTime() > spinUntil) {
                    LockSupport.park(this);  // the last helper unparks the caller
                }
            }
            Throwable failure = job.failure.get();
            job.body = null;                 // the tasks, and the tensors they captured, can be collected
            job.caller = null;
            job.failure.setPlain(null);      // and so can the exception, and what it refers to
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

        /**
         * Waits until a job newer than the ticket {@code seen} is published, and returns its ticket;
         * returns {@code seen} once the pool is stopped. Parks after {@link #SPIN_NANOS} of spinning.
         */
        long awaitJob(Worker worker, long seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            for (int spins = 1; ; spins++) {
                long current = ticket;
                if (current != seen || stopped) {
                    return current;
                }
                if (spins % SPINS_PER_CLOCK_READ != 0 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                // Announce the park, then look again: the caller writes the ticket, then reads the
                // flag; both volatile, so at least one of the two sees the other's write.
                worker.parked = true;
                if (ticket == seen && !stopped) {
                    LockSupport.park(this);
                }
                worker.parked = false;
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
        }

        /** Stops the workers once any job in progress is done; later callers run their tasks themselves. */
        void shutdown() {
            while (!tryAcquire()) {
                Thread.onSpinWait();
            }
            stopped = true;
            for (Worker worker : workers) {
                LockSupport.unpark(worker);
            }
        }
    }

    /** A worker thread: it runs its share of each job the pool publishes, until the pool stops. */
    private static final class Worker extends Thread {
        private final Pool pool;
        private final int share;
        /** Set while the worker is (about to be) parked, so that the caller knows to wake it. */
        volatile boolean parked;

        Worker(Pool pool, int share) {
            super("kiln-worker-" + share);
            this.pool = pool;
            this.share = share;
            setDaemon(true);
        }

        @Override
        public void run() {
            INSIDE_TASK.set(true);
            long seen = 0;
            while (true) {
                long next = pool.awaitJob(this, seen);
                if (next == seen) {
                    return;                  // stopped
                }
                seen = next;
                if (share <= next % Pool.HELPER_SLOTS) {
                    help(pool.job);
                }
            }
        }

        /** Works on the job if it is still open; the last helper out of a closed job wakes the caller if it parked. */
        private void help(Job job) {
            if (!job.join()) {
                return;                      // the caller has claimed every task already
            }
            job.work(share);
            Thread caller = job.caller;
            if (job.leave()) {
                LockSupport.unpark(caller);
            }
        }
    }
}

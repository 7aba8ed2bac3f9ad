package kiln.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pool: every task once, failures passed on, nesting and concurrent callers, parking, replacement. */
@Timeout(60)
class ParallelTest {
    private static final int DEFAULT_THREADS = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(DEFAULT_THREADS);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 7})
    void everyTaskRunsExactlyOnce(int threads) {
        Parallel.setThreads(threads);
        for (int tasks : new int[] {0, 1, 2, 3, 5, 6, 7, 8, 13, 100, 1000}) {
            for (int round = 0; round < 50; round++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                Parallel.forEach(tasks, runs::incrementAndGet);
                for (int t = 0; t < tasks; t++) {
                    assertEquals(1, runs.get(t), "task " + t + " of " + tasks + " on " + threads + " threads");
                }
            }
        }
    }

    /**
     * The attendance of one job, step by step: helpers join while it is open, the caller waits only
     * for those inside once it closes it, a helper arriving after the close stays out (the worker
     * the operating system ran too late), and the next job opens again.
     */
    @Test
    void aClosedJobWaitsOnlyForTheHelpersInsideIt() {
        Parallel.Job job = new Parallel.Job(3);
        job.reset(4, t -> {});
        assertTrue(job.join(), "an open job takes helpers");
        assertTrue(job.join());
        assertFalse(job.leave(), "leaving an open job wakes nobody");
        job.close();
        assertTrue(job.helpersInside(), "one helper is still inside");
        assertFalse(job.join(), "a helper arriving after the close stays out");
        assertTrue(job.leave(), "the last helper out of a closed job wakes the caller");
        assertFalse(job.helpersInside());

        job.reset(4, t -> {});
        job.close();
        assertFalse(job.helpersInside(), "a job no helper joined has nothing to wait for");
        job.reset(4, t -> {});
        assertTrue(job.join(), "the next job is open again");
    }

    @Test
    void theFirstFailureReachesTheCallerAndThePoolGoesOn() {
        Parallel.setThreads(2);
        IllegalArgumentException thrown = new IllegalArgumentException("task 3 failed");
        assertSame(thrown, assertThrows(IllegalArgumentException.class, () -> Parallel.forEach(8, t -> {
            if (t == 3) {
                throw thrown;
            }
        })));
        AssertionError error = assertThrows(AssertionError.class, () -> Parallel.forEach(8, t -> {
            throw new AssertionError("every task fails");
        }));
        assertEquals("every task fails", error.getMessage());
        AtomicLong sum = new AtomicLong();
        Parallel.forEach(100, sum::addAndGet);
        assertEquals(99 * 100 / 2, sum.get());
    }

    @Test
    void aTasksOwnParallelLoopRunsInline() {
        Parallel.setThreads(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(16 * 16);
        Parallel.forEach(16, outer -> Parallel.forEach(16, inner -> runs.incrementAndGet(outer * 16 + inner)));
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void concurrentCallersEachGetAllTheirTasks() throws InterruptedException {
        Parallel.setThreads(3);
        callersEachGetAllTheirTasks(4, 2000, () -> {});
    }

    /**
     * Starts {@code callers} threads that each run {@code rounds} jobs of 9 tasks, runs
     * {@code meanwhile} on this thread, and checks that every caller's tasks all ran, once.
     */
    private static void callersEachGetAllTheirTasks(int callers, int rounds, Runnable meanwhile) throws InterruptedException {
        int tasks = 9;
        AtomicLong[] totals = new AtomicLong[callers];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            AtomicLong total = totals[c] = new AtomicLong();
            threads.add(Thread.ofPlatform().start(() -> {
                for (int r = 0; r < rounds; r++) {
                    Parallel.forEach(tasks, t -> total.addAndGet(t + 1));
                }
            }));
        }
        meanwhile.run();
        for (Thread thread : threads) {
            thread.join();
        }
        for (AtomicLong total : totals) {
            assertEquals((long) rounds * tasks * (tasks + 1) / 2, total.get());
        }
    }

    @Test
    void aCallerThatFindsThePoolBusyStartsAloneAndHandsTheRestOverWhenItIsFree() throws InterruptedException {
        Parallel.setThreads(2);
        CountDownLatch holding = new CountDownLatch(2), letGo = new CountDownLatch(1);
        Thread other = Thread.ofPlatform().start(() -> Parallel.forEach(2, t -> {
            holding.countDown();
            awaitQuietly(letGo);
        }));
        holding.await();                              // both of the pool's threads are inside the other job
        int tasks = 200;
        String[] ranOn = new String[tasks];
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        Parallel.forEach(tasks, t -> {
            runs.incrementAndGet(t);
            ranOn[t] = Thread.currentThread().getName();
            if (t == 10) {
                letGo.countDown();                    // the other job ends while this one runs alone
            }
            long until = System.nanoTime() + 50_000;   // long enough that the worker joins in
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        other.join();
        for (int t = 0; t < tasks; t++) {
            assertEquals(1, runs.get(t), "task " + t);
        }
        assertEquals(Thread.currentThread().getName(), ranOn[0], "the first tasks run on the caller, alone");
        assertTrue(Arrays.stream(ranOn).anyMatch(name -> name.startsWith("kiln-worker-")), "the worker took over part of the rest");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anIdleWorkerParksAndWakesForTheNextJob() throws InterruptedException {
        useThreads(2);
        Parallel.forEach(2, t -> {});
        Thread worker = workers().getFirst();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (worker.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(Thread.State.WAITING, worker.getState(), "an idle worker parks instead of spinning");
        // Two tasks that each wait for the other can only finish if both threads run them.
        AtomicIntegerArray arrived = new AtomicIntegerArray(2);
        Parallel.forEach(2, t -> {
            arrived.set(t, 1);
            while (arrived.get(1 - t) == 0) {
                Thread.onSpinWait();
            }
        });
    }

    @Test
    void jobsAtTheBoundaryBetweenSpinningAndParkingAllFinish() throws InterruptedException {
        useThreads(2);
        SplittableRandom random = new SplittableRandom(5);
        AtomicIntegerArray runs = new AtomicIntegerArray(2);
        int jobs = 1500;
        for (int job = 0; job < jobs; job++) {
            long gap = random.nextLong(50_000, 200_000);   // around the 100 µs the worker spins before it parks
            for (long until = System.nanoTime() + gap; System.nanoTime() < until; ) {
                Thread.onSpinWait();
            }
            Parallel.forEach(2, runs::incrementAndGet);
        }
        assertEquals(jobs, runs.get(0));
        assertEquals(jobs, runs.get(1));
    }

    @Test
    void aCallerThatParkedIsWokenByTheLastHelper() throws InterruptedException {
        useThreads(2);
        for (int job = 0; job < 20; job++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(2);
            Parallel.forEach(2, t -> {
                if (Thread.currentThread().getName().startsWith("kiln-worker-")) {
                    sleepQuietly(2);                  // far past the caller's 100 µs of spinning: it parks
                }
                runs.incrementAndGet(t);
            });
            assertEquals(1, runs.get(0));
            assertEquals(1, runs.get(1));
        }
    }

    @Test
    void theThreadCountChangesWhileOtherThreadsCompute() throws InterruptedException {
        useThreads(2);
        callersEachGetAllTheirTasks(2, 3000, () -> {
            for (int change = 0; change < 40; change++) {
                Parallel.setThreads(2 + change % 2);
                sleepQuietly(1);
            }
        });
    }

    @Test
    void replacedWorkersStop() throws InterruptedException {
        useThreads(4);
        Parallel.forEach(4, t -> {});
        List<Thread> old = workers();
        assertEquals(3, old.size());
        Parallel.setThreads(2);
        for (Thread worker : old) {
            worker.join(10_000);
            assertFalse(worker.isAlive(), worker.getName() + " still runs");
        }
        assertEquals(1, workers().size());
    }

    @Test
    void setThreadsFromInsideATaskIsRefused() {
        Parallel.setThreads(2);
        assertThrows(IllegalStateException.class, () -> Parallel.forEach(2, t -> Parallel.setThreads(3)));
        assertEquals(2, Parallel.threads());
    }

    @Test
    void aFinishedJobDoesNotKeepItsTasksReachable() throws InterruptedException {
        Parallel.setThreads(2);
        WeakReference<int[]> reference = runJobCapturing(new int[4]);
        for (int i = 0; i < 50 && reference.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(null, reference.get(), "the pool still refers to a finished job's tasks");
    }

    /** Runs a job whose tasks capture {@code captured}, and returns a weak reference to it. */
    private static WeakReference<int[]> runJobCapturing(int[] captured) {
        Parallel.forEach(captured.length, t -> captured[t] = t);
        assertEquals(3, captured[3]);
        return new WeakReference<>(captured);
    }

    @Test
    void setThreadsFromATaskIsRefusedEvenWhileAnotherThreadWaitsToReplaceThePool() throws InterruptedException {
        useThreads(2);
        CountDownLatch started = new CountDownLatch(1);
        List<Throwable> refused = new ArrayList<>();
        Thread job = Thread.ofPlatform().start(() -> Parallel.forEach(2, t -> {
            if (t == 0) {
                started.countDown();
                sleepQuietly(200);                    // the other thread is now waiting to replace the pool
                try {
                    Parallel.setThreads(2);
                } catch (IllegalStateException e) {
                    refused.add(e);
                }
            }
        }));
        started.await();
        Thread replacer = Thread.ofPlatform().start(() -> Parallel.setThreads(3));
        job.join(20_000);
        replacer.join(20_000);
        assertFalse(job.isAlive() || replacer.isAlive(), "deadlock: the job waits for its task, the replacement for the job");
        assertEquals(1, refused.size());
        assertEquals(3, Parallel.threads());
    }

    /**
     * A task's exception on a worker reaches the caller, and the pool lets go of it: the job's
     * failure slot is empty once the caller has it, and stays empty through the next job. Checked on
     * the pool itself, not by waiting for the collector to clear a weak reference: the JVM can keep
     * the last exception thrown on a thread alive by itself. Seen here with the caller that does
     * not wait for late helpers: the exception outlived several collections, yet a heap dump showed
     * no path to it from any root, and it was collected as soon as the worker thread ended.
     */
    @Test
    void aFailureOnAWorkerReachesTheCallerAndIsNotKept() throws InterruptedException {
        useThreads(2);
        RuntimeException failure = failOnAWorker();
        assertTrue(failure.getMessage().endsWith("failed on a worker"));
        assertNull(Parallel.keptFailure(), "the pool still refers to the last job's exception");
        AtomicLong sum = new AtomicLong();
        Parallel.forEach(10, sum::addAndGet);
        assertEquals(45, sum.get());
        assertNull(Parallel.keptFailure());
    }

    /** Runs jobs whose tasks fail only on a worker until one does, and returns that exception. */
    private static RuntimeException failOnAWorker() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            try {
                Parallel.forEach(64, t -> {
                    if (Thread.currentThread().getName().startsWith("kiln-worker-")) {
                        throw new IllegalStateException("task " + t + " failed on a worker");
                    }
                    sleepQuietly(1);
                });
            } catch (IllegalStateException e) {
                return e;
            }
        }
        throw new AssertionError("no task ran on the worker in 1000 jobs");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sets the number of threads and, when that replaces the pool, waits until the replaced pools'
     * workers have stopped, so that {@link #workers} sees the new pool's only.
     */
    private static void useThreads(int threads) throws InterruptedException {
        List<Thread> before = workers();
        boolean replaces = Parallel.threads() != threads;
        Parallel.setThreads(threads);
        for (Thread worker : replaces ? before : List.<Thread>of()) {
            worker.join(10_000);
        }
    }

    private static List<Thread> workers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("kiln-worker-") && thread.isAlive())
                .toList();
    }
}

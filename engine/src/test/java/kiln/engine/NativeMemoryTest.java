package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import kiln.kernels.SizeClasses;
import kiln.kernels.cpu.HugePages;
import org.junit.jupiter.api.Test;

/** The caching allocator: reuse without the C library, the cache limit, threads (size classes: SizeClassesTest). */
class NativeMemoryTest {

    @Test
    void aClosedTensorsBlockIsReusedWithoutTheCLibrary() {
        try (Tensor warm = Tensor.zeros(1000)) {
            warm.fill(1);
        }
        long cached = NativeMemory.cachedBytes();
        assertTrue(cached >= 4000, "the closed block waits in the cache");
        long calls = NativeMemory.osAllocations();
        long live = NativeMemory.liveBytes();
        try (Tensor again = Tensor.zeros(990)) {           // the same size class: 3,960 bytes in a 4,096-byte block
            assertEquals(calls, NativeMemory.osAllocations(), "served from the cache");
            assertEquals(live + 990 * 4, NativeMemory.liveBytes(), "live bytes count what tensors asked for");
            assertEquals(0.0, again.sum().item(), 0.0, "zeros() fills a reused block");
        }
    }

    /** A storage freed twice (a bug elsewhere) must not free the block again once another tensor holds it. */
    @Test
    void aSecondFreeLeavesTheBlocksNextTenantAlone() {
        NativeMemory.Allocation first = NativeMemory.allocate(3000);
        first.free();
        NativeMemory.Allocation second = NativeMemory.allocate(3000);
        assertEquals(first.segment.address(), second.segment.address(), "the same block, from the cache");
        long live = NativeMemory.liveBytes();
        first.free();
        assertEquals(live, NativeMemory.liveBytes(), "the first tenant's second free did nothing");
        NativeMemory.Allocation third = NativeMemory.allocate(3000);
        assertNotEquals(second.segment.address(), third.segment.address(), "the block is still the second tenant's");
        third.free();
        second.free();
    }

    /** The garbage collector's safety net returns a forgotten tensor's block to the cache, where the next tensor finds it. */
    @Test
    void aForgottenTensorsBlockServesTheNextOne() throws InterruptedException {
        long before = NativeMemory.settledLiveBytes();
        Tensor.zeros(77_777);     // never closed: about 311 KB in a size class no other test uses
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (NativeMemory.liveBytes() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, NativeMemory.liveBytes(), "the cleanup freed the forgotten tensor's bytes");
        long calls = NativeMemory.osAllocations();
        try (Tensor next = Tensor.zeros(77_777)) {
            assertEquals(calls, NativeMemory.osAllocations(), "served from the cache");
            assertEquals(0.0, next.sum().item(), 0.0);
        }
    }

    /** Small blocks keep the 64-byte alignment; blocks of a huge page or more start on a huge-page boundary (so that Linux can map them with 2 MiB pages). */
    @Test
    void largeBlocksStartOnAHugePageBoundary() {
        try (Tensor small = Tensor.zeros(1000); Tensor large = Tensor.zeros((int) (HugePages.SIZE / Float.BYTES) + 5)) {
            assertEquals(0, small.segment().address() % NativeMemory.ALIGNMENT);
            assertEquals(0, large.segment().address() % HugePages.SIZE);
            large.fill(2);
            try (Tensor total = large.sum()) {
                assertEquals(2.0 * large.numel(), total.item(), "the block is ordinary memory, all of it usable");
            }
        }
    }

    @Test
    void releaseCacheHandsEveryBlockBack() {
        Tensor.zeros(5000).close();
        assertTrue(NativeMemory.cachedBytes() > 0);
        NativeMemory.releaseCache();
        assertEquals(0, NativeMemory.cachedBytes());
        long calls = NativeMemory.osAllocations();
        Tensor.zeros(5000).close();
        assertEquals(calls + 1, NativeMemory.osAllocations(), "an empty cache asks the C library");
    }

    /** A cache with a 4 KiB limit: a block that would overflow it releases the cache first; a larger one goes straight back. */
    @Test
    void aBlockThatWouldPassTheLimitReleasesTheCacheFirst() {
        NativeMemory.BlockCache cache = new NativeMemory.BlockCache(4096);
        int small = SizeClasses.of(1024);
        int large = SizeClasses.of(8192);
        NativeMemory.Block[] blocks = new NativeMemory.Block[5];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new NativeMemory.Block(NativeMemory.allocateFromOs(1024), small, NativeMemory.CACHED, 0);
        }
        NativeMemory.Block big = new NativeMemory.Block(NativeMemory.allocateFromOs(8192), large, NativeMemory.CACHED, 0);
        for (int i = 0; i < 4; i++) {
            cache.keep(blocks[i]);
        }
        assertEquals(4096, cache.bytes(), "four blocks of 1 KiB fill the cache");
        cache.keep(blocks[4]);
        assertEquals(1024, cache.bytes(), "the fifth released the other four, then stayed");
        assertSame(blocks[4], cache.take(small));
        assertNull(cache.take(small), "empty");
        cache.keep(big);
        assertEquals(0, cache.bytes(), "a block above the limit is not kept");
        cache.release();
    }

    @Test
    void cacheLimitsParse() {
        assertEquals(1L << 30, NativeMemory.parseCacheLimit(null, 4L << 30), "a quarter of the budget by default");
        assertEquals(0, NativeMemory.parseCacheLimit("0", 4L << 30), "0 turns the cache off");
        assertEquals(64L << 20, NativeMemory.parseCacheLimit("64m", 4L << 30));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NativeMemory.parseCacheLimit("-1", 1));
        assertTrue(e.getMessage().contains("kiln.memory.cache"), e.getMessage());
    }

    /**
     * Four threads allocate and close tensors of random sizes, each closing some of its tensors and
     * handing the rest to another thread to close: live bytes and blocks come back to where they were.
     */
    @Test
    void threadsAllocatingAndClosingAtOnceKeepTheCountsRight() throws Exception {
        long live = NativeMemory.settledLiveBytes();
        long blocks = NativeMemory.liveBlocks();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Tensor>>> made = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                made.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    List<Tensor> kept = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        Tensor tensor = Tensor.empty(DType.FLOAT32, Shape.of(1 + random.nextInt(20_000)), Device.CPU);
                        if (random.nextBoolean()) {
                            tensor.close();
                        } else {
                            kept.add(tensor);
                        }
                    }
                    return kept;
                }));
            }
            List<Future<?>> closed = new ArrayList<>();
            for (Future<List<Tensor>> tensors : made) {
                List<Tensor> kept = tensors.get();
                closed.add(pool.submit(() -> kept.forEach(Tensor::close)));
            }
            for (Future<?> done : closed) {
                done.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(live, NativeMemory.liveBytes());
        assertEquals(blocks, NativeMemory.liveBlocks());
        assertTrue(NativeMemory.cachedBytes() <= NativeMemory.cacheLimit());
    }
}

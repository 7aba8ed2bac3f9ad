package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Off-heap lifetime: scopes free temporaries, views keep memory alive, closed tensors refuse to be read. */
class MemoryTest {

    @Test
    void segmentsAreSixtyFourByteAligned() {
        for (int n : new int[] {1, 3, 17, 1000}) {
            try (Tensor t = Tensor.zeros(n)) {
                assertEquals(0, t.segment().address() % 64, "n=" + n);
            }
        }
    }

    @Test
    void scopeFreesEveryTemporaryAndKeepsTheEscapedResult() throws InterruptedException {
        long before = NativeMemory.settledLiveBytes();
        Tensor kept;
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor a = Tensor.ones(100, 100);
            Tensor b = a.mul(3).add(1).relu();
            kept = scope.escape(b.sum());
            assertTrue(NativeMemory.liveBytes() - before >= 3L * 100 * 100 * 4);
        }
        assertEquals(4.0 * 100 * 100, kept.item(), 0.0);
        assertEquals(before + 4, NativeMemory.liveBytes(), "only the escaped float32 scalar is left");
        kept.close();
        assertEquals(before, NativeMemory.liveBytes());
    }

    @Test
    void nestedScopesHandEscapedTensorsOutward() throws InterruptedException {
        long before = NativeMemory.settledLiveBytes();
        try (MemoryScope outer = MemoryScope.open()) {
            Tensor fromInner;
            try (MemoryScope inner = MemoryScope.open()) {
                fromInner = inner.escape(Tensor.ones(10));
                Tensor.zeros(10);
            }
            assertFalse(fromInner.isClosed(), "escaped to the outer scope");
            assertEquals(1, outer.size());
        }
        assertEquals(before, NativeMemory.liveBytes(), "the outer scope closed what the inner one handed it");
    }

    @Test
    void closingAViewKeepsTheBaseAliveAndClosingAllFreesTheMemory() throws InterruptedException {
        long before = NativeMemory.settledLiveBytes();
        Tensor base = Tensor.arange(0, 12, 1, DType.FLOAT32);
        Tensor matrix = base.reshape(3, 4);
        Tensor view = matrix.t();
        matrix.close();      // the intermediate view holds the memory too until closed
        base.close();
        assertEquals(5.0, view.get(1, 1), 0.0, "the view still reads the shared memory");
        assertTrue(NativeMemory.liveBytes() > before);
        view.close();
        assertEquals(before, NativeMemory.liveBytes());
    }

    @Test
    void readingAClosedTensorThrowsNamingIt() {
        Tensor t = Tensor.ones(2, 3).named("weights");
        t.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("'weights' float32[2, 3] is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.add(t));
        assertThrows(IllegalStateException.class, t::segment);
        assertThrows(IllegalStateException.class, () -> t.reshape(6));
        assertTrue(t.toString().contains("<closed>"));
    }

    @Test
    void tensorsOfAClosedScopeAreClosed() {
        Tensor leaked;
        try (MemoryScope scope = MemoryScope.open()) {
            leaked = Tensor.ones(4).named("temporary");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> leaked.sum());
        assertTrue(e.getMessage().contains("'temporary'"), e.getMessage());
    }

    @Test
    void escapingATensorOfAnotherScopeIsRefused() {
        Tensor outside = Tensor.ones(1);
        try (MemoryScope scope = MemoryScope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scope.escape(outside));
            assertTrue(e.getMessage().contains("does not belong to this scope"), e.getMessage());
        } finally {
            outside.close();
        }
    }

    @Test
    void scopesMustCloseInReverseOrder() {
        MemoryScope outer = MemoryScope.open();
        MemoryScope inner = MemoryScope.open();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("inner scope is still open"), e.getMessage());
        inner.close();
        outer.close();
    }

    @Test
    void budgetSizesParseWithUnits() {
        assertEquals(512L << 20, NativeMemory.parseBudget("512m"));
        assertEquals(8L << 30, NativeMemory.parseBudget("8G"));
        assertEquals(1000, NativeMemory.parseBudget("1000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NativeMemory.parseBudget("lots"));
        assertTrue(e.getMessage().contains("kiln.memory.budget"), e.getMessage());
    }

    @Test
    void forgottenTensorsAreFreedByTheGarbageCollectorSafetyNet() throws InterruptedException {
        long before = NativeMemory.settledLiveBytes();
        for (int i = 0; i < 100; i++) {
            Tensor.zeros(1024);  // never closed, never scoped
        }
        assertTrue(NativeMemory.liveBytes() >= before + 100 * 4096L);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (NativeMemory.liveBytes() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(before, NativeMemory.liveBytes(), "the Cleaner freed every unreachable block");
    }

    /**
     * The soak test: 10,000 iterations of a small compute loop (matmul, broadcasting, activation,
     * reductions, softmax, views) inside a scope per step. The live off-heap footprint after each step
     * must return exactly to where it started: no growth, whatever the number of steps.
     */
    @Test
    void tenThousandStepsKeepAFlatFootprint() throws InterruptedException {
        Generator generator = new Generator(7);
        try (Tensor w = Tensor.randn(generator, 32, 16); Tensor bias = Tensor.randn(generator, 16)) {
            long baseline = NativeMemory.settledLiveBytes();
            long blocksBaseline = NativeMemory.liveBlocks();
            long peak = 0;
            for (int step = 0; step < 10_000; step++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor x = Tensor.full(step % 7, DType.FLOAT32, 8, 32);
                    Tensor h = x.matmul(w).add(bias).relu();
                    Tensor p = h.softmax(-1);
                    Tensor loss = p.max(1, false).mean().add(h.t().sum(0, true).std());
                    peak = Math.max(peak, NativeMemory.liveBytes() - baseline);
                    if (!Double.isFinite(loss.item())) {
                        throw new AssertionError("step " + step + " produced " + loss.item());
                    }
                }
                if (NativeMemory.liveBytes() != baseline) {
                    throw new AssertionError("step " + step + ": live bytes " + NativeMemory.liveBytes() + " != " + baseline);
                }
            }
            assertEquals(baseline, NativeMemory.liveBytes());
            assertEquals(blocksBaseline, NativeMemory.liveBlocks());
            assertTrue(peak > 0, "the loop did allocate inside the scope");
        }
    }
}

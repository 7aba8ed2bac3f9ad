package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;

import kiln.kernels.cuda.Cuda;
import kiln.kernels.cuda.FakeDriver;
import kiln.kernels.cuda.FfmCudaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tensors on a GPU, over the fake CUDA driver (device memory is host memory there; it runs Kiln's
 * CUDA kernels on the CPU): copies there and back, ops dispatched to the CUDA
 * backend, memory back to its cache when tensors close, and clear refusals for what does not run yet.
 */
class CudaTensorTest {
    private static final Device GPU = Device.cuda(0);
    private CudaBackend backend;
    private Arena arena;

    @BeforeEach
    void openTheFakeGpu() {
        assumeTrue(FakeDriver.LIBRARY != null, FakeDriver.missing());
        FfmCudaDriver driver = new FfmCudaDriver(FakeDriver.LIBRARY);
        driver.init();
        arena = Arena.ofConfined();
        backend = new CudaBackend(GPU, driver, arena.allocateFrom(FakeDriver.EVERY_KERNEL));
        Backends.useCuda(GPU, backend);
    }

    @AfterEach
    void closeIt() {
        if (backend != null) {
            Backends.useCuda(GPU, null);
            backend.close();
            arena.close();
        }
    }

    @Test
    void aTensorGoesToTheGpuAndComesBackTheSame() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3);
            Tensor onGpu = x.to(GPU);
            assertEquals(GPU, onGpu.device());
            assertArrayEquals(new int[] {2, 3}, onGpu.dims());
            Tensor back = onGpu.to(Device.CPU);
            assertEquals(Device.CPU, back.device());
            assertArrayEquals(x.toFloatArray(), back.toFloatArray());
            Tensor column = x.t().to(GPU).to(Device.CPU);             // a strided view goes up contiguous
            assertArrayEquals(x.t().contiguous().toFloatArray(), column.toFloatArray());
        }
    }

    @Test
    void opsOnGpuTensorsRunOnTheGpuBackend() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4, 5}, 5).to(GPU);
            Tensor b = Tensor.fromArray(new float[] {10, 20, 30, 40, 50}, 5).to(GPU);
            Tensor sum = a.add(b);
            assertEquals(GPU, sum.device());
            assertArrayEquals(new float[] {11, 22, 33, 44, 55}, sum.to(Device.CPU).toFloatArray());
            Tensor filled = Tensor.zeros(4).to(GPU).fill(2.5);
            assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, filled.to(Device.CPU).toFloatArray());
        }
    }

    /** The ops the backend runs so far give the CPU's results (the fake runs the kernels on the CPU: this checks what Java passes them). */
    @Test
    void eachOpThatRunsOnTheGpuMatchesTheCpu() {
        try (MemoryScope scope = MemoryScope.open()) {
            Generator random = new Generator(7);
            Tensor a = Tensor.randn(random, 5, 7), b = Tensor.randn(random, 5, 7), w = Tensor.randn(random, 7, 3);
            Tensor ga = a.to(GPU), gb = b.to(GPU), gw = w.to(GPU);
            assertArrayEquals(a.mul(b).toFloatArray(), ga.mul(gb).to(Device.CPU).toFloatArray());
            assertArrayEquals(a.relu().toFloatArray(), ga.relu().to(Device.CPU).toFloatArray());
            assertArrayEquals(a.softmax(-1).toFloatArray(), ga.softmax(-1).to(Device.CPU).toFloatArray(), 1e-6f);
            assertArrayEquals(a.sum(new int[] {1}, false).toFloatArray(), ga.sum(new int[] {1}, false).to(Device.CPU).toFloatArray(), 1e-5f);
            Tensor product = ga.matmul(gw);
            assertArrayEquals(new int[] {5, 3}, product.dims());
            assertArrayEquals(a.matmul(w).toFloatArray(), product.to(Device.CPU).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void closedGpuTensorsGiveTheirMemoryBackToTheCache() {
        long live = backend.memory().liveBytes();
        for (int step = 0; step < 50; step++) {
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor a = Tensor.ones(1000).to(GPU);
                a.add(a);
            }
        }
        assertEquals(live, backend.memory().liveBytes(), "every block back in the cache");
        assertEquals(2, backend.memory().driverAllocations(), "two buffers, allocated from the driver in the first step only");
    }

    @Test
    void whatDoesNotRunYetIsRefusedByName() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor a = Tensor.fromArray(new float[] {1, 2, 3}, 3).to(GPU);
            IllegalStateException read = assertThrows(IllegalStateException.class, a::toFloatArray);
            assertEquals("the data of a tensor on cuda:0 is in GPU memory: copy it with .to(Device.CPU) to read it", read.getMessage());
            UnsupportedOperationException exp = assertThrows(UnsupportedOperationException.class, a::exp);
            assertTrue(exp.getMessage().startsWith("the CUDA backend does not run unary EXP yet"), exp.getMessage());
            Tensor ints = Tensor.fromArray(new float[] {1, 2, 3}, 3).to(DType.INT32).to(GPU);
            UnsupportedOperationException add = assertThrows(UnsupportedOperationException.class, () -> ints.add(ints));
            assertTrue(add.getMessage().contains("contiguous float32"), add.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2).add(a), "tensors on two devices");
        }
    }

    /** Without the fake installed and without a driver, a GPU tensor is refused with the driver's line. */
    @Test
    void withoutAGpuTheRefusalSaysWhy() {
        assumeFalse(Cuda.status().available(), "this machine has a GPU");
        Backends.useCuda(GPU, null);
        try {
            UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class, () -> Tensor.zeros(3).to(GPU));
            assertEquals("no backend for cuda:0: " + Cuda.status().line(), refused.getMessage());
        } finally {
            Backends.useCuda(GPU, backend);
        }
    }
}

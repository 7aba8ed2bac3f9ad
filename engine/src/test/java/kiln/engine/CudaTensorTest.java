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
            assertArrayEquals(x.toFloatArray(), onGpu.toFloatArray(), "arrays read through a copy to the host");
            assertEquals(3.5, onGpu.get(0, 2));
            assertArrayEquals(x.t().contiguous().toFloatArray(), onGpu.t().to(Device.CPU).toFloatArray(), "a GPU view comes down gathered");
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

    /**
     * Every op the backend runs gives the CPU's result, on views as well as contiguous tensors (the
     * fake runs Kiln's CUDA C on the CPU: this checks both what Java passes and what the kernels do).
     */
    @Test
    void elementwiseOpsOnAnyViewMatchTheCpu() {
        try (MemoryScope scope = MemoryScope.open()) {
            Generator random = new Generator(7);
            Tensor a = Tensor.randn(random, 5, 7), b = Tensor.randn(random, 5, 7), row = Tensor.randn(random, 7);
            Tensor positive = a.abs().add(0.1);
            Tensor ga = a.to(GPU), gb = b.to(GPU), grow = row.to(GPU), gpositive = positive.to(GPU);
            assertSame(a.neg(), ga.neg(), 0);
            assertSame(a.abs(), ga.abs(), 0);
            assertSame(a.relu(), ga.relu(), 0);
            assertSame(a.exp(), ga.exp(), 1e-6);
            assertSame(positive.log(), gpositive.log(), 1e-6);
            assertSame(positive.sqrt(), gpositive.sqrt(), 1e-6);
            assertSame(positive.rsqrt(), gpositive.rsqrt(), 1e-6);
            assertSame(a.tanh(), ga.tanh(), 1e-6);
            assertSame(a.sigmoid(), ga.sigmoid(), 1e-6);
            assertSame(a.gelu(), ga.gelu(), 1e-6);
            assertSame(a.sin(), ga.sin(), 1e-6);
            assertSame(a.cos(), ga.cos(), 1e-6);
            assertSame(positive.pow(1.5), gpositive.pow(1.5), 1e-6);
            assertSame(a.clamp(-0.5, 0.25), ga.clamp(-0.5, 0.25), 0);
            assertSame(a.add(b), ga.add(gb), 0);
            assertSame(a.sub(b), ga.sub(gb), 0);
            assertSame(a.mul(b), ga.mul(gb), 0);
            assertSame(a.div(b), ga.div(gb), 0);
            assertSame(a.maximum(b), ga.maximum(gb), 0);
            assertSame(a.minimum(b), ga.minimum(gb), 0);
            assertSame(positive.pow(b), gpositive.pow(gb), 1e-6);
            assertSame(a.add(row), ga.add(grow), 0);                                   // a row broadcast down
            assertSame(a.t().mul(b.t()), ga.t().mul(gb.t()), 0);                       // transposed views
            assertSame(a.slice(1, 2, 6, 1).sub(row.slice(0, 0, 8, 2)), ga.slice(1, 2, 6, 1).sub(grow.slice(0, 0, 8, 2)), 0);
            assertSame(a.t().contiguous(), ga.t().contiguous(), 0);
            assertSame(a.lt(b).to(DType.FLOAT32), ga.lt(gb).to(DType.FLOAT32), 0);
            assertSame(a.gt(0.0).to(DType.FLOAT32), ga.gt(0.0).to(DType.FLOAT32), 0);
            assertSame(Tensor.where(a.gt(b), a, row), Tensor.where(ga.gt(gb), ga, grow), 0);
            assertSame(a.to(DType.INT64).to(DType.FLOAT64).to(DType.FLOAT32), ga.to(DType.INT64).to(DType.FLOAT64).to(DType.FLOAT32), 0);
        }
    }

    @Test
    void reductionsSoftmaxAndMatmulMatchTheCpu() {
        try (MemoryScope scope = MemoryScope.open()) {
            Generator random = new Generator(11);
            Tensor x = Tensor.randn(random, 3, 300, 5);
            Tensor gx = x.to(GPU);
            for (int axis : new int[] {1, 2}) {                                        // the middle axis is a strided view
                assertSame(x.sum(axis, false), gx.sum(axis, false), 1e-5);
                assertSame(x.mean(axis, false), gx.mean(axis, false), 1e-6);
                assertSame(x.max(axis, false), gx.max(axis, false), 0);
                assertSame(x.min(axis, false), gx.min(axis, false), 0);
                assertSame(x.var(axis, false), gx.var(axis, false), 1e-5);
                assertSame(x.std(axis, false), gx.std(axis, false), 1e-5);
                assertSame(x.argmax(axis, false).to(DType.FLOAT32), gx.argmax(axis, false).to(DType.FLOAT32), 0);
                assertSame(x.argmin(axis, false).to(DType.FLOAT32), gx.argmin(axis, false).to(DType.FLOAT32), 0);
                assertSame(x.softmax(axis), gx.softmax(axis), 1e-6);
                assertSame(x.logSoftmax(axis), gx.logSoftmax(axis), 1e-5);
            }
            Tensor m = x.view(900, 5);
            assertSame(m.sum(0, false), m.to(GPU).sum(0, false), 1e-4);                // sums down the columns
            Tensor a = Tensor.randn(random, 2, 70, 33), b = Tensor.randn(random, 2, 33, 65), w = Tensor.randn(random, 65, 33);
            assertSame(a.matmul(b), a.to(GPU).matmul(b.to(GPU)), 1e-4);                // a batch of two
            assertSame(a.matmul(w.t()), a.to(GPU).matmul(w.to(GPU).t()), 1e-4);        // broadcast, transposed weights
            assertSame(a.view(140, 33).t().matmul(a.view(140, 33)), a.view(140, 33).to(GPU).t().matmul(a.view(140, 33).to(GPU)), 1e-3);
        }
    }

    /** A small network's loss and gradients computed on the GPU are the CPU's: autograd runs there unchanged. */
    @Test
    void backwardOnTheGpuGivesTheCpuGradients() {
        try (MemoryScope scope = MemoryScope.open()) {
            Generator random = new Generator(3);
            Tensor x = Tensor.randn(random, 9, 5), w1 = Tensor.randn(random, 7, 5), b1 = Tensor.randn(random, 7), w2 = Tensor.randn(random, 3, 7);
            Tensor labels = Tensor.fromArray(new long[] {0, 2, 1, 1, -100, 2, 0, 0, 1}, 9);
            Tensor[] cpu = {w1.detach().requiresGrad(true), b1.detach().requiresGrad(true), w2.detach().requiresGrad(true)};
            Tensor[] gpu = {w1.to(GPU).requiresGrad(true), b1.to(GPU).requiresGrad(true), w2.to(GPU).requiresGrad(true)};
            Tensor cpuLoss = network(x, cpu).crossEntropyRows(labels, -100).mean();
            Tensor gpuLoss = network(x.to(GPU), gpu).crossEntropyRows(labels.to(GPU), -100).mean();
            cpuLoss.backward();
            gpuLoss.backward();
            assertSame(cpuLoss, gpuLoss, 1e-5);
            for (int p = 0; p < cpu.length; p++) {
                assertEquals(GPU, gpu[p].grad().device());
                assertSame(cpu[p].grad(), gpu[p].grad(), 1e-5);
            }
        }
    }

    /** A small convolutional network (conv, ReLU, max pooling, a strided and padded conv) gives the CPU's loss and gradients. */
    @Test
    void convolutionAndPoolingOnTheGpuGiveTheCpuGradients() {
        try (MemoryScope scope = MemoryScope.open()) {
            Generator random = new Generator(8);
            Tensor x = Tensor.randn(random, 3, 2, 11, 9), w1 = Tensor.randn(random, 4, 2, 3, 3), b1 = Tensor.randn(random, 4);
            Tensor w2 = Tensor.randn(random, 5, 4, 2, 2);
            Tensor[] cpu = {x.detach().requiresGrad(true), w1.detach().requiresGrad(true), b1.detach().requiresGrad(true), w2.detach().requiresGrad(true)};
            Tensor[] gpu = {x.to(GPU).requiresGrad(true), w1.to(GPU).requiresGrad(true), b1.to(GPU).requiresGrad(true), w2.to(GPU).requiresGrad(true)};
            Tensor cpuOut = convolutions(cpu), gpuOut = convolutions(gpu);
            assertSame(cpuOut, gpuOut, 1e-5);
            cpuOut.mul(cpuOut).sum().backward();
            gpuOut.mul(gpuOut).sum().backward();
            for (int p = 0; p < cpu.length; p++) {
                assertSame(cpu[p].grad(), gpu[p].grad(), 1e-4);
            }
        }
    }

    /** conv 3×3 (padding 1), ReLU, 2×2 max pooling (stride 2, padding 1), conv 2×2 (stride 2). */
    private static Tensor convolutions(Tensor[] p) {
        Tensor hidden = p[0].conv2d(p[1], p[2], 1, 1, 1, 1, 1, 1, 1).relu();
        return hidden.maxPool2d(2, 2, 2, 2, 1, 1, 1, 1).conv2d(p[3], null, 2, 2, 0, 0, 1, 1, 1);
    }

    /** relu(x·w1ᵀ + b1)·w2ᵀ, as a linear layer computes it. */
    private static Tensor network(Tensor x, Tensor[] p) {
        return x.matmul(p[0].t()).add(p[1]).relu().matmul(p[2].t());
    }

    /** The GPU result, brought back, equals the CPU's within {@code tolerance} relative to the magnitude. */
    private static void assertSame(Tensor cpu, Tensor gpu, double tolerance) {
        assertEquals(GPU, gpu.device());
        assertArrayEquals(cpu.dims(), gpu.dims());
        float[] expected = cpu.toFloatArray(), actual = gpu.to(Device.CPU).toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), "element " + i);
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
            IllegalStateException read = assertThrows(IllegalStateException.class, a::segment);
            assertEquals("the data of a tensor on cuda:0 is in GPU memory: copy it with .to(Device.CPU) to read it", read.getMessage());
            Tensor index = Tensor.fromArray(new float[] {0, 2}, 2).to(DType.INT64).to(GPU);
            UnsupportedOperationException gather = assertThrows(UnsupportedOperationException.class, () -> a.gather(0, index));
            assertTrue(gather.getMessage().startsWith("the CUDA backend does not run gather yet"), gather.getMessage());
            Tensor ints = Tensor.fromArray(new float[] {1, 2, 3}, 3).to(DType.INT32).to(GPU);
            UnsupportedOperationException add = assertThrows(UnsupportedOperationException.class, () -> ints.add(ints));
            assertTrue(add.getMessage().startsWith("the CUDA backend runs add on float32 tensors; got "), add.getMessage());
            assertTrue(add.getMessage().endsWith(" int32[3]"), add.getMessage());
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

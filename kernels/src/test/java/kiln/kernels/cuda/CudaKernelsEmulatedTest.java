package kiln.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Kiln's kernels over the fake driver, which compiles their CUDA C for the CPU and runs every thread
 * of a block as a fiber: the same checks as on a GPU, in CI. Inputs past a million elements are left
 * to the GPU run (a fiber per thread costs about a microsecond).
 */
class CudaKernelsEmulatedTest extends CudaKernelsContract implements LayerKernelChecks, SgemmKernelChecks {
    @Override
    protected String unavailable() {
        return FakeDriver.LIBRARY == null ? FakeDriver.missing() : null;
    }

    @Override
    protected CudaDriver openDriver() {
        CudaDriver fake = new FfmCudaDriver(FakeDriver.LIBRARY);
        fake.init();
        return fake;
    }

    @Override
    protected MemorySegment moduleImage(Arena arena) {
        return arena.allocateFrom(FakeDriver.EVERY_KERNEL);
    }

    @Override
    public boolean affordable(long elements) {
        return elements <= 1_000_000;
    }
}

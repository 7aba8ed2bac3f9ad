package kiln.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Kiln's kernels on a real GPU, from the fatbin kiln-native built: skipped, with the driver's one-line
 * reason ({@code CUDA unavailable: ...}), where there is no GPU or no fatbin.
 */
class CudaKernelsGpuTest extends CudaKernelsContract implements LayerKernelChecks, SgemmKernelChecks {
    @Override
    protected String unavailable() {
        if (!Cuda.status().available()) {
            return Cuda.status().line();
        }
        return Cuda.class.getClassLoader().getResource(Cuda.FATBIN_RESOURCE) == null ? "kiln-native was built without nvcc: no CUDA kernels to run" : null;
    }

    @Override
    protected CudaDriver openDriver() {
        return Cuda.status().driver();
    }

    @Override
    protected MemorySegment moduleImage(Arena arena) {
        return Cuda.fatbin(arena);
    }
}

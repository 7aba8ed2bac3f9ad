package kiln.kernels.cuda.jcuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import kiln.kernels.cuda.Cuda;
import kiln.kernels.cuda.CudaDriver;
import kiln.kernels.cuda.CudaDriverContract;
import org.junit.jupiter.api.Test;

/**
 * The JCuda binding keeps the same contract as the FFM one, over the same fake driver (found by
 * JCuda's native library on LD_LIBRARY_PATH, which the build points at the fake).
 */
class JCudaDriverBindingTest extends CudaDriverContract {
    @Override
    protected CudaDriver bind(String fakeLibrary) {
        return new JCudaBinding().open("libcuda.so.1");
    }

    @Override
    protected String bindingName() {
        return "JCuda";
    }

    /** -Dkiln.cuda.binding=jcuda finds this binding through the ServiceLoader. */
    @Test
    void theBindingIsFoundByItsName() {
        assertEquals("CUDA available: Kiln fake GPU (compute capability 9.0, 81920 MiB), driver 13.0, 1 device(s), JCuda binding",
                Cuda.probe("jcuda", "libcuda.so.1").line());
    }
}

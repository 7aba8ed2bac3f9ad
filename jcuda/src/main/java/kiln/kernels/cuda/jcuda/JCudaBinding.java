package kiln.kernels.cuda.jcuda;

import kiln.kernels.cuda.CudaBinding;
import kiln.kernels.cuda.CudaDriver;

/** {@code -Dkiln.cuda.binding=jcuda}: the driver through JCuda ({@link JCudaDriverBinding}). */
public final class JCudaBinding implements CudaBinding {
    @Override
    public String name() {
        return "jcuda";
    }

    @Override
    public CudaDriver open(String library) {
        return new JCudaDriverBinding(library);
    }
}

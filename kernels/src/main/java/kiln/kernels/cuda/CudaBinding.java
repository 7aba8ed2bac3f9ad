package kiln.kernels.cuda;

/**
 * A way to reach the CUDA driver, chosen with {@code -Dkiln.cuda.binding=NAME}: {@code ffm} (built in,
 * {@link FfmCudaDriver}, the default) or another found on the class path through
 * {@link java.util.ServiceLoader} ({@code jcuda}, in the kiln-jcuda module). Two bindings of the same
 * {@link CudaDriver} interface can then check each other on a GPU.
 */
public interface CudaBinding {
    /** The name {@code -Dkiln.cuda.binding} selects it by, in lower case. */
    String name();

    /**
     * The driver at {@code library}; throws {@link IllegalArgumentException} when the library cannot
     * be loaded, {@link IllegalStateException} when it is not a usable driver.
     */
    CudaDriver open(String library);
}

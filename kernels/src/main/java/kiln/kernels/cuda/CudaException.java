package kiln.kernels.cuda;

/**
 * A CUDA driver call that returned an error: the call, the driver's result code and its name
 * ({@code cuGetErrorName}), e.g. {@code cuModuleLoadData failed: CUDA_ERROR_INVALID_IMAGE (200)}.
 */
public final class CudaException extends RuntimeException {
    private final String call;
    private final int code;
    private final String name;

    public CudaException(String call, int code, String name) {
        super(call + " failed: " + name + " (" + code + ")");
        this.call = call;
        this.code = code;
        this.name = name;
    }

    /** The driver function that failed, e.g. {@code cuMemAlloc_v2}. */
    public String call() {
        return call;
    }

    /** The driver's {@code CUresult}. */
    public int code() {
        return code;
    }

    /** The result's name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}, or {@code CUDA_ERROR_UNKNOWN_CODE} when the driver has none. */
    public String name() {
        return name;
    }
}

package kiln.engine;

import java.lang.foreign.Arena;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import kiln.kernels.cuda.Cuda;

/**
 * Finds the backend for a device. The CPU backend is always there; a GPU's backend is opened on first
 * use when the CUDA driver is present ({@link Cuda#status()}). Asking for a device without a backend
 * says so plainly: for a GPU, with the driver's one line ({@code CUDA unavailable: <reason>}).
 */
public final class Backends {
    private static final Backend CPU = new CpuBackend();
    /** The GPUs' backends by ordinal, opened on first use. */
    private static final Map<Integer, CudaBackend> GPUS = new ConcurrentHashMap<>();

    private Backends() {}

    public static Backend of(Device device) {
        return device.kind() == Device.Kind.CPU ? CPU : cuda(device);
    }

    /** The backend of a GPU, opened on first use: its primary context and Kiln's kernels. */
    static CudaBackend cuda(Device device) {
        return GPUS.computeIfAbsent(device.index(), index -> {
            Cuda.Status status = Cuda.status();
            if (!status.available()) {
                throw new UnsupportedOperationException("no backend for " + device + ": " + status.line());
            }
            return new CudaBackend(device, status.driver(), Cuda.fatbin(Arena.global()));
        });
    }

    /** Puts {@code backend} in place of the GPU's (tests over the fake driver), or takes it out with null. */
    static void useCuda(Device device, CudaBackend backend) {
        if (backend == null) {
            GPUS.remove(device.index());
        } else {
            GPUS.put(device.index(), backend);
        }
    }

    /** The backend ops run on by default, described in one line (for the demo and logs). */
    public static String describeDefault() {
        return CPU.describe();
    }
}

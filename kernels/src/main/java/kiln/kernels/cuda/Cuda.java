package kiln.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ServiceLoader;

/**
 * Whether this process can use an NVIDIA GPU, and the way in: the driver binding and Kiln's kernels.
 *
 * <p>{@link #status()} tries once: load the driver library ({@code libcuda.so.1}, or the path in
 * {@code -Dkiln.cuda.library}) through the binding of {@code -Dkiln.cuda.binding} ({@code ffm} by
 * default, see {@link CudaBinding}), {@code cuInit}, count the devices. Without a GPU it gives one line,
 * {@code CUDA unavailable: <reason>}, which the command line prints and GPU tests take as their reason
 * to skip; nothing else changes, the CPU path never touches this class.
 */
public final class Cuda {
    /** Where the Maven build of kiln-native puts the fatbin (sm_90 code and compute_80 PTX). */
    public static final String FATBIN_RESOURCE = "kiln/native/kiln.fatbin";
    private static volatile Status status;

    private Cuda() {}

    /**
     * The outcome of trying to reach the driver: the bound driver and a one-line description, or
     * no driver and {@code CUDA unavailable: <reason>}.
     */
    public record Status(CudaDriver driver, String line) {
        public boolean available() {
            return driver != null;
        }
    }

    /** The driver's status in this process, found on the first call. */
    public static Status status() {
        Status known = status;
        if (known == null) {
            synchronized (Cuda.class) {
                known = status;
                if (known == null) {
                    status = known = probe(System.getProperty("kiln.cuda.binding", "ffm"), System.getProperty("kiln.cuda.library", "libcuda.so.1"));
                }
            }
        }
        return known;
    }

    /** The bound, initialised driver; throws {@link IllegalStateException} with the status line when there is none. */
    public static CudaDriver driver() {
        Status current = status();
        if (!current.available()) {
            throw new IllegalStateException(current.line());
        }
        return current.driver();
    }

    /**
     * Opens the driver at {@code library} (a name the loader searches for, or a path) through the
     * binding named {@code binding}, initialises it and describes what it found.
     */
    public static Status probe(String binding, String library) {
        CudaBinding chosen = binding(binding);
        if (chosen == null) {
            return unavailable("no CUDA binding named '" + binding + "' (-Dkiln.cuda.binding): ffm is built in; jcuda needs kiln-jcuda on the class path");
        }
        CudaDriver driver;
        try {
            driver = chosen.open(library);
        } catch (IllegalArgumentException e) {
            return unavailable("no NVIDIA driver (" + library + " cannot be loaded)");
        } catch (IllegalStateException e) {
            return unavailable(library + " is not a usable CUDA driver: " + e.getMessage());
        }
        try {
            driver.init();
            if (driver.deviceCount() == 0) {
                return unavailable("the driver found no CUDA device");
            }
            return new Status(driver, describe(driver));
        } catch (CudaException e) {
            return unavailable(e.getMessage());
        }
    }

    /** The built-in FFM binding, or the one of that name on the class path; null if there is none. */
    private static CudaBinding binding(String name) {
        if (name.equals(FFM.name())) {
            return FFM;
        }
        for (CudaBinding found : ServiceLoader.load(CudaBinding.class)) {
            if (found.name().equals(name)) {
                return found;
            }
        }
        return null;
    }

    /** The binding written here: the CUDA driver API through FFM. */
    private static final CudaBinding FFM = new CudaBinding() {
        @Override
        public String name() {
            return "ffm";
        }

        @Override
        public CudaDriver open(String library) {
            return new FfmCudaDriver(library);
        }
    };

    /** The status line of an initialised driver: its first device, the driver's version, the device count and the binding. */
    public static String describe(CudaDriver driver) {
        int device = driver.device(0);
        int version = driver.driverVersion();
        return String.format("CUDA available: %s (compute capability %d.%d, %d MiB), driver %d.%d, %d device(s), %s binding",
                driver.deviceName(device), driver.attribute(device, CudaDriver.ATTRIBUTE_CAPABILITY_MAJOR),
                driver.attribute(device, CudaDriver.ATTRIBUTE_CAPABILITY_MINOR), driver.totalMemory(device) >> 20,
                version / 1000, version % 1000 / 10, driver.deviceCount(), driver.name());
    }

    private static Status unavailable(String reason) {
        return new Status(null, "CUDA unavailable: " + reason);
    }

    /**
     * Kiln's kernels, the fatbin built by kiln-native, copied into native memory of {@code arena} for
     * {@code cuModuleLoadData}. Throws {@link IllegalStateException} when this build has none (nvcc was
     * missing when kiln-native was built).
     */
    public static MemorySegment fatbin(Arena arena) {
        try (InputStream in = Cuda.class.getClassLoader().getResourceAsStream(FATBIN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("this build has no CUDA kernels (" + FATBIN_RESOURCE
                        + " is missing: kiln-native was built without nvcc)");
            }
            byte[] bytes = in.readAllBytes();
            MemorySegment image = arena.allocate(bytes.length + 1L, 16);   // zero-terminated, as the driver may read a PTX image as text
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, image, 0, bytes.length);
            return image;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + FATBIN_RESOURCE + ": " + e.getMessage(), e);
        }
    }
}

package kiln.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Without a usable driver, one line says why; the kernels built by kiln-native come as a fatbin resource. */
class CudaTest {

    @Test
    void aMissingDriverLibraryIsOneLine() {
        Cuda.Status status = Cuda.probe("ffm", "libcuda-that-is-not-here.so.1");
        assertFalse(status.available());
        assertEquals("CUDA unavailable: no NVIDIA driver (libcuda-that-is-not-here.so.1 cannot be loaded)", status.line());
    }

    @Test
    void aLibraryThatIsNotADriverIsRefusedWithWhatItLacks() {
        Cuda.Status status = Cuda.probe("ffm", "libm.so.6");
        assertFalse(status.available());
        assertEquals("CUDA unavailable: libm.so.6 is not a usable CUDA driver: the CUDA driver library has no function cuInit", status.line());
    }

    @Test
    void anUnknownBindingIsNamed() {
        assertEquals("CUDA unavailable: no CUDA binding named 'cublas' (-Dkiln.cuda.binding): ffm is built in; jcuda needs kiln-jcuda on the class path",
                Cuda.probe("cublas", "libcuda.so.1").line());
    }

    @Test
    void theProcessStatusIsEitherADeviceOrAReason() {
        Cuda.Status status = Cuda.status();
        assertTrue(status.line().startsWith(status.available() ? "CUDA available: " : "CUDA unavailable: "), status.line());
        if (!status.available()) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, Cuda::driver);
            assertEquals(status.line(), refused.getMessage());
        }
    }

    /** A CUDA fat binary starts with the magic 0xBA55ED50 (little-endian); built when nvcc was present. */
    @Test
    void theFatbinIsAFatBinary() {
        assumeTrue(Cuda.class.getClassLoader().getResource(Cuda.FATBIN_RESOURCE) != null,
                "kiln-native was built without nvcc: no fatbin to check");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = Cuda.fatbin(arena);
            assertEquals(0xBA55ED50, image.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            assertEquals(0, image.get(ValueLayout.JAVA_BYTE, image.byteSize() - 1), "zero-terminated");
        }
    }
}

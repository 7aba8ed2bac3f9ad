package kiln.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every binding of {@link CudaDriver} must do, checked against the fake driver, every bound
 * function at least once: arguments reach the driver in order and at their widths, out-parameters
 * come back, errors become a CudaException that names the call and the driver's error, and what is
 * allocated, loaded or created is given back. Each binding's test extends this class.
 */
public abstract class CudaDriverContract {
    private CudaDriver driver;
    private long context;

    /** The binding under test, over the fake driver at {@code fakeLibrary}. */
    protected abstract CudaDriver bind(String fakeLibrary);

    /** The binding's name, as {@link CudaDriver#name()} and the status line give it. */
    protected abstract String bindingName();

    @BeforeEach
    void bindTheFake() {
        assumeTrue(FakeDriver.LIBRARY != null, FakeDriver.missing());
        driver = bind(FakeDriver.LIBRARY);
        driver.init();
        context = driver.retainPrimaryContext(driver.device(0));
        driver.setCurrentContext(context);
    }

    @AfterEach
    void releaseTheContext() {
        if (driver != null) {
            driver.synchronizeContext();
            driver.releasePrimaryContext(driver.device(0));
        }
    }

    @Test
    void deviceQueriesComeBackThroughTheirOutParameters() {
        assertEquals(bindingName(), driver.name());
        assertEquals(13000, driver.driverVersion());
        assertEquals(1, driver.deviceCount());
        int device = driver.device(0);
        assertEquals("Kiln fake GPU", driver.deviceName(device));
        assertEquals(132, driver.attribute(device, CudaDriver.ATTRIBUTE_MULTIPROCESSORS));
        assertEquals(9, driver.attribute(device, CudaDriver.ATTRIBUTE_CAPABILITY_MAJOR));
        assertEquals(0, driver.attribute(device, CudaDriver.ATTRIBUTE_CAPABILITY_MINOR));
        assertEquals(80L << 30, driver.totalMemory(device));
        assertEquals(1, FakeDriver.retainedContexts());
        CudaException error = assertThrows(CudaException.class, () -> driver.device(3));
        assertEquals("cuDeviceGet", error.call());
        assertEquals("CUDA_ERROR_INVALID_DEVICE", error.name());
        assertEquals(101, error.code());
        assertEquals("cuDeviceGet failed: CUDA_ERROR_INVALID_DEVICE (101)", error.getMessage());
    }

    @Test
    void memoryMakesTheRoundTripAndIsCountedUntilFreed() {
        long before = FakeDriver.liveAllocations();
        try (Arena arena = Arena.ofConfined()) {
            int n = 1000;
            MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            for (int i = 0; i < n; i++) {
                host.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.5f - 7);
            }
            long device = driver.allocate(4L * n);
            assertEquals(before + 1, FakeDriver.liveAllocations());
            assertEquals(4L * n, FakeDriver.liveBytes());
            driver.copyToDevice(device, host, 4L * n);
            MemorySegment back = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            driver.copyToHost(back, device, 4L * n);
            assertArrayEquals(host.toArray(ValueLayout.JAVA_FLOAT), back.toArray(ValueLayout.JAVA_FLOAT));

            long stream = driver.createStream();
            MemorySegment again = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            driver.copyToDeviceAsync(device, back, 4L * n, stream);
            driver.copyToHostAsync(again, device, 4L * n, stream);
            driver.synchronizeStream(stream);
            driver.destroyStream(stream);
            assertArrayEquals(host.toArray(ValueLayout.JAVA_FLOAT), again.toArray(ValueLayout.JAVA_FLOAT));

            CudaException pastTheEnd = assertThrows(CudaException.class, () -> driver.copyToHost(back, device + 4, 4L * n));
            assertEquals("CUDA_ERROR_INVALID_VALUE", pastTheEnd.name());
            assertThrows(IllegalArgumentException.class, () -> driver.copyToDevice(device, host, 4L * n + 4),
                    "more bytes than the host segment holds are refused before the driver sees them");
            assertThrows(IllegalArgumentException.class, () -> driver.copyToDevice(device, MemorySegment.ofArray(new float[n]), 4L * n),
                    "a heap segment has no address the driver could read");
            driver.free(device);
            assertEquals(before, FakeDriver.liveAllocations());
            CudaException twice = assertThrows(CudaException.class, () -> driver.free(device));
            assertEquals("cuMemFree_v2", twice.call());
        }
        assertEquals(0, FakeDriver.liveStreams());
    }

    @Test
    void aModuleGivesItsKernelsByNameAndRefusesAnythingElse() {
        try (Arena arena = Arena.ofConfined()) {
            long module = driver.loadModule(arena.allocateFrom("KILNFAKE\nkiln_fill_f32\nkiln_zip_f32\n"));
            assertEquals(1, FakeDriver.liveModules());
            assertTrue(driver.function(module, "kiln_zip_f32") != 0);
            CudaException missing = assertThrows(CudaException.class, () -> driver.function(module, "kiln_sub_f32"));
            assertEquals("cuModuleGetFunction(kiln_sub_f32) failed: CUDA_ERROR_NOT_FOUND (500)", missing.getMessage());
            driver.unloadModule(module);
            assertEquals(0, FakeDriver.liveModules());
            CudaException garbage = assertThrows(CudaException.class, () -> driver.loadModule(arena.allocateFrom("not a fatbin")));
            assertEquals("cuModuleLoadData", garbage.call());
            assertEquals("CUDA_ERROR_INVALID_IMAGE", garbage.name());
        }
        assertThrows(IllegalArgumentException.class, () -> driver.loadModule(MemorySegment.ofArray(new byte[16])));
    }

    /** Pointer, float, 64-bit and struct arguments reach the kernel: the fake runs fill and add (kiln_zip_f32) on the CPU. */
    @Test
    void aLaunchPassesItsArgumentsAndItsGeometry() {
        int n = 37;
        try (Arena arena = Arena.ofConfined()) {
            long module = driver.loadModule(arena.allocateFrom("KILNFAKE\nkiln_fill_f32\nkiln_zip_f32\n"));
            long fill = driver.function(module, "kiln_fill_f32"), add = driver.function(module, "kiln_zip_f32");
            long[] layout = KernelChecks.contiguousLayout(n);
            long a = driver.allocate(4L * n), b = driver.allocate(4L * n), out = driver.allocate(4L * n);
            KernelArgs args = KernelArgs.of(arena);
            driver.launch(fill, Dim3.of(2), Dim3.of(32), 0, 0, args.pointer(a).float32(1.25f).int64(n));
            driver.launch(fill, Dim3.of(2), Dim3.of(32), 0, 0, args.clear().pointer(b).float32(-3f).int64(n));
            long events = FakeDriver.liveEvents();
            long start = driver.createEvent(), end = driver.createEvent();
            driver.recordEvent(start, 0);
            driver.launch(add, new Dim3(3, 2, 1), new Dim3(8, 4, 2), 128, 0,
                    args.clear().pointer(out).pointer(a).pointer(b).int64s(layout).int64(n).int32(0));     // op 0: ADD
            driver.recordEvent(end, 0);
            driver.synchronizeEvent(end);
            assertTrue(driver.elapsedMillis(start, end) >= 0);
            assertArrayEquals(new int[] {3, 2, 1, 8, 4, 2, 128}, FakeDriver.lastLaunch());
            assertEquals(6, args.count());
            MemorySegment result = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            driver.copyToHost(result, out, 4L * n);
            for (int i = 0; i < n; i++) {
                assertEquals(-1.75f, result.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            }
            CudaException tooLarge = assertThrows(CudaException.class,
                    () -> driver.launch(add, Dim3.of(1), Dim3.of(2048), 0, 0, args.clear().pointer(out).pointer(a).pointer(b).int64s(layout).int64(n).int32(0)));
            assertEquals("cuLaunchKernel", tooLarge.call());
            driver.destroyEvent(start);
            driver.destroyEvent(end);
            assertEquals(events, FakeDriver.liveEvents());
            driver.free(a);
            driver.free(b);
            driver.free(out);
            driver.unloadModule(module);
        }
    }

    @Test
    void errorCodesHaveTheirDriverNames() {
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", driver.errorName(2));
        assertEquals("CUDA_ERROR_UNKNOWN_CODE", driver.errorName(12345));
        CudaException tooMuch = assertThrows(CudaException.class, () -> driver.allocate(1L << 40));
        assertEquals("cuMemAlloc_v2(1099511627776 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (2)", tooMuch.getMessage());
    }

    @Test
    void theStatusLineDescribesTheDevice() {
        assertEquals("CUDA available: Kiln fake GPU (compute capability 9.0, 81920 MiB), driver 13.0, 1 device(s), "
                + bindingName() + " binding", Cuda.describe(driver));
    }
}

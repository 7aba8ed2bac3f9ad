package kiln.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import kiln.kernels.SizeClasses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The device-memory cache over the fake driver: reuse instead of cuMemAlloc, errors, and out of memory. */
class DeviceMemoryTest {
    private CudaDriver driver;
    private DeviceMemory memory;

    @BeforeEach
    void openTheFake() {
        assumeTrue(FakeDriver.LIBRARY != null, FakeDriver.missing());
        driver = new FfmCudaDriver(FakeDriver.LIBRARY);
        driver.init();
        driver.setCurrentContext(driver.retainPrimaryContext(driver.device(0)));
        memory = new DeviceMemory(driver);
    }

    @AfterEach
    void giveItAllBack() {
        if (memory != null) {
            memory.releaseCache();
            FakeDriver.setMemoryLimit(80L << 30);
            driver.releasePrimaryContext(driver.device(0));
        }
    }

    /** A training loop's steady state: the same buffers step after step, one cuMemAlloc each, in the first step only. */
    @Test
    void aRepeatedStepAllocatesFromTheDriverOnlyOnce() {
        long[] sizes = {4 * 128 * 784, 4 * 128 * 256, 4 * 256 * 784, 4 * 256, 4 * 128 * 10, 4};
        long callsBefore = FakeDriver.allocationCalls();
        for (int step = 0; step < 200; step++) {
            long[] pointers = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                pointers[i] = memory.allocate(sizes[i]);
            }
            for (long pointer : pointers) {
                memory.free(pointer);
            }
        }
        assertEquals(sizes.length, memory.driverAllocations());
        assertEquals(sizes.length, FakeDriver.allocationCalls() - callsBefore, "no cuMemAlloc after the first step");
        assertEquals(0, memory.liveBytes());
        long capacities = 0;
        for (long size : sizes) {
            capacities += SizeClasses.capacity(SizeClasses.of(size));
        }
        assertEquals(capacities, memory.cachedBytes());
        memory.releaseCache();
        assertEquals(0, memory.cachedBytes());
        assertEquals(0, FakeDriver.liveAllocations(), "the cache went back to the driver");
    }

    @Test
    void requestsOfOneClassShareABlockAndTheLatestFreedComesFirst() {
        long a = memory.allocate(1000), b = memory.allocate(1000);
        memory.free(a);
        memory.free(b);
        assertEquals(b, memory.allocate(1010), "the same class, the newest block");
        assertEquals(a, memory.allocate(960));
        assertEquals(2, memory.driverAllocations());
        assertEquals(2 * SizeClasses.capacity(SizeClasses.of(1000)), memory.liveBytes());
        memory.free(a);
        memory.free(b);
    }

    @Test
    void aWrongOrSecondFreeIsRefused() {
        long pointer = memory.allocate(64);
        memory.free(pointer);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> memory.free(pointer));
        assertTrue(twice.getMessage().contains("not a live block of this allocator"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(0));
    }

    @Test
    void outOfMemoryReleasesTheCacheThenTriesAgain() {
        FakeDriver.setMemoryLimit(1 << 20);
        long first = memory.allocate(600_000);
        memory.free(first);                                  // cached: 600 KB of the 1 MiB
        long second = memory.allocate(700_000);              // another class: fits only once the cache is gone
        assertEquals(0, memory.cachedBytes());
        assertEquals(1, FakeDriver.liveAllocations());
        OutOfMemoryError full = assertThrows(OutOfMemoryError.class, () -> memory.allocate(2_000_000));
        assertTrue(full.getMessage().startsWith("kiln: the GPU has no room for "), full.getMessage());
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", ((CudaException) full.getCause()).name());
        memory.free(second);
    }
}

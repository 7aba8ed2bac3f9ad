package kiln.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * What a family of kernel checks needs: the driver and the loaded kernels, and helpers to move data.
 * Each family is an interface of default test methods (JUnit runs them in every class that implements
 * it); {@link CudaKernelsGpuTest} and {@link CudaKernelsEmulatedTest} implement them all, so each check
 * runs on a GPU where there is one and on the emulator in CI.
 */
interface KernelChecks {
    /** The driver, with the kernels' context current. */
    CudaDriver driver();

    /** The loaded module of Kiln's kernels. */
    long module();

    /** Whether a launch over {@code elements} threads is worth its time here (the emulator is slow past a million). */
    default boolean affordable(long elements) {
        return true;
    }

    /**
     * elementwise.cu's KilnLayout for contiguous operands of n elements: rank 1, shape [n], every
     * operand's stride 1 (as CudaBackend.layout merges a contiguous op).
     */
    static long[] contiguousLayout(long n) {
        int maxRank = 8, operands = 4;
        long[] layout = new long[1 + maxRank + operands * maxRank];
        layout[0] = 1;
        layout[1] = n;
        for (int o = 0; o < operands; o++) {
            layout[1 + maxRank + o * maxRank] = 1;
        }
        return layout;
    }

    /** Launches kernel {@code name} of the module on the default stream. */
    default void launch(String name, Dim3 grid, Dim3 block, KernelArgs args) {
        driver().launch(driver().function(module(), name), grid, block, 0, 0, args);
    }

    default double[] toDouble(float[] values) {
        double[] copy = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            copy[i] = values[i];
        }
        return copy;
    }

    default float[] randomFloats(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    /** A new device buffer holding a copy of {@code host}. */
    default long upload(MemorySegment host) {
        long device = driver().allocate(host.byteSize());
        driver().copyToDevice(device, host, host.byteSize());
        return device;
    }

    default long upload(Arena call, float[] values) {
        return upload(call.allocateFrom(ValueLayout.JAVA_FLOAT, values));
    }

    /** {@code n} elements of {@code layout} copied from device memory into host memory of {@code call}. */
    default MemorySegment download(Arena call, long device, ValueLayout layout, int n) {
        MemorySegment host = call.allocate(layout, n);
        driver().copyToHost(host, device, host.byteSize());
        return host;
    }

    default float[] download(Arena call, long device, int n) {
        return download(call, device, ValueLayout.JAVA_FLOAT, n).toArray(ValueLayout.JAVA_FLOAT);
    }

    default void freeAll(long... pointers) {
        for (long pointer : pointers) {
            driver().free(pointer);
        }
    }
}

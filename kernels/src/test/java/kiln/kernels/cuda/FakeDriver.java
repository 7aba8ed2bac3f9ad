package kiln.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fake CUDA driver of the tests (src/test/c/fake_cuda.c, built by the Maven build into
 * target/fake-cuda/libcuda.so.1): where it is, and its bookkeeping, read through its kilnFake* functions.
 */
public final class FakeDriver {
    /** The fake's path, from the build; null when the build made none (no C compiler). */
    public static final String LIBRARY = library();
    /** A module image for the fake that holds every one of Kiln's kernels (the fake runs them on the CPU). */
    public static final String EVERY_KERNEL = "KILNFAKE\n*\n";

    private FakeDriver() {}

    private static String library() {
        String path = System.getProperty("kiln.test.fakeCuda");
        return path != null && Files.isRegularFile(Path.of(path)) ? path : null;
    }

    /** Why the fake's tests cannot run, for {@code assumeTrue}: one line. */
    public static String missing() {
        return "the fake CUDA driver was not built (no C compiler when the tests were built): " + System.getProperty("kiln.test.fakeCuda");
    }

    static long liveAllocations() { return counter("kilnFakeLiveAllocations"); }

    static long liveBytes() { return counter("kilnFakeLiveBytes"); }

    /** How many times cuMemAlloc_v2 was called, failed calls included. */
    static long allocationCalls() { return counter("kilnFakeAllocationCalls"); }

    /** The fake device's memory: cuMemAlloc_v2 fails with CUDA_ERROR_OUT_OF_MEMORY past it. */
    static void setMemoryLimit(long bytes) {
        try {
            handle("kilnFakeSetMemoryLimit", FunctionDescriptor.ofVoid(JAVA_LONG)).invokeExact(bytes);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static long liveModules() { return counter("kilnFakeLiveModules"); }

    static long liveStreams() { return counter("kilnFakeLiveStreams"); }

    static long liveEvents() { return counter("kilnFakeLiveEvents"); }

    static long launches() { return counter("kilnFakeLaunches"); }

    static long retainedContexts() {
        try {
            return (int) handle("kilnFakeRetainedContexts", FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** The last launch: grid x, y, z, block x, y, z, shared bytes. */
    static int[] lastLaunch() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dims = arena.allocate(JAVA_INT, 7);
            handle("kilnFakeLastLaunch", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(dims);
            return dims.toArray(JAVA_INT);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    private static long counter(String name) {
        try {
            return (long) handle(name, FunctionDescriptor.of(JAVA_LONG)).invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        SymbolLookup lookup = SymbolLookup.libraryLookup(Path.of(LIBRARY), Arena.global());   // the same library the driver loaded
        return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), descriptor);
    }
}

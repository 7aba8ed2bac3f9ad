package kiln.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Size classes fit every request, waste less than a fifth, and each capacity is its own class. */
class SizeClassesTest {

    @Test
    void sizeClassesFitTheRequestAndWasteLessThanAFifth() {
        long previous = 0;
        for (long bytes = 0; bytes <= 1 << 20; bytes += bytes < 4096 ? 1 : 61) {
            long capacity = SizeClasses.capacity(SizeClasses.of(bytes));
            long rounded = Math.max(64, (bytes + 63) / 64 * 64);
            assertTrue(capacity >= rounded, bytes + " bytes fit in " + capacity);
            assertTrue(capacity < 1.25 * rounded || capacity == rounded, bytes + " bytes: " + capacity + " wastes 20% or more");
            assertEquals(0, capacity % 64, "whole cache lines");
            assertTrue(capacity >= previous, "classes grow with the request");
            assertEquals(SizeClasses.of(bytes), SizeClasses.of(capacity), "a capacity is its own class");
            previous = capacity;
        }
        assertEquals(1, SizeClasses.of(0));
        assertEquals(5L << 28, SizeClasses.capacity(SizeClasses.of((1L << 30) + 1)), "1 GiB + 1 byte takes 1.25 GiB");
        assertTrue(SizeClasses.of(Long.MAX_VALUE / 2) < 4 * 64, "every size has a class");
    }
}

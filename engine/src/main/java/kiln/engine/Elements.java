package kiln.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reading and writing one element of any dtype, by element index into a segment. The slow, general
 * path that every dtype shares: floating types travel as {@code double}, integer types and bool as
 * {@code long} so that int64 values above 2^53 survive a copy.
 */
final class Elements {
    private Elements() {}

    static double getDouble(DType dtype, MemorySegment segment, long index) {
        return switch (dtype) {
            case FLOAT32 -> segment.getAtIndex(ValueLayout.JAVA_FLOAT, index);
            case FLOAT64 -> segment.getAtIndex(ValueLayout.JAVA_DOUBLE, index);
            case INT32 -> segment.getAtIndex(ValueLayout.JAVA_INT, index);
            case INT64 -> segment.getAtIndex(ValueLayout.JAVA_LONG, index);
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, index);
        };
    }

    static long getLong(DType dtype, MemorySegment segment, long index) {
        return switch (dtype) {
            case FLOAT32, FLOAT64 -> (long) getDouble(dtype, segment, index);
            case INT32 -> segment.getAtIndex(ValueLayout.JAVA_INT, index);
            case INT64 -> segment.getAtIndex(ValueLayout.JAVA_LONG, index);
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, index);
        };
    }

    static void setDouble(DType dtype, MemorySegment segment, long index, double value) {
        switch (dtype) {
            case FLOAT32 -> segment.setAtIndex(ValueLayout.JAVA_FLOAT, index, (float) value);
            case FLOAT64 -> segment.setAtIndex(ValueLayout.JAVA_DOUBLE, index, value);
            case INT32 -> segment.setAtIndex(ValueLayout.JAVA_INT, index, (int) value);
            case INT64 -> segment.setAtIndex(ValueLayout.JAVA_LONG, index, (long) value);
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, index, (byte) (value != 0 ? 1 : 0));
        }
    }

    static void setLong(DType dtype, MemorySegment segment, long index, long value) {
        switch (dtype) {
            case FLOAT32, FLOAT64 -> setDouble(dtype, segment, index, value);
            case INT32 -> segment.setAtIndex(ValueLayout.JAVA_INT, index, (int) value);
            case INT64 -> segment.setAtIndex(ValueLayout.JAVA_LONG, index, value);
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, index, (byte) (value != 0 ? 1 : 0));
        }
    }

    /** Copies one element, converting between dtypes through the widest exact carrier. */
    static void copy(DType toType, MemorySegment to, long toIndex, DType fromType, MemorySegment from, long fromIndex) {
        if (fromType.isFloatingPoint() || toType.isFloatingPoint()) {
            setDouble(toType, to, toIndex, getDouble(fromType, from, fromIndex));
        } else {
            setLong(toType, to, toIndex, getLong(fromType, from, fromIndex));
        }
    }
}

package kiln.nn.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The contents of an IDX file (see {@link Idx}): the element type, the dimensions, and the elements in
 * row-major order exactly as stored (big-endian).
 */
public record IdxArray(Type type, int[] dims, byte[] data) {
    /** The IDX element types, with the code the file's third byte gives and their size in bytes. */
    public enum Type {
        UNSIGNED_BYTE(0x08, 1),
        SIGNED_BYTE(0x09, 1),
        SHORT(0x0B, 2),
        INT(0x0C, 4),
        FLOAT(0x0D, 4),
        DOUBLE(0x0E, 8);

        private final int code;
        private final int size;

        Type(int code, int size) {
            this.code = code;
            this.size = size;
        }

        public int code() {
            return code;
        }

        /** Bytes per element. */
        public int size() {
            return size;
        }

        /** The type with this code, or null if IDX defines none. */
        static Type ofCode(int code) {
            for (Type type : values()) {
                if (type.code == code) {
                    return type;
                }
            }
            return null;
        }
    }

    public IdxArray {
        long count = 1;
        for (int dim : dims) {
            if (dim < 0) {
                throw new IllegalArgumentException("IdxArray: negative dimension in " + Arrays.toString(dims));
            }
            count *= dim;
        }
        if (count * type.size() != data.length) {
            throw new IllegalArgumentException("IdxArray: dims " + Arrays.toString(dims) + " of " + type + " need "
                    + count * type.size() + " bytes, data has " + data.length);
        }
    }

    /** How many elements there are: the product of the dimensions. */
    public int count() {
        return data.length / type.size();
    }

    /**
     * Every element as a float, decoded in one pass per type (unsigned bytes become 0..255). Exact for
     * the byte and short types; int and double values lose precision beyond 24 bits as any float does.
     */
    public float[] toFloats() {
        float[] values = new float[count()];
        ByteBuffer big = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        switch (type) {
            case UNSIGNED_BYTE -> {
                for (int i = 0; i < values.length; i++) {
                    values[i] = data[i] & 0xFF;
                }
            }
            case SIGNED_BYTE -> {
                for (int i = 0; i < values.length; i++) {
                    values[i] = data[i];
                }
            }
            case SHORT -> {
                for (int i = 0; i < values.length; i++) {
                    values[i] = big.getShort(2 * i);
                }
            }
            case INT -> {
                for (int i = 0; i < values.length; i++) {
                    values[i] = big.getInt(4 * i);
                }
            }
            case FLOAT -> big.asFloatBuffer().get(values);
            case DOUBLE -> {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) big.getDouble(8 * i);
                }
            }
        }
        return values;
    }

    /** Every element as a long, for labels and indices; refused for the floating-point types. */
    public long[] toLongs() {
        long[] values = new long[count()];
        ByteBuffer big = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (type) {
                case UNSIGNED_BYTE -> data[i] & 0xFF;
                case SIGNED_BYTE -> data[i];
                case SHORT -> big.getShort(2 * i);
                case INT -> big.getInt(4 * i);
                case FLOAT, DOUBLE -> throw new IllegalStateException("IdxArray.toLongs: the elements are " + type
                        + ", not integers");
            };
        }
        return values;
    }

    @Override
    public String toString() {
        return "IdxArray[" + type + " " + Arrays.toString(dims) + "]";
    }
}

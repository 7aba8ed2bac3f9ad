package kiln.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files written here byte by byte (DataOutputStream is big-endian), plain and gzipped, whole and broken. */
class IdxTest {
    @TempDir
    Path dir;

    /** The header of an IDX file: two zero bytes, the type code, the rank, then each dimension. */
    private static DataOutputStream header(ByteArrayOutputStream bytes, int typeCode, int... dims) throws IOException {
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {0, 0, (byte) typeCode, (byte) dims.length});
        for (int dim : dims) {
            out.writeInt(dim);
        }
        return out;
    }

    private static byte[] unsignedBytes(int[] dims, int... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = header(bytes, 0x08, dims);
        for (int v : values) {
            out.writeByte(v);
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private String refusal(String name, byte[] content) throws IOException {
        Path file = write(name, content);
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), "the message names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
    }

    @Test
    void readsUnsignedBytesPlainAndGzippedWhateverTheFileName() throws IOException {
        byte[] plain = unsignedBytes(new int[] {2, 3}, 0, 1, 127, 128, 254, 255);
        // The gzipped copy is named as if plain, and the plain one as if gzipped: only the bytes count.
        for (Path file : new Path[] {write("a.gz", plain), write("b-idx2-ubyte", gzip(plain))}) {
            IdxArray array = Idx.read(file);
            assertEquals(IdxArray.Type.UNSIGNED_BYTE, array.type());
            assertArrayEquals(new int[] {2, 3}, array.dims());
            assertArrayEquals(new float[] {0, 1, 127, 128, 254, 255}, array.toFloats());
            assertArrayEquals(new long[] {0, 1, 127, 128, 254, 255}, array.toLongs());
        }
    }

    @Test
    void readsTheOtherTypesBigEndian() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = header(bytes, 0x09, 3);
        out.write(new byte[] {-128, -1, 5});
        assertArrayEquals(new long[] {-128, -1, 5}, Idx.read(write("s8", bytes.toByteArray())).toLongs());

        bytes = new ByteArrayOutputStream();
        out = header(bytes, 0x0B, 3);
        out.writeShort(-30000);
        out.writeShort(258);
        out.writeShort(0);
        assertArrayEquals(new long[] {-30000, 258, 0}, Idx.read(write("i16", bytes.toByteArray())).toLongs());

        bytes = new ByteArrayOutputStream();
        out = header(bytes, 0x0C, 1, 2);
        out.writeInt(-70000);
        out.writeInt(16777216);
        IdxArray ints = Idx.read(write("i32", gzip(bytes.toByteArray())));
        assertArrayEquals(new int[] {1, 2}, ints.dims());
        assertArrayEquals(new long[] {-70000, 16777216}, ints.toLongs());
        assertArrayEquals(new float[] {-70000f, 16777216f}, ints.toFloats());

        bytes = new ByteArrayOutputStream();
        out = header(bytes, 0x0D, 2);
        out.writeFloat(1.5f);
        out.writeFloat(-0.25f);
        IdxArray floats = Idx.read(write("f32", bytes.toByteArray()));
        assertArrayEquals(new float[] {1.5f, -0.25f}, floats.toFloats());
        var e = assertThrows(IllegalStateException.class, floats::toLongs);
        assertTrue(e.getMessage().contains("not integers"), e.getMessage());

        bytes = new ByteArrayOutputStream();
        out = header(bytes, 0x0E, 2);
        out.writeDouble(0.1);
        out.writeDouble(-3);
        assertArrayEquals(new float[] {0.1f, -3f}, Idx.read(write("f64", bytes.toByteArray())).toFloats());
    }

    @Test
    void theDigestSeesTheDecompressedContent() throws Exception {
        byte[] plain = unsignedBytes(new int[] {4}, 9, 8, 7, 6);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Idx.read(write("x.gz", gzip(plain)), digest);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain)),
                HexFormat.of().formatHex(digest.digest()));
    }

    @Test
    void refusesABadMagicNumberAnUnknownTypeAndNoDimensions() throws IOException {
        byte[] good = unsignedBytes(new int[] {2}, 1, 2);

        byte[] badMagic = good.clone();
        badMagic[1] = 0x01;
        assertContains(refusal("magic", badMagic), "not an IDX file: the magic number starts 0x00 0x01");

        byte[] badType = good.clone();
        badType[2] = 0x0A;
        assertContains(refusal("type", badType), "unknown IDX data type 0x0a");

        assertContains(refusal("rank0", new byte[] {0, 0, 8, 0}), "0 dimensions");
        assertContains(refusal("short", new byte[] {0, 0}), "too short for the 4-byte IDX magic number");
        assertContains(refusal("empty", new byte[0]), "only 0 bytes");
    }

    @Test
    void refusesTruncatedHeadersAndData() throws IOException {
        byte[] good = unsignedBytes(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);

        String header = refusal("header", Arrays.copyOf(good, 9));
        assertContains(header, "truncated: the header declares 2 dimensions (8 bytes) but ends after 5");

        String data = refusal("data", Arrays.copyOf(good, good.length - 2));
        assertContains(data, "truncated: dimensions [2, 3] of UNSIGNED_BYTE need 6 bytes of data, the file has 4");

        // The same IDX content cut short inside a valid gzip stream, and a gzip stream itself cut short.
        String gzippedData = refusal("data.gz", gzip(Arrays.copyOf(good, good.length - 2)));
        assertContains(gzippedData, "the file has 4");
        byte[] gz = gzip(unsignedBytes(new int[] {1000}, new int[1000]));
        assertContains(refusal("cut.gz", Arrays.copyOf(gz, gz.length / 2)), "corrupt or truncated gzip stream");
    }

    @Test
    void refusesTrailingBytes() throws IOException {
        byte[] good = unsignedBytes(new int[] {2}, 1, 2);
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertContains(refusal("trailing", longer), "3 unexpected bytes after the 2 bytes of data");
        assertContains(refusal("trailing.gz", gzip(longer)), "3 unexpected bytes");
    }

    @Test
    void refusesAbsurdDimensionsWithoutTryingToAllocateThem() throws IOException {
        // 65536 × 65536 × 2 unsigned bytes = 8 GiB: more than a Java array holds, from a 16-byte file.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        header(bytes, 0x08, 65536, 65536, 2);
        assertContains(refusal("huge", bytes.toByteArray()), "absurd dimensions [65536, 65536, 2] of UNSIGNED_BYTE");

        // A dimension with the top bit set (4294967295 as IDX's unsigned 32 bits), even with no data at all.
        bytes = new ByteArrayOutputStream();
        header(bytes, 0x08, -1, 0);
        assertContains(refusal("negative", bytes.toByteArray()), "absurd dimensions [4294967295, 0]");
    }

    @Test
    void aCorruptGzipStreamIsRefused() throws IOException {
        byte[] gz = gzip(unsignedBytes(new int[] {500}, new int[500]));
        for (int i = 12; i < gz.length - 8; i++) {
            gz[i] ^= (byte) 0x5A;
        }
        assertContains(refusal("corrupt.gz", gz), "corrupt or truncated gzip stream");
    }
}

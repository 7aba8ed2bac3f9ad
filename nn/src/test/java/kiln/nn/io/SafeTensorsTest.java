package kiln.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.Tensor;

/** The safetensors layout: exact bytes, round trips of every dtype, and every kind of bad file refused with its reason. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void writesTheLayoutByteForByte() throws IOException {
        Path file = dir.resolve("one.safetensors");
        try (Tensor t = Tensor.fromArray(new float[] {1f, -2f}, 2)) {
            SafeTensors.write(file, Map.of("w", t), Map.of("k", "v"));
        }
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertEquals(79, json.length(), "the hand-written header's length");
        assertEquals(80, n, "padded to a multiple of 8");
        assertEquals(json + " ", new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        // 1.0f = 0x3F800000 and -2.0f = 0xC0000000, little-endian
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}, Arrays.copyOfRange(bytes, 88, bytes.length));
    }

    @Test
    void padsTheHeaderWithSpacesToAMultipleOf8() throws IOException {
        Path file = dir.resolve("pad.safetensors");
        try (Tensor t = Tensor.fromArray(new long[] {7}, 1)) {
            SafeTensors.write(file, Map.of("abcd", t), Map.of());
        }
        byte[] bytes = Files.readAllBytes(file);
        String json = "{\"abcd\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        assertEquals(57, json.length(), "the hand-written header's length");
        assertEquals(64, ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(json + "       ", new String(bytes, 8, 64, StandardCharsets.UTF_8));
        assertEquals(8 + 64 + 8, bytes.length);
        assertEquals(7, bytes[72]);
    }

    @Test
    void everyDtypeRoundTripsBitForBitIncludingScalarsEmptyTensorsAndSpecialFloats() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        float nanWithPayload = Float.intBitsToFloat(0x7fc12345);
        tensors.put("f32", Tensor.fromArray(new float[] {0f, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, nanWithPayload}, 7));
        tensors.put("f64", Tensor.fromArray(new double[] {-0.0, Math.PI, Double.MIN_VALUE, Double.longBitsToDouble(0x7ff8000000000abcL)}, 2, 2));
        tensors.put("i32", Tensor.fromArray(new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, 4, 1));
        tensors.put("i64", Tensor.fromArray(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 42}, 3));
        tensors.put("bool", Tensor.fromArray(new boolean[] {true, false, false, true, true, false}, 2, 3));
        tensors.put("scalar.f32", Tensor.scalar(-3.25));
        tensors.put("scalar.i64", Tensor.scalar(9, DType.INT64));
        tensors.put("empty.f32", Tensor.zeros(0));
        tensors.put("empty.i32", Tensor.zeros(DType.INT32, 2, 0, 3));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("kiln.classes", "[\"T-shirt/top\", \"Trouser\"]");
        metadata.put("unicode", "é \uD83D\uDE00 \n\t\"");
        Path file = dir.resolve("all.safetensors");
        try {
            SafeTensors.write(file, tensors, metadata);
            try (SafeTensors.Contents read = SafeTensors.read(file)) {
                assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(read.tensors().keySet()), "names in the written order");
                assertEquals(metadata, read.metadata());
                for (String name : tensors.keySet()) {
                    assertSameTensor(name, tensors.get(name), read.tensors().get(name));
                }
            }
        } finally {
            tensors.values().forEach(Tensor::close);
        }
    }

    @Test
    void aViewIsWrittenRowMajor() throws IOException {
        Path file = dir.resolve("view.safetensors");
        try (Tensor base = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             Tensor transposed = base.t();
             Tensor column = base.narrow(1, 1, 1)) {
            SafeTensors.write(file, Map.of("t", transposed, "c", column), Map.of());
        }
        try (SafeTensors.Contents read = SafeTensors.read(file)) {
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, read.tensors().get("t").toFloatArray());
            assertArrayEquals(new int[] {3, 2}, read.tensors().get("t").dims());
            assertArrayEquals(new float[] {2, 5}, read.tensors().get("c").toFloatArray());
        }
    }

    @Test
    void readsDataInAnyOrderAsTheOffsetsSay() throws IOException {
        // The reference implementation orders the data by dtype size, not by header order: "b" comes first here.
        byte[] data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putFloat(0.5f).array();
        Path file = write("order", "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data);
        try (SafeTensors.Contents read = SafeTensors.read(file)) {
            assertEquals(List.of("a", "b"), new ArrayList<>(read.tensors().keySet()));
            assertEquals(0.5f, read.tensors().get("a").item());
            assertArrayEquals(new long[] {-5}, read.tensors().get("b").toLongArray());
            assertEquals(Map.of(), read.metadata());
        }
    }

    @Test
    void mapsEveryKilnDtypeBothWays() {
        for (DType dtype : DType.values()) {
            assertEquals(dtype, SafeTensors.dtype(SafeTensors.code(dtype)));
        }
        assertEquals("F32", SafeTensors.code(DType.FLOAT32));
        assertEquals("BOOL", SafeTensors.code(DType.BOOL));
        assertEquals(DType.INT64, SafeTensors.dtype("I64"));
    }

    // ---------------------------------------------------------------- refusals

    private static final String ENTRY_A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @ParameterizedTest(name = "[{index}] {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{" + ENTRY_A + "}`                                                               | 4  | out of bounds                      | go beyond the 4 data bytes in the file",
            "`{" + ENTRY_A + "}`                                                               | 12 | trailing bytes                     | 4 trailing bytes after the last tensor",
            "`{" + ENTRY_A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}`  | 12 | overlap                            | tensor 'b' at [4, 12) overlaps tensor 'a' at [0, 8)",
            "`{" + ENTRY_A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}` | 20 | gap                                | data bytes [8, 12) belong to no tensor",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}`                | 8  | shape and offsets disagree         | tensor 'a': shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] hold 8",
            "`{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}`                 | 8  | unknown dtype                      | tensor 'a': unknown dtype \"Q7\"",
            "`{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}`                | 8  | a dtype Kiln lacks                 | tensor 'a': dtype F16 has no Kiln equivalent",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}` | 8 | duplicate names | duplicate key \"a\"",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}`       | 8  | unknown entry member               | tensor 'a': unknown member \"x\"",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}`                                       | 8  | missing offsets                    | tensor 'a': missing \"data_offsets\"",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}`               | 8  | negative dimension                 | must be at least 0, got -2",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}`              | 8  | fractional dimension               | must be an integer, got 2.0",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}`                | 8  | reversed offsets                   | data_offsets end must be at least 8, got 0",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}`                  | 8  | one offset                         | data_offsets must be [begin, end], got [0]",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[3037000500,3037000500,4],\"data_offsets\":[0,8]}}` | 8 | shape beyond int         | must be at most 2147483647",
            "`{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}` | 8 | element count overflow | has too many elements",
            "`{\"__metadata__\":{\"k\":1}," + ENTRY_A + "}`                                   | 8  | metadata value not a string        | __metadata__: \"k\" must be a string, got 1",
            "`{\"__metadata__\":[]," + ENTRY_A + "}`                                          | 8  | metadata not an object             | __metadata__ must be a JSON object",
            "`[1]`                                                                             | 0  | header not an object               | the header must be a JSON object, got [1]",
            "`{\"a\": `                                                                        | 0  | bad JSON                           | invalid header: unexpected end of input, expected a value at line 1",
            "`{\"a\":[]}`                                                                      | 0  | entry not an object                | tensor 'a' must be a JSON object",
    })
    void refusesACorruptHeaderWithItsReason(String header, int dataBytes, String what, String reason) throws IOException {
        Path file = write("bad", header, new byte[dataBytes]);
        assertRefused(file, reason);
    }

    @Test
    void refusesAFileTooShortForTheHeaderLength() throws IOException {
        assertRefused(Files.write(dir.resolve("tiny"), new byte[5]), "5 bytes, shorter than the 8-byte header length");
        assertRefused(Files.write(dir.resolve("empty"), new byte[0]), "0 bytes, shorter than the 8-byte header length");
    }

    @Test
    void refusesAHeaderLengthBeyondTheFile() throws IOException {
        byte[] bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(9).put("{}      ".getBytes(StandardCharsets.US_ASCII)).array();
        assertRefused(Files.write(dir.resolve("long"), bytes), "header length 9 goes beyond the end of the file (16 bytes)");
        bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array();
        assertRefused(Files.write(dir.resolve("huge"), bytes), "header length 18446744073709551615 goes beyond the end of the file");
    }

    @Test
    void refusesAHeaderThatIsNotUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xff, '"', ':', '1', '}', ' '};
        byte[] bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put(header).array();
        assertRefused(Files.write(dir.resolve("latin"), bytes), "invalid header: not UTF-8 text");
    }

    @Test
    void refusesABooleanByteOtherThan0Or1() throws IOException {
        Path file = write("bool", "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", new byte[] {1, 0, 7});
        assertRefused(file, "tensor 'm' (BOOL) holds the byte 7 at element 2; a BOOL element must be 0 or 1");
    }

    @Test
    void refusesAFileCutAnywhere() throws IOException {
        Path whole = dir.resolve("whole.safetensors");
        try (Tensor a = Tensor.randn(new Generator(1), 3, 4); Tensor b = Tensor.fromArray(new long[] {1, 2}, 2)) {
            SafeTensors.write(whole, Map.of("a", a, "b", b), Map.of("k", "v"));
        }
        byte[] bytes = Files.readAllBytes(whole);
        int headerEnd = 8 + (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        for (int cut : new int[] {0, 1, 7, 8, 9, headerEnd / 2, headerEnd - 1, headerEnd, headerEnd + 1, headerEnd + 48, bytes.length - 1}) {
            Path truncated = Files.write(dir.resolve("cut" + cut), Arrays.copyOf(bytes, cut));
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> SafeTensors.read(truncated), "cut at " + cut);
            String reason = e.reason();
            assertTrue(reason.contains("shorter than the 8-byte header length") || reason.contains("goes beyond the end of the file")
                    || reason.contains("go beyond the") && reason.contains("(truncated?)"), "cut at " + cut + ": " + reason);
        }
    }

    @Test
    void randomDamageToTheHeaderIsRefusedOrReadButNeverACrash() throws IOException {
        Path whole = dir.resolve("whole.safetensors");
        try (Tensor a = Tensor.randn(new Generator(1), 2, 3); Tensor b = Tensor.fromArray(new boolean[] {true, false}, 2)) {
            SafeTensors.write(whole, Map.of("a", a, "b", b), Map.of("k", "v"));
        }
        byte[] bytes = Files.readAllBytes(whole);
        int headerEnd = 8 + (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Generator rng = new Generator(7);
        Path damaged = dir.resolve("damaged");
        for (int trial = 0; trial < 300; trial++) {
            byte[] copy = bytes.clone();
            int at = (int) rng.nextLong(headerEnd);
            copy[at] = (byte) rng.nextLong(256);
            Files.write(damaged, copy);
            try (SafeTensors.Contents read = SafeTensors.read(damaged)) {
                assertEquals(2, read.tensors().size(), "a damage that still reads must still be a valid file");
            } catch (InvalidFileException refused) {
                assertFalse(refused.reason().isBlank());
            } catch (RuntimeException crash) {
                fail("byte " + at + " set to " + (copy[at] & 0xff) + ": " + crash, crash);
            }
        }
    }

    // ---------------------------------------------------------------- atomic writing

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        try (Tensor old = Tensor.fromArray(new float[] {1, 2, 3}, 3)) {
            SafeTensors.write(file, Map.of("w", old), Map.of("version", "old"));
        }
        byte[] before = Files.readAllBytes(file);
        Tensor good = Tensor.ones(1000);
        Tensor closed = Tensor.ones(4);
        closed.close();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("good", good);
        tensors.put("closed", closed);
        // The closed tensor is found only when its bytes are copied, after the header and "good" are in the temporary file.
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(file, tensors, Map.of("version", "new")));
        good.close();
        assertArrayEquals(before, Files.readAllBytes(file), "the old file is intact");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "the temporary file is removed");
        }
    }

    @Test
    void aMissingFolderIsAnIoErrorAndCreatesNothing() {
        Path file = dir.resolve("no-such-folder").resolve("m.safetensors");
        try (Tensor t = Tensor.ones(2)) {
            assertThrows(IOException.class, () -> SafeTensors.write(file, Map.of("t", t), Map.of()));
        }
        assertFalse(Files.exists(file.getParent()));
    }

    @Test
    void refusesBadNamesBeforeWritingAnything() {
        Path file = dir.resolve("names.safetensors");
        try (Tensor t = Tensor.ones(2)) {
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("", t), Map.of()));
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of(SafeTensors.METADATA_KEY, t), Map.of()));
        }
        assertFalse(Files.exists(file));
    }

    // ---------------------------------------------------------------- helpers

    /** A file of the given header text (padded with spaces to a multiple of 8) and data. */
    private Path write(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = Math.ceilDiv(json.length, 8) * 8;
        ByteBuffer bytes = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            bytes.put((byte) ' ');
        }
        bytes.put(data);
        return Files.write(dir.resolve(name), bytes.array());
    }

    private static void assertRefused(Path file, String reasonFragment) {
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> SafeTensors.read(file));
        assertTrue(e.reason().contains(reasonFragment), "reason '" + e.reason() + "' should contain '" + reasonFragment + "'");
        assertTrue(e.getMessage().startsWith(file.toString()), "the message names the file: " + e.getMessage());
    }

    /** Same dtype, shape and raw bits (so NaN payloads and -0.0 count). */
    private static void assertSameTensor(String name, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), name);
        assertArrayEquals(expected.dims(), actual.dims(), name);
        switch (expected.dtype()) {
            case FLOAT32 -> assertArrayEquals(bits(expected.toFloatArray()), bits(actual.toFloatArray()), name);
            case FLOAT64 -> assertArrayEquals(Arrays.stream(expected.toDoubleArray()).mapToLong(Double::doubleToRawLongBits).toArray(),
                    Arrays.stream(actual.toDoubleArray()).mapToLong(Double::doubleToRawLongBits).toArray(), name);
            case INT32 -> assertArrayEquals(expected.toIntArray(), actual.toIntArray(), name);
            case INT64 -> assertArrayEquals(expected.toLongArray(), actual.toLongArray(), name);
            case BOOL -> assertArrayEquals(expected.toBooleanArray(), actual.toBooleanArray(), name);
        }
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}

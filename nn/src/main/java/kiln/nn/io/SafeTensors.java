package kiln.nn.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Device;
import kiln.engine.Tensor;

/**
 * Reads and writes tensors in the safetensors layout, which PyTorch, NumPy and many other tools
 * read:
 *
 * <pre>
 *  bytes 0..7      N, the header's length: an unsigned 64-bit little-endian integer
 *  bytes 8..8+N    the header: UTF-8 JSON, padded with spaces so that N is a multiple of 8
 *                  { "__metadata__": {"key": "value", ...},                 (optional, strings only)
 *                    "&lt;name&gt;": {"dtype": "F32", "shape": [6, 1, 5, 5], "data_offsets": [begin, end]}, ... }
 *  bytes 8+N..     the data: each tensor's elements row-major and little-endian at [begin, end)
 *                  counted from the start of the data; the tensors cover the data exactly
 * </pre>
 *
 * Kiln's dtypes map to the codes F32, F64, I32, I64 and BOOL (one byte, 0 or 1). Other safetensors
 * codes (F16, BF16, U8, ...) are recognised and refused with that reason.
 *
 * <p>Writing is atomic (see {@link AtomicFiles}): a reader never sees half a file, and a failed write
 * leaves the previous file as it was. Reading validates everything before it allocates: the header
 * length, the JSON, each dtype, shape and offset range, that the ranges neither overlap nor leave
 * gaps nor run past the file, that nothing trails them, and that booleans are 0 or 1. Each refusal
 * is an {@link InvalidFileException} with the reason. The file names only data: nothing it says is
 * looked up as a class or executed.
 */
public final class SafeTensors {
    /** The key of the string-to-string metadata in the header. */
    public static final String METADATA_KEY = "__metadata__";

    /** The largest header read, as the reference implementation's limit: a larger one is refused rather than allocated. */
    public static final long MAX_HEADER_BYTES = 100_000_000;

    private static final Map<DType, String> CODES = Map.of(
            DType.FLOAT32, "F32", DType.FLOAT64, "F64", DType.INT32, "I32", DType.INT64, "I64", DType.BOOL, "BOOL");

    /** Codes the format defines but Kiln has no dtype for: named in the refusal rather than called unknown. */
    private static final Set<String> FOREIGN_CODES = Set.of("F16", "BF16", "F8_E4M3", "F8_E5M2", "I8", "I16", "U8", "U16", "U32", "U64");

    private static final List<String> ENTRY_KEYS = List.of("dtype", "shape", "data_offsets");

    /** Bytes moved per read or write call: bounds the heap buffer whatever the tensor's size. */
    private static final int CHUNK_BYTES = 1 << 20;

    /** One tensor's header entry, validated. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    /**
     * What a file holds: the tensors by name in the header's order, and the metadata. The tensors are
     * new and belong to the caller; {@link #close()} releases them all.
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) implements AutoCloseable {
        @Override
        public void close() {
            tensors.values().forEach(Tensor::close);
        }
    }

    private SafeTensors() {}

    /** The safetensors code of a Kiln dtype ("F32", "F64", "I32", "I64", "BOOL"). */
    public static String code(DType dtype) {
        String code = dtype == null ? null : CODES.get(dtype);
        if (code == null) {
            throw new IllegalArgumentException("SafeTensors: no safetensors code for dtype " + dtype);
        }
        return code;
    }

    /** The Kiln dtype of a safetensors code; refuses codes Kiln has no dtype for, and unknown ones, with that reason. */
    public static DType dtype(String code) {
        for (Map.Entry<DType, String> known : CODES.entrySet()) {
            if (known.getValue().equals(code)) {
                return known.getKey();
            }
        }
        if (FOREIGN_CODES.contains(code)) {
            throw new IllegalArgumentException("dtype " + code + " has no Kiln equivalent (Kiln reads F32, F64, I32, I64 and BOOL)");
        }
        throw new IllegalArgumentException("unknown dtype \"" + code + "\"");
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code tensors} (in map order, any layout: views are written row-major) and
     * {@code metadata} to {@code file}, atomically; the folder must exist. Names must be non-empty
     * and not {@value #METADATA_KEY}.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        if (file == null || tensors == null || metadata == null) {
            throw new IllegalArgumentException("SafeTensors.write: file, tensors and metadata must not be null");
        }
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            metadata.forEach((key, value) -> {
                if (key == null || value == null) {
                    throw new IllegalArgumentException("SafeTensors.write: metadata keys and values must not be null, got "
                            + key + " = " + value);
                }
            });
            header.put(METADATA_KEY, metadata);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> named : tensors.entrySet()) {
            String name = named.getKey();
            Tensor tensor = named.getValue();
            if (name == null || name.isEmpty() || name.equals(METADATA_KEY) || tensor == null) {
                throw new IllegalArgumentException("SafeTensors.write: bad entry '" + name + "' -> " + tensor
                        + " (names must be non-empty and not " + METADATA_KEY + ", tensors not null)");
            }
            long bytes = tensor.numel() * tensor.dtype().byteSize();
            Map<String, Object> entry = new LinkedHashMap<>();      // a fixed key order: the same tensors give the same bytes
            entry.put("dtype", code(tensor.dtype()));
            entry.put("shape", Arrays.stream(tensor.dims()).boxed().toList());
            entry.put("data_offsets", List.of(offset, offset + bytes));
            header.put(name, entry);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        // The reference implementation pads with spaces to a multiple of 8, so that the data starts aligned.
        int padded = Math.ceilDiv(json.length, 8) * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        AtomicFiles.write(file, channel -> {
            writeFully(channel, prefix.flip());
            for (Tensor tensor : tensors.values()) {
                writeData(channel, tensor);
            }
        });
    }

    /** The tensor's elements, row-major and little-endian, a chunk at a time. */
    private static void writeData(FileChannel channel, Tensor tensor) throws IOException {
        ValueLayout memory = layout(tensor.dtype(), ByteOrder.nativeOrder());
        ValueLayout file = layout(tensor.dtype(), ByteOrder.LITTLE_ENDIAN);
        int size = tensor.dtype().byteSize();
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, Math.max(size, tensor.numel() * size))];
        try (Autograd.NoGrad off = Autograd.noGrad(); Tensor onHost = tensor.to(Device.CPU);     // a GPU tensor is copied down
             Tensor dense = onHost.contiguous()) {
            MemorySegment source = dense.segment();
            long start = dense.offset() * size;
            long count = dense.numel();
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(count - done, chunk.length / size);
                MemorySegment.copy(source, memory, start + done * size, MemorySegment.ofArray(chunk), file, 0, n);
                writeFully(channel, ByteBuffer.wrap(chunk, 0, n * size));
                done += n;
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads every tensor and the metadata of {@code file}, refusing an invalid file with the reason. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new InvalidFileException(file, "not a safetensors file: " + size + " bytes, shorter than the 8-byte header length");
            }
            long headerLength = readFully(file, channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            // Compared unsigned: a length with the top bit set is huge, not negative.
            if (Long.compareUnsigned(headerLength, size - 8) > 0) {
                throw new InvalidFileException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " goes beyond the end of the file (" + size + " bytes): truncated or not a safetensors file");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new InvalidFileException(file, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            String json = utf8(file, readFully(file, channel, 8, (int) headerLength));
            long dataStart = 8 + headerLength;
            Map<String, String> metadata;
            List<Entry> entries;
            try {
                JsonObject header = JsonObject.of(Json.parse(json), "the header");
                metadata = metadata(header);
                entries = entries(header, size - dataStart);
            } catch (IllegalArgumentException invalid) {
                throw new InvalidFileException(file, "invalid header: " + invalid.getMessage());
            }
            return new Contents(readTensors(file, channel, dataStart, entries), metadata);
        }
    }

    private static String utf8(Path file, ByteBuffer bytes) throws InvalidFileException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException notUtf8) {
            throw new InvalidFileException(file, "invalid header: not UTF-8 text (" + notUtf8.getMessage() + ")");
        }
    }

    private static Map<String, String> metadata(JsonObject header) {
        if (!header.members().containsKey(METADATA_KEY)) {
            return Map.of();
        }
        JsonObject object = JsonObject.of(header.get(METADATA_KEY), METADATA_KEY);
        Map<String, String> metadata = new LinkedHashMap<>();
        object.members().keySet().forEach(key -> metadata.put((String) key, object.string((String) key)));
        return Collections.unmodifiableMap(metadata);
    }

    /** Every tensor entry, validated alone and then together: the ranges must tile the data exactly. */
    private static List<Entry> entries(JsonObject header, long dataBytes) {
        List<Entry> entries = new ArrayList<>();
        for (Object key : header.members().keySet()) {
            if (!key.equals(METADATA_KEY)) {
                entries.add(entry((String) key, JsonObject.of(header.get((String) key), "tensor '" + key + "'"), dataBytes));
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry entry : byOffset) {
            if (entry.begin() > covered) {
                throw new IllegalArgumentException("data bytes [" + covered + ", " + entry.begin() + ") belong to no tensor (a gap before tensor '"
                        + entry.name() + "')");
            }
            if (entry.begin() < covered) {
                throw new IllegalArgumentException("tensor '" + entry.name() + "' at [" + entry.begin() + ", " + entry.end()
                        + ") overlaps tensor '" + previous.name() + "' at [" + previous.begin() + ", " + previous.end() + ")");
            }
            covered = entry.end();
            previous = entry;
        }
        if (covered != dataBytes) {
            throw new IllegalArgumentException((dataBytes - covered) + " trailing bytes after the last tensor (the tensors cover "
                    + covered + " of " + dataBytes + " data bytes)");
        }
        return entries;
    }

    private static Entry entry(String name, JsonObject object, long dataBytes) {
        object.allowOnly(ENTRY_KEYS);
        String where = object.where();
        DType dtype;
        try {
            dtype = dtype(object.string("dtype"));
        } catch (IllegalArgumentException unsupported) {
            throw new IllegalArgumentException(where + ": " + unsupported.getMessage(), unsupported);
        }
        int[] shape = object.integers("shape", 0);
        long numel = Arrays.stream(shape).anyMatch(d -> d == 0) ? 0 : 1;
        for (int d : shape) {
            if (numel > Long.MAX_VALUE / 8 / Math.max(d, 1)) {      // keeps numel · byteSize exact
                throw new IllegalArgumentException(where + ": shape " + Arrays.toString(shape) + " has too many elements");
            }
            numel *= d;
        }
        List<?> offsets = object.list("data_offsets");
        if (offsets.size() != 2) {
            throw new IllegalArgumentException(where + ": data_offsets must be [begin, end], got " + JsonObject.describe(offsets));
        }
        long begin = JsonObject.toLong(offsets.get(0), 0, where + ": data_offsets begin");
        long end = JsonObject.toLong(offsets.get(1), begin, where + ": data_offsets end");
        long expected = numel * dtype.byteSize();
        if (end - begin != expected) {
            throw new IllegalArgumentException(where + ": shape " + Arrays.toString(shape) + " of " + code(dtype) + " needs " + expected
                    + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        if (end > dataBytes) {
            throw new IllegalArgumentException(where + ": data_offsets [" + begin + ", " + end + "] go beyond the " + dataBytes
                    + " data bytes in the file (truncated?)");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** Allocates and fills every tensor; on failure releases those already made. */
    private static Map<String, Tensor> readTensors(Path file, FileChannel channel, long dataStart, List<Entry> entries) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try {
            for (Entry entry : entries) {
                Tensor tensor = Tensor.zeros(entry.dtype(), entry.shape());
                tensors.put(entry.name(), tensor);
                readData(file, channel, dataStart + entry.begin(), entry, tensor);
            }
        } catch (IOException | RuntimeException failure) {
            tensors.values().forEach(Tensor::close);
            throw failure;
        }
        return Collections.unmodifiableMap(tensors);
    }

    private static void readData(Path file, FileChannel channel, long position, Entry entry, Tensor tensor) throws IOException {
        int size = entry.dtype().byteSize();
        ValueLayout memory = layout(entry.dtype(), ByteOrder.nativeOrder());
        ValueLayout fileLayout = layout(entry.dtype(), ByteOrder.LITTLE_ENDIAN);
        MemorySegment target = tensor.segment();
        long count = tensor.numel();
        int perChunk = CHUNK_BYTES / size;
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(count - done, perChunk);
            ByteBuffer chunk = readFully(file, channel, position + done * size, n * size);
            if (entry.dtype() == DType.BOOL) {
                checkBooleans(file, entry, chunk, done);
            }
            MemorySegment.copy(MemorySegment.ofBuffer(chunk), fileLayout, 0, target, memory, done * size, n);
            done += n;
        }
    }

    private static void checkBooleans(Path file, Entry entry, ByteBuffer chunk, long firstElement) throws InvalidFileException {
        for (int i = 0; i < chunk.limit(); i++) {
            byte b = chunk.get(i);
            if (b != 0 && b != 1) {
                throw new InvalidFileException(file, "tensor '" + entry.name() + "' (BOOL) holds the byte " + (b & 0xff)
                        + " at element " + (firstElement + i) + "; a BOOL element must be 0 or 1");
            }
        }
    }

    /** Exactly {@code length} bytes at {@code position}, or a refusal if the file ends first. */
    private static ByteBuffer readFully(Path file, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new InvalidFileException(file, "the file ended at byte " + (position + buffer.position())
                        + " while reading " + length + " bytes at " + position + " (was it truncated while being read?)");
            }
        }
        return buffer.flip();
    }

    /** One element of {@code dtype} in the given byte order, at any alignment (file buffers are not aligned). */
    private static ValueLayout layout(DType dtype, ByteOrder order) {
        ValueLayout layout = switch (dtype) {
            case FLOAT32 -> ValueLayout.JAVA_FLOAT_UNALIGNED;
            case FLOAT64 -> ValueLayout.JAVA_DOUBLE_UNALIGNED;
            case INT32 -> ValueLayout.JAVA_INT_UNALIGNED;
            case INT64 -> ValueLayout.JAVA_LONG_UNALIGNED;
            case BOOL -> ValueLayout.JAVA_BYTE;
        };
        return layout.withOrder(order);
    }
}

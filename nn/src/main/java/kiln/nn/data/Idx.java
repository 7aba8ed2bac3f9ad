package kiln.nn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzipped.
 *
 * <p>An IDX file is a 4-byte magic number, the dimensions, then the data:
 * <pre>
 *   0x00 0x00 TYPE NDIM          TYPE: 0x08 unsigned byte, 0x09 signed byte, 0x0B short,
 *                                      0x0C int, 0x0D float, 0x0E double
 *   NDIM × 4-byte big-endian dimension sizes
 *   the elements, row-major, each big-endian
 * </pre>
 * A gzipped file is recognized by its first two bytes (0x1f 0x8b), whatever its name. Anything that
 * does not fit is refused with an {@link IOException} that names the file and the problem: a bad magic
 * number, an unknown type, absurd dimensions, data shorter than the dimensions need, or bytes after it.
 */
public final class Idx {
    /** Java arrays hold at most about 2³¹ bytes; a header asking for more is not a file we can hold. */
    private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private Idx() {}

    public static IdxArray read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads {@code file}; if {@code contentDigest} is not null it is updated with every byte of the IDX
     * content (after decompression), so that callers can check a checksum in the same pass.
     */
    public static IdxArray read(Path file, MessageDigest contentDigest) throws IOException {
        try (InputStream buffered = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            InputStream in = isGzip(buffered) ? new GZIPInputStream(buffered, 1 << 16) : buffered;
            if (contentDigest != null) {
                in = new DigestInputStream(in, contentDigest);
            }
            return parse(in, file);
        } catch (ZipException | EOFException e) {
            throw new IOException(file + ": corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
        }
    }

    /** Whether the stream starts with gzip's magic bytes; leaves the stream where it was. */
    private static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return gzip;
    }

    private static IdxArray parse(InputStream in, Path file) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw refuse(file, "only " + magic.length + " bytes, too short for the 4-byte IDX magic number");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw refuse(file, String.format("not an IDX file: the magic number starts 0x%02x 0x%02x, not 0x00 0x00",
                    magic[0], magic[1]));
        }
        IdxArray.Type type = IdxArray.Type.ofCode(magic[2] & 0xFF);
        if (type == null) {
            throw refuse(file, String.format("unknown IDX data type 0x%02x (known: 0x08 unsigned byte, 0x09 signed"
                    + " byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double)", magic[2]));
        }
        int rank = magic[3] & 0xFF;
        if (rank == 0) {
            throw refuse(file, "the header declares 0 dimensions");
        }

        byte[] header = in.readNBytes(4 * rank);
        if (header.length < 4 * rank) {
            throw refuse(file, "truncated: the header declares " + rank + " dimensions (" + 4 * rank
                    + " bytes) but ends after " + header.length);
        }
        long[] sizes = new long[rank];
        long largest = 0;
        long bytes = type.size();   // capped at 2³¹ (< 2³¹ × 2³² < 2⁶³: no product overflows)
        for (int d = 0; d < rank; d++) {
            sizes[d] = readBigEndianUnsignedInt(header, 4 * d);
            largest = Math.max(largest, sizes[d]);
            bytes = Math.min(bytes * sizes[d], MAX_DATA_BYTES + 1);
        }
        if (bytes > MAX_DATA_BYTES || largest > Integer.MAX_VALUE) {
            throw refuse(file, "absurd dimensions " + Arrays.toString(sizes) + " of " + type + ": more than the "
                    + MAX_DATA_BYTES + " bytes a Java array holds");
        }
        int[] dims = Arrays.stream(sizes).mapToInt(Math::toIntExact).toArray();

        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw refuse(file, "truncated: dimensions " + Arrays.toString(dims) + " of " + type + " need " + bytes
                    + " bytes of data, the file has " + data.length);
        }
        long trailing = in.transferTo(OutputStream.nullOutputStream());
        if (trailing > 0) {
            throw refuse(file, trailing + " unexpected bytes after the " + bytes + " bytes of data that dimensions "
                    + Arrays.toString(dims) + " describe");
        }
        return new IdxArray(type, dims, data);
    }

    private static long readBigEndianUnsignedInt(byte[] bytes, int at) {
        return ((bytes[at] & 0xFFL) << 24) | ((bytes[at + 1] & 0xFFL) << 16) | ((bytes[at + 2] & 0xFFL) << 8)
                | (bytes[at + 3] & 0xFFL);
    }

    private static IOException refuse(Path file, String reason) {
        return new IOException(file + ": " + reason);
    }
}

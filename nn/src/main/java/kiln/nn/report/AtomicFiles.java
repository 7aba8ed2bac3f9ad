package kiln.nn.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a whole file so that readers see either the old content or the new, never a half-written file:
 * the bytes go to a temporary file in the same folder, are forced to disk, and the temporary file is then
 * renamed over the target. A crash or a full disk leaves the previous file as it was.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Replaces {@code target} with {@code bytes}, creating missing parent folders.
     *
     * @throws IOException naming the target when any step fails; the temporary file is removed then
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        Files.createDirectories(folder);
        // The temporary file lives beside the target: a rename is only atomic within one file system. It is
        // created like any new file (not with createTempFile's owner-only permissions), so the result is too.
        Path temporary = folder.resolve("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            move(temporary, absolute);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            if (e instanceof IOException io) {
                throw new IOException("AtomicFiles.write: cannot write " + absolute + ": " + io.getMessage(), io);
            }
            throw e;
        }
    }

    private static void move(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // Some file systems (certain network mounts) cannot rename atomically; a plain replace is the best left.
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

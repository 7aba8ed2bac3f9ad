package kiln.nn.io;

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
 * renamed over the target. A crash or a full disk leaves the previous file as it was. Checkpoints, plots,
 * reports and metrics files all go through here.
 */
public final class AtomicFiles {
    /** What fills the file, written to the temporary file's channel. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicFiles() {}

    /** Replaces {@code target} with {@code bytes}, creating missing parent folders (a run folder's plots and tables). */
    public static void write(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        write(target, channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    /**
     * Replaces {@code target} with what {@code content} writes. The folder must exist: a checkpoint aimed at
     * a mistyped folder is an error, not a new tree of folders.
     *
     * @throws IOException naming the target when any step fails; the temporary file is removed then, and
     *                     an exception thrown by {@code content} itself passes through unchanged
     */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        // The temporary file lives beside the target: a rename is only atomic within one file system. It is
        // created like any new file (not with createTempFile's owner-only permissions), so the result is too.
        Path temporary = folder.resolve("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            move(temporary, absolute);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof IOException io) {
                throw new IOException("AtomicFiles.write: cannot write " + absolute + ": " + io.getMessage(), io);
            }
            throw e;
        }
        forceFolder(folder);
    }

    private static void move(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // Some file systems (certain network mounts) cannot rename atomically; a plain replace is the best left.
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Forces the folder's entry list to the disk, so that the rename survives a power cut. Best effort:
     * some systems cannot open a folder as a channel, and the rename is atomic without this.
     */
    private static void forceFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notSupportedHere) {
            // the file is complete and in place; only its durability across a crash is less certain
        }
    }
}

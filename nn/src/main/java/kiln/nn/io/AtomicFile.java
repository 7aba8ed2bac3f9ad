package kiln.nn.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a part:
 * the bytes go to a temporary file in the same folder, are forced to the disk, and the temporary file
 * is then renamed over the target in one atomic step. If anything fails before the rename, the
 * temporary file is removed and the target is untouched.
 */
final class AtomicFile {
    /** What fills the file. */
    interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicFile() {}

    static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        // Same folder, hence same file system: a rename there is atomic, a move across devices is not.
        Path temporary = Files.createTempFile(folder, "." + absolute.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            makeReadableByAll(temporary);
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error failure) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
        forceFolder(folder);
    }

    /** createTempFile makes the file private (rw-------); a saved model is an ordinary file (rw-r--r--). */
    private static void makeReadableByAll(Path file) throws IOException {
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
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

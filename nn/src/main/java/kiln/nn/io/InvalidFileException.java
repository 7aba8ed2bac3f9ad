package kiln.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that cannot be used as asked: truncated, corrupt, of an unknown version, or holding tensors
 * that do not fit the model. The message names the file and the reason; a command line reports it
 * as bad input rather than as a crash.
 */
public final class InvalidFileException extends IOException {
    private final transient Path file;
    private final String reason;

    public InvalidFileException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
        this.reason = reason;
    }

    /** The file refused. */
    public Path file() { return file; }

    /** Why it was refused, without the file name. */
    public String reason() { return reason; }
}

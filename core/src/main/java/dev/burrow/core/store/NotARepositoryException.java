package dev.burrow.core.store;

import java.io.IOException;
import java.nio.file.Path;

/** The directory does not exist or is not a git repository Burrow can use. */
public final class NotARepositoryException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path directory;

    public NotARepositoryException(Path directory, String reason) {
        super(directory + ": " + reason);
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}

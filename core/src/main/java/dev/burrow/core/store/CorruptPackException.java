package dev.burrow.core.store;

import java.io.IOException;
import java.nio.file.Path;

/** A pack or idx file is damaged or not in a format Burrow understands. */
public final class CorruptPackException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptPackException(Path file, String reason) {
        super(file + ": " + reason);
    }
}

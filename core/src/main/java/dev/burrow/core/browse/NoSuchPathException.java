package dev.burrow.core.browse;

import java.io.IOException;

/**
 * A VFS path does not name anything, or names something that cannot be used as asked (a file where a
 * directory is needed). The message names the path and, where it helps, what does exist there.
 */
public final class NoSuchPathException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String path;

    public NoSuchPathException(String path, String message) {
        super(message);
        this.path = path;
    }

    /** The path as the caller gave it. */
    public String path() {
        return path;
    }
}

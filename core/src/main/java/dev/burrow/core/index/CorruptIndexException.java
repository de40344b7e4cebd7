package dev.burrow.core.index;

import java.io.IOException;
import java.nio.file.Path;

/** A filesystem index or journal file that is damaged or was not written by this version of Burrow. */
final class CorruptIndexException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptIndexException(Path file, String problem) {
        super(file + ": " + problem);
    }
}

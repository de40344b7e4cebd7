package dev.burrow.core.meta;

import java.io.IOException;

/** A metadata entry (a {@code .bupm} or {@code bupindex.meta} record) is truncated or malformed. */
public final class CorruptMetadataException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptMetadataException(String message) {
        super(message);
    }

    public CorruptMetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}

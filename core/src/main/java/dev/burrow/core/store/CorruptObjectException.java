package dev.burrow.core.store;

import java.io.IOException;

/** An object exists but its content is not what its type promises (bad tree entry, wrong type, bad commit). */
public final class CorruptObjectException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient ObjectId id;

    public CorruptObjectException(ObjectId id, String reason) {
        super((id == null ? "object" : "object " + id.name()) + ": " + reason);
        this.id = id;
    }

    public CorruptObjectException(ObjectId id, String reason, Throwable cause) {
        this(id, reason);
        initCause(cause);
    }

    /** The object, or null when the bytes were parsed without an id. */
    public ObjectId id() {
        return id;
    }
}

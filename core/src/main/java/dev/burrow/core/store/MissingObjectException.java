package dev.burrow.core.store;

import java.io.IOException;

/** An object the caller asked for is not in the repository. */
public final class MissingObjectException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient ObjectId id;

    public MissingObjectException(ObjectId id, String what) {
        super("missing " + what + " " + id.name());
        this.id = id;
    }

    /** The id that was not found. */
    public ObjectId id() {
        return id;
    }
}

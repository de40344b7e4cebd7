package dev.burrow.core.store;

import java.io.IOException;

/** A ref could not be moved: it changed under us or another writer holds its lock. */
public final class RefUpdateRejectedException extends IOException {
    private static final long serialVersionUID = 1L;

    public RefUpdateRejectedException(String ref, String reason) {
        super(ref + " " + reason);
    }
}

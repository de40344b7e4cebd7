package dev.burrow.core.tunnel.ssh;

import java.io.IOException;

/** A dial found no SSH session within its wait, or the tunnel was closed. */
public final class TunnelDownException extends IOException {
    private static final long serialVersionUID = 1L;

    public TunnelDownException(String message) {
        super(message);
    }
}

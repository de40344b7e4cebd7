package dev.burrow.core.tunnel.capture;

import java.io.IOException;

/**
 * Transparent capture could not start or stop. The message is one line for the user: what failed and what to
 * do about it.
 */
public class CaptureException extends IOException {
    private static final long serialVersionUID = 1L;

    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}

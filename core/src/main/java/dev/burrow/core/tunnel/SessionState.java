package dev.burrow.core.tunnel;

/** Where the tunnel's transport session is in its life. */
public enum SessionState {
    /** The first connection attempt is running. */
    CONNECTING,
    /** A session is authenticated; dials go through at once. */
    UP,
    /** The session was lost; the supervisor is reconnecting and dials wait for it (bounded). */
    RECONNECTING,
    /** The tunnel was closed; dials fail. */
    CLOSED
}

package dev.burrow.core.tunnel.ssh;

import java.io.IOException;

/** The server accepted none of the identities offered (agent keys, key files). */
public final class SshAuthenticationException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String user;
    private final String host;
    private final int port;

    public SshAuthenticationException(String user, String host, int port, String tried, Throwable cause) {
        super("authentication as " + user + " on " + host + ":" + port + " failed (tried " + tried + ")", cause);
        this.user = user;
        this.host = host;
        this.port = port;
    }

    public String user() {
        return user;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }
}

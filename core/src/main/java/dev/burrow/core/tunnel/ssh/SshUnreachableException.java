package dev.burrow.core.tunnel.ssh;

import java.io.IOException;

/** No SSH session could be set up with the server: the TCP connection or the SSH handshake failed. */
public final class SshUnreachableException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;

    public SshUnreachableException(String host, int port, String reason, Throwable cause) {
        super("cannot reach " + host + ":" + port + ": " + reason, cause);
        this.host = host;
        this.port = port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }
}

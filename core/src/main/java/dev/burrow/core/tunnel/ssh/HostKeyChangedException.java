package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The server presented a key that differs from the one recorded in known_hosts: possibly a man in the middle. Never
 * accepted automatically.
 */
public final class HostKeyChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;
    private final String fingerprint;
    private final transient Path knownHosts;

    public HostKeyChangedException(String host, int port, String keyType, String fingerprint, Path knownHosts) {
        super("host key of " + host + ":" + port + " has changed (now " + keyType + " " + fingerprint
                + "); refusing to connect");
        this.host = host;
        this.port = port;
        this.fingerprint = fingerprint;
        this.knownHosts = knownHosts;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String fingerprint() {
        return fingerprint;
    }

    public Path knownHosts() {
        return knownHosts;
    }
}

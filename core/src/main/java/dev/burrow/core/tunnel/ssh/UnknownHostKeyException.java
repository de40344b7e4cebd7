package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.nio.file.Path;

/** The server's host key is not in known_hosts, and the policy does not allow adding it. */
public final class UnknownHostKeyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;
    private final String keyType;
    private final String fingerprint;
    private final transient Path knownHosts;

    public UnknownHostKeyException(String host, int port, String keyType, String fingerprint, Path knownHosts) {
        super("host key of " + host + ":" + port + " is not known (" + keyType + " " + fingerprint + ")");
        this.host = host;
        this.port = port;
        this.keyType = keyType;
        this.fingerprint = fingerprint;
        this.knownHosts = knownHosts;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String keyType() {
        return keyType;
    }

    /** OpenSSH's form, {@code SHA256:...}. */
    public String fingerprint() {
        return fingerprint;
    }

    public Path knownHosts() {
        return knownHosts;
    }
}

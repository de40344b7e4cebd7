package dev.burrow.core.tunnel.ssh;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The server's host key was refused after checking it against known_hosts: either it is not there
 * ({@link UnknownHostKeyException}) or a different key is ({@link HostKeyChangedException}). Names the host, the key
 * the server presented, and the known_hosts file that was checked.
 */
public abstract sealed class HostKeyException extends IOException
        permits HostKeyChangedException, UnknownHostKeyException {
    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;
    private final String keyType;
    private final String fingerprint;
    private final transient Path knownHosts;

    HostKeyException(String message, String host, int port, String keyType, String fingerprint, Path knownHosts) {
        super(message);
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

    /** The type of the key the server presented, e.g. {@code ssh-ed25519}. */
    public String keyType() {
        return keyType;
    }

    /** The fingerprint of the key the server presented, in OpenSSH's form {@code SHA256:...}. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The known_hosts file that was checked; null after deserialization. */
    public Path knownHosts() {
        return knownHosts;
    }
}

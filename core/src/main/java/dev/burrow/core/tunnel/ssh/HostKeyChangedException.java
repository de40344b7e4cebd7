package dev.burrow.core.tunnel.ssh;

import java.nio.file.Path;

/**
 * The server presented a key that differs from the one recorded in known_hosts: possibly a man in the middle. Never
 * accepted automatically.
 */
public final class HostKeyChangedException extends HostKeyException {
    private static final long serialVersionUID = 1L;

    public HostKeyChangedException(String host, int port, String keyType, String fingerprint, Path knownHosts) {
        super("host key of " + host + ":" + port + " has changed (now " + keyType + " " + fingerprint
                + "); refusing to connect", host, port, keyType, fingerprint, knownHosts);
    }
}

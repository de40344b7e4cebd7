package dev.burrow.core.tunnel.ssh;

import java.nio.file.Path;

/** The server's host key is not in known_hosts, and the policy does not allow adding it. */
public final class UnknownHostKeyException extends HostKeyException {
    private static final long serialVersionUID = 1L;

    public UnknownHostKeyException(String host, int port, String keyType, String fingerprint, Path knownHosts) {
        super("host key of " + host + ":" + port + " is not known (" + keyType + " " + fingerprint + ")", host, port,
                keyType, fingerprint, knownHosts);
    }
}

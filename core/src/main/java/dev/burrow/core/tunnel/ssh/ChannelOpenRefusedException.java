package dev.burrow.core.tunnel.ssh;

import java.io.IOException;

/**
 * The SSH server refused a {@code direct-tcpip} channel to {@code host:port}, with one of RFC 4254's reason codes
 * and its own text.
 */
public final class ChannelOpenRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** RFC 4254 §5.1 {@code SSH_OPEN_ADMINISTRATIVELY_PROHIBITED}. */
    public static final int ADMINISTRATIVELY_PROHIBITED = 1;
    /** RFC 4254 §5.1 {@code SSH_OPEN_CONNECT_FAILED}. */
    public static final int CONNECT_FAILED = 2;

    private final String host;
    private final int port;
    private final int reasonCode;

    public ChannelOpenRefusedException(String host, int port, int reasonCode, String serverText, Throwable cause) {
        super(message(host, port, reasonCode, serverText), cause);
        this.host = host;
        this.port = port;
        this.reasonCode = reasonCode;
    }

    private static String message(String host, int port, int reasonCode, String serverText) {
        String target = SshEndpoint.hostAndPort(host, port);
        String text = serverText == null || serverText.isBlank() ? "" : " (" + serverText.strip() + ")";
        return switch (reasonCode) {
            // The code says it all; servers' texts for it ("open failed", MINA's "Generic error") add nothing.
            case ADMINISTRATIVELY_PROHIBITED -> "the SSH server refused to forward to " + target
                    + ": administratively prohibited; the server has AllowTcpForwarding no or a PermitOpen rule that excludes it";
            case CONNECT_FAILED -> "the SSH server could not connect to " + target + text;
            default -> "the SSH server could not open a channel to " + target + text;
        };
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int reasonCode() {
        return reasonCode;
    }

    public boolean administrativelyProhibited() {
        return reasonCode == ADMINISTRATIVELY_PROHIBITED;
    }
}

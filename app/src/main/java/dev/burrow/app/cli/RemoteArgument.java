package dev.burrow.app.cli;

/**
 * The {@code -r [USER@]HOST[:PORT]} argument; IPv6 literals go in brackets ({@code [2001:db8::1]:2222}).
 *
 * @param user null when not given
 * @param host the host alias or address, without brackets
 * @param port 0 when not given
 */
record RemoteArgument(String user, String host, int port) {
    /** @throws IllegalArgumentException naming what is wrong */
    static RemoteArgument parse(String text) {
        String rest = text;
        String user = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
            if (user.isEmpty()) {
                throw new IllegalArgumentException("empty user name");
            }
        }
        String host;
        String port = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']'");
            }
            host = rest.substring(1, close);
            String tail = rest.substring(close + 1);
            if (!tail.isEmpty()) {
                if (!tail.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':PORT' after ']'");
                }
                port = tail.substring(1);
            }
        } else if (rest.indexOf(':') != rest.lastIndexOf(':')) {
            host = rest; // A bare IPv6 literal, no port.
        } else {
            int colon = rest.indexOf(':');
            host = colon < 0 ? rest : rest.substring(0, colon);
            port = colon < 0 ? null : rest.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        int number = 0;
        if (port != null) {
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number < 1 || number > 65535) {
                throw new IllegalArgumentException("port must be 1-65535, not '" + port + "'");
            }
        }
        return new RemoteArgument(user, host, number);
    }
}

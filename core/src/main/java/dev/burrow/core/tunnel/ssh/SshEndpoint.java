package dev.burrow.core.tunnel.ssh;

import java.util.Objects;

/**
 * Where and as whom to log in, after {@code ~/.ssh/config} was applied.
 *
 * @param user the login name
 * @param host the name or address to connect to (the config's HostName)
 * @param port the SSH port
 */
public record SshEndpoint(String user, String host, int port) {
    public SshEndpoint {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        if (user.isEmpty() || host.isEmpty()) {
            throw new IllegalArgumentException("empty user or host: " + user + "@" + host);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** {@code host:port}, with brackets around IPv6 literals. */
    public String hostAndPort() {
        return hostAndPort(host, port);
    }

    /** {@code host:port} for any host name or literal, with brackets around IPv6 literals. */
    public static String hostAndPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return user + "@" + hostAndPort();
    }
}

package dev.burrow.core.tunnel;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Opens byte streams to hosts on the far side of a tunnel: the one operation that every capture front end
 * (transparent redirect, SOCKS, DNS) needs. Implementations are thread safe; {@link #dial} blocks the
 * calling (virtual) thread until the stream is open or has failed.
 */
public interface Dialer {
    /**
     * Opens a stream to {@code host:port} as seen from the remote side.
     *
     * @param source the local client's address, for the SSH channel's originator field and for logs
     * @param host   an IP literal or a name that the remote side resolves
     * @throws IOException when the remote side refuses or cannot reach the target, or the tunnel is down
     */
    Conduit dial(InetSocketAddress source, String host, int port) throws IOException;
}

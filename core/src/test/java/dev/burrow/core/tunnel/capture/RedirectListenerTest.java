package dev.burrow.core.tunnel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What works without root: binding, refusing connections that were not redirected, a clear error for a busy port. */
class RedirectListenerTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0);

    @Test
    void connectionMadeStraightToTheListenerIsClosedUnhandled() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        RedirectListener listener = RedirectListener.open(List.of(LOOPBACK), (s, d) -> handled.incrementAndGet(), 16);
        try {
            try (Socket s = new Socket(InetAddress.ofLiteral("127.0.0.1"), listener.port())) {
                // The listener closes it: reading gives EOF (or a reset) rather than hanging.
                s.setSoTimeout(10_000);
                int first;
                try {
                    first = s.getInputStream().read();
                } catch (IOException e) {
                    first = -1;
                }
                assertEquals(-1, first);
            }
        } finally {
            // Close waits for the connection's virtual thread, so the counters below are final.
            listener.close();
        }
        assertEquals(1, listener.refused());
        assertEquals(0, listener.accepted());
        assertEquals(0, handled.get());
    }

    @Test
    void busyPortIsOneLineNamingAddressAndRemedy() throws Exception {
        try (RedirectListener first = RedirectListener.open(List.of(LOOPBACK), (s, d) -> { }, 16)) {
            InetSocketAddress same = new InetSocketAddress(LOOPBACK.getAddress(), first.port());
            CaptureException e = assertThrows(CaptureException.class,
                    () -> RedirectListener.open(List.of(same), (s, d) -> { }, 16));
            assertEquals("cannot listen on 127.0.0.1:" + first.port() + ": Address already in use: choose another"
                    + " listen port, or stop what uses it", e.getMessage());
        }
    }

    @Test
    void ipv4AndIpv6ListenersShareOnePort() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.ofLiteral("::1"), 0);
        try (RedirectListener listener = RedirectListener.open(List.of(LOOPBACK, v6), (s, d) -> { }, 16)) {
            try (Socket s = new Socket(InetAddress.ofLiteral("::1"), listener.port())) {
                s.setSoTimeout(10_000);
                try {
                    assertEquals(-1, s.getInputStream().read());
                } catch (IOException e) {
                    // A reset is a close too.
                }
            }
        }
    }
}

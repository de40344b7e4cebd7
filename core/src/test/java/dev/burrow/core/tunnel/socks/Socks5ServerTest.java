package dev.burrow.core.tunnel.socks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.burrow.core.testing.PlainConduit;
import dev.burrow.core.tunnel.Dialer;
import dev.burrow.core.tunnel.TunnelCounters;
import dev.burrow.core.tunnel.relay.Relay;
import dev.burrow.core.tunnel.ssh.ChannelOpenRefusedException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SOCKS5 against a dialer that connects straight to loopback, so the protocol is tested on its own; the SSH path
 * is covered by {@code TunnelSocksTest}.
 */
class Socks5ServerTest {
    final List<String> dialled = new CopyOnWriteArrayList<>();
    final TunnelCounters counters = new TunnelCounters();
    final Dialer direct = (source, host, port) -> {
        dialled.add(host + ":" + port);
        if (host.equals("forbidden.test")) {
            throw new ChannelOpenRefusedException(host, port, ChannelOpenRefusedException.ADMINISTRATIVELY_PROHIBITED,
                    "administratively prohibited", null);
        }
        InetAddress address = host.equals("echo.test") ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
        return PlainConduit.over(new Socket(address, port));
    };
    Socks5Server socks;
    java.net.ServerSocket echo;

    private void start() throws IOException {
        Relay relay = new Relay(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor(), counters, 4096);
        socks = Socks5Server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), direct, relay);
        echo = new java.net.ServerSocket(0, 50, InetAddress.getByName("::"));
        Thread.ofVirtual().start(() -> {
            while (true) {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        socks.close();
        echo.close();
    }

    /** Greeting, CONNECT with the given address bytes; returns the reply code, and leaves the socket open. */
    private int connect(Socket s, byte[] address) throws IOException {
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(new byte[] {5, 2, 2, 0});
        assertArrayEquals(new byte[] {5, 0}, in.readNBytes(2));
        out.write(new byte[] {5, 1, 0});
        out.write(address);
        out.write(new byte[] {(byte) (echo.getLocalPort() >> 8), (byte) echo.getLocalPort()});
        byte[] reply = in.readNBytes(10);
        assertEquals(5, reply[0]);
        return reply[1];
    }

    private void roundTrip(byte[] address, String expectedTarget) throws IOException {
        start();
        try (Socket s = new Socket(socks.address().getAddress(), socks.address().getPort())) {
            assertEquals(0, connect(s, address));
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertEquals("ping", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        assertEquals(List.of(expectedTarget + ":" + echo.getLocalPort()), dialled);
    }

    @Test
    void connectsToAnIpv4Address() throws IOException {
        roundTrip(new byte[] {1, 127, 0, 0, 1}, "127.0.0.1");
    }

    @Test
    void connectsToAnIpv6Address() throws IOException {
        byte[] address = new byte[17];
        address[0] = 4;
        address[16] = 1;
        roundTrip(address, "0:0:0:0:0:0:0:1");
    }

    @Test
    void passesDomainNamesUnresolved() throws IOException {
        byte[] name = "echo.test".getBytes(StandardCharsets.US_ASCII);
        byte[] address = new byte[2 + name.length];
        address[0] = 3;
        address[1] = (byte) name.length;
        System.arraycopy(name, 0, address, 2, name.length);
        roundTrip(address, "echo.test");
    }

    @Test
    void refusedForwardingIsReplyTwo() throws IOException {
        start();
        byte[] name = "forbidden.test".getBytes(StandardCharsets.US_ASCII);
        byte[] address = new byte[2 + name.length];
        address[0] = 3;
        address[1] = (byte) name.length;
        System.arraycopy(name, 0, address, 2, name.length);
        try (Socket s = new Socket(socks.address().getAddress(), socks.address().getPort())) {
            assertEquals(Socks5Handshake.REPLY_NOT_ALLOWED, connect(s, address));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void unsupportedCommandIsReplySeven() throws IOException {
        start();
        try (Socket s = new Socket(socks.address().getAddress(), socks.address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {5, 1, 0});
            assertArrayEquals(new byte[] {5, 0}, s.getInputStream().readNBytes(2));
            out.write(new byte[] {5, 3, 0, 1, 127, 0, 0, 1, 0, 53}); // UDP ASSOCIATE
            assertEquals(Socks5Handshake.REPLY_COMMAND_NOT_SUPPORTED, s.getInputStream().readNBytes(10)[1]);
        }
    }

    @Test
    void clientWithoutNoAuthIsTurnedAway() throws IOException {
        start();
        try (Socket s = new Socket(socks.address().getAddress(), socks.address().getPort())) {
            s.getOutputStream().write(new byte[] {5, 1, 2});
            assertArrayEquals(new byte[] {5, (byte) 0xFF}, s.getInputStream().readNBytes(2));
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(List.of(), dialled);
    }
}

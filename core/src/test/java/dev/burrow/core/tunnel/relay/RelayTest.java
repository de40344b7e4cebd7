package dev.burrow.core.tunnel.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.PlainConduit;
import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.TunnelCounters;
import dev.burrow.core.tunnel.ssh.ChannelOpenRefusedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RelayTest {
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    final TunnelCounters counters = new TunnelCounters();
    final Relay relay = new Relay(threads, counters, 1024);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** A connected pair: the application's socket and the one the relay serves. */
    private Socket[] pair() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket app = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            return new Socket[] {app, listener.accept()};
        }
    }

    @Test
    void failedDialResetsTheClient() throws Exception {
        Socket[] sockets = pair();
        try (Socket app = sockets[0]) {
            Future<?> served = threads.submit(() -> relay.dialAndRelay(sockets[1], (source, host, port) -> {
                throw new ChannelOpenRefusedException(host, port, 1, "administratively prohibited", null);
            }, "10.9.9.9", 80));
            served.get(10, TimeUnit.SECONDS);
            SocketException e = assertThrows(SocketException.class, () -> app.getInputStream().read());
            assertEquals("Connection reset", e.getMessage());
        }
        assertEquals(List.of(0, 0L), List.of(counters.snapshot().openConnections(),
                counters.snapshot().totalConnections()));
    }

    @Test
    void copiesBothWaysPassesHalfCloseAndCounts() throws Exception {
        byte[] answer = "answer from the far side".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Conduit conduit = new PlainConduit(new ByteArrayInputStream(answer), received, () -> { });
        Socket[] sockets = pair();
        try (Socket app = sockets[0]) {
            Future<?> served = threads.submit(() -> relay.relay(sockets[1], conduit));
            byte[] request = new byte[5000];
            app.getOutputStream().write(request);
            // The far side has already finished (half-close downwards); our upload still goes through afterwards.
            assertEquals(new String(answer, StandardCharsets.US_ASCII),
                    new String(app.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            app.shutdownOutput();
            served.get(10, TimeUnit.SECONDS);
        }
        assertEquals(5000, received.size());
        var m = counters.snapshot();
        assertEquals(List.of(5000L, (long) answer.length, 0, 1L), List.of(m.bytesUp(), m.bytesDown(),
                m.openConnections(), m.totalConnections()));
    }

    /**
     * A bulk upload arrives intact and in order while the relay's buffer grows: with a sink slower than the sender the
     * client's socket stays full, so reads fill the buffer, which then grows past its start size but never past
     * {@link Relay#MAX_BUFFER}.
     */
    @Test
    void bulkUploadArrivesIntactInGrowingBoundedWrites() throws Exception {
        byte[] data = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(data);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int[] largestWrite = {0};
        Conduit conduit = new PlainConduit(new ByteArrayInputStream(new byte[0]), new OutputStream() {
            @Override
            public void write(int b) {
                received.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                largestWrite[0] = Math.max(largestWrite[0], len);
                received.write(b, off, len);
                try {
                    Thread.sleep(1); // Slower than the sender, so the client's socket stays full.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, () -> { });
        Socket[] sockets = pair();
        try (Socket app = sockets[0]) {
            Future<?> served = threads.submit(() -> relay.relay(sockets[1], conduit));
            app.getOutputStream().write(data);
            app.shutdownOutput();
            served.get(60, TimeUnit.SECONDS);
        }
        assertArrayEquals(data, received.toByteArray());
        assertTrue(largestWrite[0] > 1024, "the buffer never grew: largest write " + largestWrite[0]);
        assertTrue(largestWrite[0] <= Relay.MAX_BUFFER, "largest write " + largestWrite[0]);
    }
}

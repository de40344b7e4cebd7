package dev.burrow.core.tunnel.ssh.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.Readable;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The transport against a plain TCP peer on loopback, with a handler that records what MINA would be given. */
class SingleThreadIoSessionTest {
    final Recorder handler = new Recorder();
    ServerSocket peer;
    IoConnector connector;

    @BeforeEach
    void listen() throws IOException {
        peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        // A client's properties (socket options, read buffer size) with MINA's defaults; it is never started.
        connector = SingleThreadIoServiceFactory.FACTORY.create(SshClient.setUpDefaultClient())
                .createConnector(handler);
    }

    @AfterEach
    void close() throws IOException {
        connector.close(true);
        peer.close();
    }

    private IoSession connect() throws IOException {
        IoConnectFuture future = connector.connect(peer.getLocalSocketAddress(), null, null);
        assertTrue(future.await(10, TimeUnit.SECONDS), "connect did not finish");
        assertNotNull(future.getSession(), () -> "connect failed: " + future.getException());
        return future.getSession();
    }

    @Test
    void writesTheSocketCannotTakeAtOnceAreQueuedAndCompletedInOrder() throws Exception {
        IoSession session = connect();
        try (Socket accepted = peer.accept()) {
            // 48 MiB in 64 KiB packets, each different, while the peer reads nothing: far more than loopback's
            // socket buffers, so most of them have to wait in the queue.
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            List<IoWriteFuture> futures = new ArrayList<>();
            for (int i = 0; i < 768; i++) {
                byte[] packet = new byte[64 * 1024];
                java.util.Arrays.fill(packet, (byte) i);
                packet[0] = (byte) (i >> 8);
                sent.update(packet);
                futures.add(session.writeBuffer(new ByteArrayBuffer(packet)));
            }
            assertFalse(futures.getLast().isWritten(), "the socket took 48 MiB at once; the test proves nothing");
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = accepted.getInputStream();
            byte[] chunk = new byte[256 * 1024];
            for (long left = 768L * 64 * 1024; left > 0; ) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                assertTrue(n > 0, "stream ended early");
                received.update(chunk, 0, n);
                left -= n;
            }
            assertArrayEquals(sent.digest(), received.digest());
            for (IoWriteFuture future : futures) {
                assertTrue(future.await(10, TimeUnit.SECONDS));
                assertTrue(future.isWritten(), () -> "failed: " + future.getException());
            }
        }
    }

    @Test
    void anInterruptedSenderNeitherFailsNorClosesTheSharedSocket() throws Exception {
        IoSession session = connect();
        try (Socket accepted = peer.accept()) {
            CompletableFuture<IoWriteFuture> write = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                Thread.currentThread().interrupt(); // as a relay thread being cancelled
                try {
                    write.complete(session.writeBuffer(new ByteArrayBuffer("still here".getBytes())));
                } catch (IOException e) {
                    write.completeExceptionally(e);
                }
            });
            assertTrue(write.get(10, TimeUnit.SECONDS).isWritten());
            assertArrayEquals("still here".getBytes(), accepted.getInputStream().readNBytes(10));
            assertTrue(session.isOpen());
        }
    }

    @Test
    void arrivingBytesReachTheHandlerAndThePeersCloseClosesTheSession() throws Exception {
        IoSession session = connect();
        byte[] data = new byte[1024 * 1024];
        new java.util.Random(7).nextBytes(data);
        try (Socket accepted = peer.accept()) {
            accepted.getOutputStream().write(data);
        }
        assertTrue(handler.closed.await(10, TimeUnit.SECONDS), "session not closed at the peer's end of stream");
        assertArrayEquals(data, handler.received.toByteArray());
        assertTrue(session.isClosed());
        assertTrue(connector.getManagedSessions().isEmpty());
    }

    @Test
    void aRefusedConnectFailsItsFuture() throws Exception {
        InetSocketAddress closed = (InetSocketAddress) peer.getLocalSocketAddress();
        peer.close();
        IoConnectFuture future = connector.connect(closed, null, null);
        assertTrue(future.await(10, TimeUnit.SECONDS));
        assertFalse(future.isConnected());
        assertInstanceOf(java.net.ConnectException.class, future.getException());
    }

    @Test
    void afterCloseWritesFailInsteadOfVanishing() throws Exception {
        IoSession session = connect();
        try (Socket accepted = peer.accept()) {
            assertTrue(session.close(false).await(10, TimeUnit.SECONDS));
            assertTrue(handler.closed.await(10, TimeUnit.SECONDS));
            assertEquals(-1, accepted.getInputStream().read(), "the peer should see the socket closed");
            IoWriteFuture write = session.writeBuffer(new ByteArrayBuffer(new byte[10]));
            assertFalse(write.isWritten());
            assertNotNull(write.getException());
        }
    }

    /** What MINA's session layer would see. */
    static final class Recorder implements IoHandler {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void sessionCreated(IoSession session) {
        }

        @Override
        public void sessionClosed(IoSession session) {
            closed.countDown();
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            session.close(true);
        }

        @Override
        public synchronized void messageReceived(IoSession session, Readable message) {
            byte[] bytes = new byte[message.available()];
            message.getRawBytes(bytes, 0, bytes.length);
            received.write(bytes, 0, bytes.length);
        }
    }
}

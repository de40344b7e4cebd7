package dev.burrow.core.tunnel.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.burrow.core.testing.PlainConduit;
import dev.burrow.core.tunnel.Dialer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The forwarder on loopback, against a DNS-over-TCP resolver of our own reached through a plain-socket dialer. */
class DnsForwarderTest {
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    private static final InetSocketAddress REMOTE = new InetSocketAddress(InetAddress.ofLiteral("198.18.2.2"), 53);

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger resolverConnections = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> dialed = new ConcurrentLinkedQueue<>();
    private volatile boolean closeAfterEachAnswer;
    private ServerSocket resolver;

    @AfterEach
    void stop() throws IOException {
        if (resolver != null) {
            resolver.close();
        }
        threads.shutdownNow();
    }

    /** Answers "big.lab" with 40 records, "slow.lab" never, anything else with one. */
    private void startResolver() throws IOException {
        resolver = new ServerSocket(0, 50, LOOPBACK);
        threads.execute(() -> {
            while (true) {
                Socket s;
                try {
                    s = resolver.accept();
                } catch (IOException e) {
                    return;
                }
                resolverConnections.incrementAndGet();
                threads.execute(() -> serve(s));
            }
        });
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                String name = DnsMessagesTest.nameOf(q);
                if (name.equals("slow.lab")) {
                    continue;
                }
                byte[] a = DnsMessagesTest.answer(q, name.equals("big.lab") ? 40 : 1);
                out.writeShort(a.length);
                out.write(a);
                out.flush();
                if (closeAfterEachAnswer) {
                    return;
                }
            }
        } catch (IOException e) {
            // The forwarder closed the connection.
        }
    }

    private final Dialer dialer = (source, host, port) -> {
        dialed.add(host + ":" + port);
        return PlainConduit.over(new Socket(LOOPBACK, resolver.getLocalPort()));
    };

    private DnsForwarder start(DnsForwarder.Settings settings) throws IOException {
        startResolver();
        return DnsForwarder.start(List.of(new InetSocketAddress(LOOPBACK, 0)), dialer, REMOTE, settings);
    }

    private static byte[] ask(int port, byte[] query) throws IOException {
        try (DatagramSocket client = new DatagramSocket(0, LOOPBACK)) {
            client.setSoTimeout(5000);
            client.send(new DatagramPacket(query, query.length, LOOPBACK, port));
            DatagramPacket reply = new DatagramPacket(new byte[65535], 65535);
            client.receive(reply);
            return Arrays.copyOf(reply.getData(), reply.getLength());
        }
    }

    @Test
    void udpQueriesAreAnsweredOverOneReusedTcpConnection() throws Exception {
        DnsForwarder forwarder = start(DnsForwarder.Settings.DEFAULTS);
        try {
            for (int id = 1; id <= 3; id++) {
                byte[] q = DnsMessagesTest.query(id, "secret.lab", 0);
                assertArrayEquals(DnsMessagesTest.answer(q, 1), ask(forwarder.port(), q));
            }
        } finally {
            // Close waits for the workers, so the counters below are final.
            forwarder.close();
        }
        assertEquals(1, forwarder.dials());
        assertEquals(1, resolverConnections.get());
        assertEquals(List.of("198.18.2.2:53"), List.copyOf(dialed));
        assertEquals(3, forwarder.answered());
    }

    @Test
    void answerLargerThanTheClientTakesComesBackTruncated() throws Exception {
        try (DnsForwarder forwarder = start(DnsForwarder.Settings.DEFAULTS)) {
            byte[] classic = DnsMessagesTest.query(9, "big.lab", 0);
            byte[] full = DnsMessagesTest.answer(classic, 40);
            assertArrayEquals(DnsMessages.truncated(full), ask(forwarder.port(), classic));
            byte[] edns = DnsMessagesTest.query(10, "big.lab", 4096);
            assertArrayEquals(DnsMessagesTest.answer(edns, 40), ask(forwarder.port(), edns));
        }
    }

    @Test
    void resolverThatClosedTheKeptConnectionIsDialedAgain() throws Exception {
        closeAfterEachAnswer = true;
        try (DnsForwarder forwarder = start(DnsForwarder.Settings.DEFAULTS)) {
            for (int id = 1; id <= 2; id++) {
                byte[] q = DnsMessagesTest.query(id, "secret.lab", 0);
                assertArrayEquals(DnsMessagesTest.answer(q, 1), ask(forwarder.port(), q));
            }
            assertEquals(2, forwarder.dials());
        }
    }

    @Test
    void unansweredQueryIsDroppedAfterTheTimeout() throws Exception {
        DnsForwarder.Settings quick = new DnsForwarder.Settings(Duration.ofMillis(200), 4, 1);
        try (DnsForwarder forwarder = start(quick)) {
            byte[] slow = DnsMessagesTest.query(5, "slow.lab", 0);
            try (DatagramSocket client = new DatagramSocket(0, LOOPBACK)) {
                client.setSoTimeout(2000);
                client.send(new DatagramPacket(slow, slow.length, LOOPBACK, forwarder.port()));
                assertThrows(SocketTimeoutException.class,
                        () -> client.receive(new DatagramPacket(new byte[512], 512)));
            }
            assertEquals(1, forwarder.failed());
            byte[] q = DnsMessagesTest.query(6, "secret.lab", 0);
            assertArrayEquals(DnsMessagesTest.answer(q, 1), ask(forwarder.port(), q), "later queries still work");
        }
    }

    @Test
    void tcpQueriesArePipedToTheResolver() throws Exception {
        try (DnsForwarder forwarder = start(DnsForwarder.Settings.DEFAULTS);
                Socket client = new Socket(LOOPBACK, forwarder.port())) {
            client.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            DataInputStream in = new DataInputStream(client.getInputStream());
            for (int id = 20; id < 22; id++) {
                byte[] q = DnsMessagesTest.query(id, "big.lab", 0);
                out.writeShort(q.length);
                out.write(q);
                out.flush();
                byte[] a = new byte[in.readUnsignedShort()];
                in.readFully(a);
                assertArrayEquals(DnsMessagesTest.answer(q, 40), a, "TCP answers are never truncated");
            }
        }
    }
}

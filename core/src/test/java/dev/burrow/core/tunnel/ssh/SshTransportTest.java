package dev.burrow.core.tunnel.ssh;

import dev.burrow.core.testing.KeyGen;
import dev.burrow.core.testing.TestSshServer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.SessionState;
import dev.burrow.core.tunnel.TunnelCounters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SshTransportTest {
    static final InetSocketAddress SOURCE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    static final SshSettings SETTINGS = SshSettings.defaults().withWindowSize(256 * 1024)
            .withDialWait(Duration.ofSeconds(20)).withBackoffCap(Duration.ofSeconds(1));

    @TempDir
    Path dir;
    TestSshServer server;
    Path knownHosts;
    TunnelCounters counters = new TunnelCounters();

    @BeforeEach
    void startServer() throws IOException {
        Files.createDirectories(dir.resolve("server"));
        server = new TestSshServer(dir.resolve("server")).start(0);
        knownHosts = dir.resolve("known_hosts");
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
    }

    private SshIdentities identities(Path key) throws IOException {
        return SshIdentities.load(null, List.of(key), dir, PassphrasePrompt.NONE);
    }

    private Path authorizedKey(String type) throws IOException {
        Path key = KeyGen.generate(dir, "id_" + type, type, "");
        server.authorize(Path.of(key + ".pub"));
        return key;
    }

    private SshTransport connect(SshIdentities identities) throws IOException {
        return SshTransport.connect(server.endpoint(), identities, knownHosts, HostKeyPolicy.ACCEPT_NEW, SETTINGS,
                counters);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa", "rsa"})
    void authenticatesWithOpenSshKeyFiles(String type) throws IOException {
        try (SshTransport transport = connect(identities(authorizedKey(type)))) {
            assertEquals(SessionState.UP, transport.state());
        }
    }

    @Test
    void asksForThePassphraseOfAnEncryptedKeyAndRetriesAfterAWrongOne() throws IOException {
        Path key = KeyGen.generate(dir, "id_locked", "ed25519", "open sesame");
        server.authorize(Path.of(key + ".pub"));
        AtomicInteger asked = new AtomicInteger();
        PassphrasePrompt prompt = (name, attempt) -> {
            asked.incrementAndGet();
            assertEquals(key.toString(), name);
            return (attempt == 1 ? "wrong" : "open sesame").toCharArray();
        };
        SshIdentities identities = SshIdentities.load(null, List.of(key), dir, prompt);
        assertEquals(1, identities.keys().size());
        assertEquals(2, asked.get());
        try (SshTransport transport = connect(identities)) {
            assertEquals(SessionState.UP, transport.state());
        }
    }

    @Test
    void threeWrongPassphrasesFailNamingTheKey() throws IOException {
        Path key = KeyGen.generate(dir, "id_locked", "ecdsa", "right");
        AtomicInteger asked = new AtomicInteger();
        IOException e = assertThrows(IOException.class, () -> SshIdentities.load(null, List.of(key), dir,
                (name, attempt) -> {
                    asked.incrementAndGet();
                    return "wrong".toCharArray();
                }));
        assertEquals(3, asked.get());
        assertTrue(e.getMessage().contains(key.toString()) && e.getMessage().contains("passphrase"), e.getMessage());
    }

    @Test
    void skippedPassphraseLeavesNoKey() throws IOException {
        Path key = KeyGen.generate(dir, "id_locked", "ed25519", "secret");
        assertEquals(List.of(), SshIdentities.load(null, List.of(key), dir, PassphrasePrompt.NONE).keys());
    }

    @Test
    void unknownHostIsRefusedWithItsFingerprintWhenStrict() throws IOException {
        SshIdentities identities = identities(authorizedKey("ed25519"));
        UnknownHostKeyException e = assertThrows(UnknownHostKeyException.class, () -> SshTransport.connect(
                server.endpoint(), identities, knownHosts, HostKeyPolicy.STRICT, SETTINGS, counters));
        assertTrue(e.fingerprint().startsWith("SHA256:"), e.fingerprint());
        assertEquals(server.port(), e.port());
        assertTrue(Files.notExists(knownHosts));
        assertEquals(SessionState.CLOSED, counters.state());
    }

    @Test
    void acceptNewAppendsTheKeyAndStrictThenAcceptsIt() throws IOException {
        SshIdentities identities = identities(authorizedKey("ed25519"));
        connect(identities).close();
        String line = Files.readString(knownHosts);
        assertTrue(line.startsWith("[127.0.0.1]:" + server.port() + " "), line);
        try (SshTransport transport = SshTransport.connect(server.endpoint(), identities, knownHosts,
                HostKeyPolicy.STRICT, SETTINGS, counters)) {
            assertEquals(SessionState.UP, transport.state());
        }
    }

    @Test
    void namedHostIsRecordedAndCheckedByName() throws IOException {
        SshIdentities identities = identities(authorizedKey("ed25519"));
        SshEndpoint named = new SshEndpoint("tester", "localhost", server.port());
        SshTransport.connect(named, identities, knownHosts, HostKeyPolicy.ACCEPT_NEW, SETTINGS, counters).close();
        String line = Files.readString(knownHosts);
        assertTrue(line.startsWith("[localhost]:" + server.port() + " "), line);
        try (SshTransport transport = SshTransport.connect(named, identities, knownHosts, HostKeyPolicy.STRICT,
                SETTINGS, counters)) {
            assertEquals(SessionState.UP, transport.state());
        }
    }

    @Test
    void changedHostKeyIsRefusedEvenWithAcceptNew() throws IOException {
        SshIdentities identities = identities(authorizedKey("ed25519"));
        Path other = KeyGen.generate(dir, "other_host", "ed25519", "");
        String otherKey = Files.readString(Path.of(other + ".pub")).strip();
        String before = "[127.0.0.1]:" + server.port() + " " + otherKey + "\n";
        Files.writeString(knownHosts, before);
        HostKeyChangedException e = assertThrows(HostKeyChangedException.class, () -> connect(identities));
        assertTrue(e.getMessage().contains("has changed"), e.getMessage());
        assertEquals(before, Files.readString(knownHosts));
    }

    @Test
    void rejectedKeyFailsAuthentication() throws IOException {
        Path stranger = KeyGen.generate(dir, "id_stranger", "ed25519", "");
        SshAuthenticationException e = assertThrows(SshAuthenticationException.class,
                () -> connect(identities(stranger)));
        assertTrue(e.getMessage().contains("tester"), e.getMessage());
    }

    @Test
    void unreachablePortFailsWithTheHostAndPort() throws IOException {
        int port = server.port();
        server.stop();
        SshIdentities identities = SshIdentities.load(null, List.of(), dir, PassphrasePrompt.NONE);
        SshUnreachableException e = assertThrows(SshUnreachableException.class, () -> SshTransport.connect(
                new SshEndpoint("tester", "127.0.0.1", port), identities, knownHosts, HostKeyPolicy.ACCEPT_NEW,
                SETTINGS, counters));
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }

    @Test
    void authenticatesThroughSshAgent() throws Exception {
        Path key = authorizedKey("ecdsa");
        Path socket = dir.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
        try {
            for (int i = 0; i < 500 && Files.notExists(socket); i++) {
                Thread.onSpinWait();
                TimeUnit.MILLISECONDS.sleep(10); // ssh-agent offers no readiness signal other than its socket.
            }
            ProcessBuilder add = new ProcessBuilder("ssh-add", key.toString()).redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", socket.toString());
            Process adding = add.start();
            adding.getInputStream().readAllBytes();
            assertEquals(0, adding.waitFor());
            SshIdentities viaAgent = SshIdentities.load(socket, List.of(), dir.resolve("no-such-dir"),
                    PassphrasePrompt.NONE);
            assertEquals(List.of(), viaAgent.keys());
            try (SshTransport transport = connect(viaAgent)) {
                assertEquals(SessionState.UP, transport.state());
            }
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void relaysBytesBothWaysThroughDirectTcpip() throws Exception {
        byte[] payload = new byte[5 * 1024 * 1024 + 17];
        new Random(42).nextBytes(payload);
        try (EchoServer echo = EchoServer.echo(InetAddress.getLoopbackAddress());
             SshTransport transport = connect(identities(authorizedKey("ed25519")));
             Conduit conduit = transport.dial(SOURCE, "127.0.0.1", echo.port())) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = conduit.output();
                    for (int off = 0; off < payload.length; off += 8192) {
                        out.write(payload, off, Math.min(8192, payload.length - off));
                        out.flush();
                    }
                    out.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] back = conduit.input().readAllBytes();
            writer.get(60, TimeUnit.SECONDS);
            assertArrayEquals(sha256(payload), sha256(back));
            assertEquals(List.of("127.0.0.1:" + echo.port()), server.forwarded);
        }
    }

    @Test
    void halfCloseLetsTheAnswerArriveAfterOurEof() throws Exception {
        EchoServer.Handler countThenAnswer = (socket, in, out) -> {
            long n = in.transferTo(OutputStream.nullOutputStream());
            out.write(("got " + n).getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
        };
        try (EchoServer target = new EchoServer(InetAddress.getLoopbackAddress(), countThenAnswer);
             SshTransport transport = connect(identities(authorizedKey("ed25519")));
             Conduit conduit = transport.dial(SOURCE, "127.0.0.1", target.port())) {
            conduit.output().write(new byte[1000]);
            conduit.output().close();
            assertEquals("got 1000", new String(conduit.input().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void forwardingRefusedByTheServerNamesTheCause() throws IOException {
        server.allowForwarding = false;
        try (SshTransport transport = connect(identities(authorizedKey("ed25519")))) {
            ChannelOpenRefusedException e = assertThrows(ChannelOpenRefusedException.class,
                    () -> transport.dial(SOURCE, "10.1.2.3", 80));
            assertTrue(e.administrativelyProhibited(), e.getMessage());
            assertTrue(e.getMessage().contains("AllowTcpForwarding"), e.getMessage());
            assertTrue(e.getMessage().contains("10.1.2.3:80"), e.getMessage());
            assertEquals(1, counters.snapshot().failedDials());
        }
    }

    @Test
    void closedChannelsAreForgottenBySession() throws Exception {
        try (EchoServer echo = EchoServer.echo(InetAddress.getLoopbackAddress());
             SshTransport transport = connect(identities(authorizedKey("ed25519")))) {
            for (int i = 0; i < 50; i++) {
                try (Conduit conduit = transport.dial(SOURCE, "127.0.0.1", echo.port())) {
                    conduit.output().write(i);
                    conduit.output().close();
                    assertEquals(i, conduit.input().read());
                    assertEquals(-1, conduit.input().read());
                }
            }
            // Each channel is dropped once the server's CLOSE has answered ours, which arrives a moment later.
            assertTrue(waitFor(() -> transport.openChannels() == 0), transport.openChannels() + " channels left");
        }
    }

    @Test
    void lateAnswerToAnAbandonedOpenIsClosed() throws Exception {
        SshSettings impatient = new SshSettings(SETTINGS.windowSize(), SETTINGS.packetSize(), SETTINGS.heartbeat(),
                SETTINGS.heartbeatMisses(), SETTINGS.connectTimeout(), SETTINGS.authTimeout(), SETTINGS.dialWait(),
                Duration.ofSeconds(1), SETTINGS.writeStall(), SETTINGS.backoffCap(), SETTINGS.requestPty());
        try (EchoServer echo = EchoServer.echo(InetAddress.getLoopbackAddress());
             SshTransport transport = SshTransport.connect(server.endpoint(), identities(authorizedKey("ed25519")),
                     knownHosts, HostKeyPolicy.ACCEPT_NEW, impatient, counters)) {
            java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
            server.forwardingGate = gate;
            IOException e = assertThrows(java.net.SocketTimeoutException.class,
                    () -> transport.dial(SOURCE, "127.0.0.1", echo.port()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + echo.port()), e.getMessage());
            assertEquals(1, transport.openChannels());
            // The server's confirmation arrives after the dial gave up: the channel is closed, not left open.
            server.forwardingGate = null;
            gate.countDown();
            assertTrue(waitFor(() -> transport.openChannels() == 0), "the abandoned channel was not closed");
            try (Conduit conduit = transport.dial(SOURCE, "127.0.0.1", echo.port())) {
                conduit.output().write(5);
                assertEquals(5, conduit.input().read());
            }
            assertEquals(SessionState.UP, transport.state());
            assertEquals(0, counters.snapshot().reconnects());
        }
    }

    static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (condition.getAsBoolean()) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return condition.getAsBoolean();
    }

    @Test
    void slowReaderStopsTheSenderInsteadOfBuffering() throws Exception {
        AtomicLong written = new AtomicLong();
        EchoServer.Handler firehose = (socket, in, out) -> {
            byte[] chunk = new byte[16 * 1024];
            while (true) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        };
        try (EchoServer target = new EchoServer(InetAddress.getLoopbackAddress(), firehose);
             SshTransport transport = connect(identities(authorizedKey("ed25519")));
             Conduit conduit = transport.dial(SOURCE, "127.0.0.1", target.port())) {
            InputStream in = conduit.input();
            assertTrue(in.read() >= 0);
            long stalled = waitUntilStable(written);
            // Window (256 KiB each side) plus socket buffers on loopback: a few MiB at most, never the stream.
            assertTrue(stalled < 32L * 1024 * 1024, "sender wrote " + stalled + " bytes into a reader that reads none");
            // Reading resumes the flow: more than was written when it stalled can only come from new writes.
            assertEquals(stalled, in.readNBytes((int) stalled).length);
            assertTrue(written.get() > stalled, "sender did not resume");
        }
    }

    /** Polls until {@code counter} has not moved for half a second; the sender blocks on a full window. */
    static long waitUntilStable(AtomicLong counter) throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 120; i++) {
            long now = counter.get();
            if (now == last && now > 0) {
                return now;
            }
            last = now;
            TimeUnit.MILLISECONDS.sleep(500); // Measuring that nothing happens needs a quiet interval.
        }
        throw new AssertionError("sender never stalled: " + counter.get() + " bytes");
    }

    @Test
    void reconnectsAfterTheServerRestartsAndFailsConnectionsInFlight() throws Exception {
        int port = server.port();
        try (EchoServer echo = EchoServer.echo(InetAddress.getLoopbackAddress());
             SshTransport transport = connect(identities(authorizedKey("ed25519")))) {
            Conduit inFlight = transport.dial(SOURCE, "127.0.0.1", echo.port());
            inFlight.output().write(1);
            inFlight.output().flush();
            assertEquals(1, inFlight.input().read());

            server.stop();
            assertThrows(IOException.class, () -> inFlight.input().read());
            server.start(port);

            try (Conduit fresh = transport.dial(SOURCE, "127.0.0.1", echo.port())) {
                fresh.output().write(7);
                fresh.output().flush();
                assertEquals(7, fresh.input().read());
            }
            assertEquals(SessionState.UP, transport.state());
            assertEquals(1, counters.snapshot().reconnects());
        }
    }

    @Test
    void closedTransportRefusesDials() throws IOException {
        SshTransport transport = connect(identities(authorizedKey("ed25519")));
        transport.close();
        assertThrows(TunnelDownException.class, () -> transport.dial(SOURCE, "127.0.0.1", 9));
        assertEquals(SessionState.CLOSED, transport.state());
        assertTrue(transport.closed().isDone());
    }

    static byte[] sha256(byte[] data) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}

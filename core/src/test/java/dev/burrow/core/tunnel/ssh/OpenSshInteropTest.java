package dev.burrow.core.tunnel.ssh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.burrow.core.testing.KeyGen;
import dev.burrow.core.testing.OpenSshServer;
import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.SessionState;
import dev.burrow.core.tunnel.TunnelCounters;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport against OpenSSH's own sshd, which is what users run. Skipped (with the reason) without sshd. */
class OpenSshInteropTest {
    @TempDir
    Path dir;
    Path key;

    @BeforeEach
    void needsSshd() throws IOException {
        String reason = OpenSshServer.unavailableReason();
        assumeTrue(reason == null, () -> "skipped: " + reason);
        key = KeyGen.generate(dir, "id_ed25519", "ed25519", "");
    }

    private SshTransport connect(OpenSshServer sshd, TunnelCounters counters) throws IOException {
        return SshTransport.connect(new SshEndpoint(System.getProperty("user.name"), "127.0.0.1", sshd.port),
                SshIdentities.load(null, List.of(key), dir, PassphrasePrompt.NONE), dir.resolve("known_hosts"),
                HostKeyPolicy.ACCEPT_NEW, settings(), counters);
    }

    private static SshSettings settings() {
        return settings(!Boolean.getBoolean("nopty"));
    }

    private static SshSettings settings(boolean pty) {
        SshSettings d = SshSettings.defaults();
        return new SshSettings(d.windowSize(), d.packetSize(), d.heartbeat(), d.heartbeatMisses(), d.connectTimeout(),
                d.authTimeout(), d.dialWait(), d.openTimeout(), d.writeStall(), d.backoffCap(), pty);
    }

    /**
     * sshd's ClientAliveInterval probes the client with a {@code keepalive@openssh.com} request on its first open
     * channel, which without a terminal is a forwarded connection, and drops the client after ClientAliveCountMax
     * unanswered ones. The channel must answer (with a failure, as OpenSSH's own client does).
     */
    @Test
    void answersSshdKeepalivesOnAForwardedChannel() throws Exception {
        TunnelCounters counters = new TunnelCounters();
        try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), Path.of(key + ".pub"),
                     "ClientAliveInterval 1", "ClientAliveCountMax 1");
             EchoServer echo = EchoServer.echo(InetAddress.getLoopbackAddress());
             SshTransport transport = SshTransport.connect(
                     new SshEndpoint(System.getProperty("user.name"), "127.0.0.1", sshd.port),
                     SshIdentities.load(null, List.of(key), dir, PassphrasePrompt.NONE), dir.resolve("known_hosts"),
                     HostKeyPolicy.ACCEPT_NEW, settings(false), counters);
             Conduit conduit = transport.dial(SshTransportTest.SOURCE, "127.0.0.1", echo.port())) {
            conduit.output().write(1);
            assertEquals(1, conduit.input().read());
            TimeUnit.SECONDS.sleep(6); // Several probes; unanswered, sshd would drop us at the second check.
            conduit.output().write(2);
            assertEquals(2, conduit.input().read());
            assertEquals(SessionState.UP, transport.state());
            assertEquals(0, counters.snapshot().reconnects());
        }
    }

    @Test
    void relaysThroughOpenSshWithAesGcm() throws Exception {
        byte[] payload = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), Path.of(key + ".pub"));
             EchoServer echo = EchoServer.echo(InetAddress.getLoopbackAddress());
             SshTransport transport = connect(sshd, new TunnelCounters());
             Conduit conduit = transport.dial(SshTransportTest.SOURCE, "localhost", echo.port())) {
            assertEquals(SessionState.UP, transport.state());
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = conduit.output();
                    out.write(payload);
                    out.flush();
                    out.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] back = conduit.input().readAllBytes();
            writer.get(60, TimeUnit.SECONDS);
            assertArrayEquals(SshTransportTest.sha256(payload), SshTransportTest.sha256(back));
        }
    }

    @Test
    void downloadsMoreThanOneWindow() throws Exception {
        long size = 64L << 20;
        EchoServer.Handler source = (socket, in, out) -> {
            byte[] block = new byte[65536];
            for (long left = size; left > 0; left -= block.length) {
                out.write(block);
            }
        };
        try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), Path.of(key + ".pub"));
             EchoServer target = new EchoServer(InetAddress.getLoopbackAddress(), source);
             SshTransport transport = connect(sshd, new TunnelCounters());
             Conduit conduit = transport.dial(SshTransportTest.SOURCE, "127.0.0.1", target.port())) {
            long total = 0;
            byte[] buffer = new byte[32768];
            int n;
            while ((n = conduit.input().read(buffer)) >= 0) {
                total += n;
            }
            assertEquals(size, total);
        }
    }

    /**
     * Targets that close while the client is still uploading, eight at a time, as iperf3's streams do at the end of
     * a run: the server's CHANNEL_CLOSE races with the relay's DATA. A DATA sent after our answering CLOSE makes
     * OpenSSH disconnect the whole session ("data packet referred to nonexistent channel"); that happened in about
     * one of three 8-stream iperf3 runs before a channel checked and sent its packets under one lock (see
     * {@link DirectTcpipStream}), and here within a few rounds.
     */
    @Test
    @org.junit.jupiter.api.Timeout(180)
    void targetsClosingDuringAnUploadNeverCostTheSession() throws Exception {
        EchoServer.Handler closesEarly = (socket, in, out) -> {
            in.readNBytes(32 * 1024);
            socket.setSoLinger(true, 0);
        };
        TunnelCounters counters = new TunnelCounters();
        try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), Path.of(key + ".pub"));
             EchoServer target = new EchoServer(InetAddress.getLoopbackAddress(), closesEarly);
             SshTransport transport = connect(sshd, counters);
             var uploads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 40; round++) {
                List<java.util.concurrent.Future<?>> streams = new java.util.ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    streams.add(uploads.submit(() -> {
                        try (Conduit conduit = transport.dial(SshTransportTest.SOURCE, "127.0.0.1", target.port())) {
                            byte[] block = new byte[8 * 1024];
                            OutputStream out = conduit.output();
                            for (int n = 0; n < 256; n++) {
                                out.write(block);
                                out.flush();
                            }
                        } catch (IOException expected) {
                            // The target went away mid-upload: this stream fails, the session must not.
                        }
                        return null;
                    }));
                }
                for (var stream : streams) {
                    stream.get(60, TimeUnit.SECONDS);
                }
                assertEquals(0, counters.snapshot().reconnects(), "session lost in round " + round);
            }
            assertEquals(SessionState.UP, transport.state());
        }
    }

    @Test
    void allowTcpForwardingNoIsReportedAsSuch() throws Exception {
        try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), Path.of(key + ".pub"),
                "AllowTcpForwarding no");
             SshTransport transport = connect(sshd, new TunnelCounters())) {
            ChannelOpenRefusedException e = assertThrows(ChannelOpenRefusedException.class,
                    () -> transport.dial(SshTransportTest.SOURCE, "127.0.0.1", 9));
            assertTrue(e.administrativelyProhibited(), e.getMessage());
            assertTrue(e.getMessage().contains("AllowTcpForwarding no"), e.getMessage());
        }
    }

    @Test
    void closedPortOnTheFarSideIsConnectFailed() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), Path.of(key + ".pub"));
             SshTransport transport = connect(sshd, new TunnelCounters())) {
            ChannelOpenRefusedException e = assertThrows(ChannelOpenRefusedException.class,
                    () -> transport.dial(SshTransportTest.SOURCE, "127.0.0.1", closedPort));
            assertEquals(ChannelOpenRefusedException.CONNECT_FAILED, e.reasonCode(), e.getMessage());
        }
    }
}

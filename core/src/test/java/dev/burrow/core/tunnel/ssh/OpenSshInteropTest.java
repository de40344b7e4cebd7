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
                HostKeyPolicy.ACCEPT_NEW, SshSettings.defaults(), counters);
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

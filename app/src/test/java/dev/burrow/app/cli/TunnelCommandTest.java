package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.KeyGen;
import dev.burrow.core.testing.TestSshServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunnelCommandTest {
    @TempDir
    Path tmp;
    CliHarness cli;
    TestSshServer server;
    Path key;

    @BeforeEach
    void setUp() throws IOException {
        cli = new CliHarness(Files.createDirectories(tmp.resolve("home")));
        server = new TestSshServer(Files.createDirectories(tmp.resolve("server"))).start(0);
        key = KeyGen.generate(tmp, "id_ed25519", "ed25519", "");
        server.authorize(Path.of(key + ".pub"));
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
    }

    private String remote() {
        return "tester@127.0.0.1:" + server.port();
    }

    @Test
    void badSubnetIsAUsageErrorNamingIt() {
        int code = cli.run("tunnel", "-r", remote(), "10.0.0.0/33");
        assertEquals(2, code);
        assertTrue(cli.err().startsWith("burrow: bad SUBNET '10.0.0.0/33': "), cli.err());
        assertTrue(cli.err().endsWith("; see 'burrow tunnel --help'\n") && cli.err().lines().count() == 1, cli.err());
    }

    @Test
    void badExcludeAndBadRemoteAreUsageErrors() {
        assertEquals(2, cli.run("tunnel", "-r", remote(), "-x", "10.0.0.0/8:99999", "10.0.0.0/8"));
        assertTrue(cli.err().startsWith("burrow: bad -x '10.0.0.0/8:99999': "), cli.err());
        assertEquals(2, cli.run("tunnel", "-r", "me@host:ssh"));
        assertEquals("burrow: bad -r 'me@host:ssh': port must be 1-65535, not 'ssh'; see 'burrow tunnel --help'\n",
                cli.err());
        assertEquals(2, cli.run("tunnel", "10.0.0.0/8"));
    }

    @Test
    void nftNeedsASubnet() {
        int code = cli.run("tunnel", "--method", "nft", "-r", remote());
        assertEquals(List.of(2, "burrow: --method nft needs at least one SUBNET to capture;"
                + " see 'burrow tunnel --help'\n"), List.of(code, cli.err()));
    }

    @Test
    void methodDefaultsToNftForRootAndSocksOtherwise() {
        TunnelCommand command = cli.parse(TunnelCommand.class, "tunnel", "-r", "me@example.org:2222",
                "10.0.0.0/8", "-x", "10.1.0.0/16", "--socks", "[::1]:1081");
        TunnelCommand.Plan asUser = command.plan(false);
        assertEquals(List.of(TunnelCommand.Method.SOCKS, TunnelCommand.Method.NFT, "me", "example.org", 2222,
                "[10.0.0.0/8]", "[10.1.0.0/16]", new InetSocketAddress("::1", 1081)),
                List.of(asUser.method(), command.plan(true).method(), asUser.remote().user(), asUser.remote().host(),
                        asUser.remote().port(), asUser.include().toString(), asUser.exclude().toString(),
                        asUser.socks()));
    }

    @Test
    void unknownHostIsRefusedWithFingerprintAndAdvice() {
        int code = cli.run("tunnel", "--method", "socks", "-r", remote(), "-i", key.toString());
        Path knownHosts = cli.home.resolve(".ssh/known_hosts");
        assertEquals(1, code);
        assertTrue(Pattern.matches("burrow: host key of 127\\.0\\.0\\.1:" + server.port() + " is not known \\(\\S+"
                + " SHA256:\\S+\\); if that is the server's key, run again with --accept-new to add it to "
                + Pattern.quote(knownHosts.toString()) + "\n", cli.err()), cli.err());
    }

    @Test
    void changedHostKeyIsRefusedWithAdvice() throws IOException {
        Path other = KeyGen.generate(tmp, "other_host", "ed25519", "");
        Path knownHosts = Files.createDirectories(cli.home.resolve(".ssh")).resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.port() + " " + Files.readString(Path.of(other + ".pub")));
        int code = cli.run("tunnel", "--method", "socks", "--accept-new", "-r", remote(), "-i", key.toString());
        assertEquals(1, code);
        assertTrue(Pattern.matches("burrow: host key of 127\\.0\\.0\\.1:" + server.port() + " has changed \\(now \\S+"
                + " SHA256:\\S+\\); refusing to connect: someone may be intercepting the connection; if the server's"
                + " key really changed, remove its old entry with 'ssh-keygen -R \\[127\\.0\\.0\\.1\\]:" + server.port()
                + " -f " + Pattern.quote(knownHosts.toString()) + "'\n", cli.err()), cli.err());
    }

    @Test
    void refusedKeyIsOneLine() throws IOException {
        Path stranger = KeyGen.generate(tmp, "id_stranger", "ed25519", "");
        int code = cli.run("tunnel", "--method", "socks", "--accept-new", "-r", remote(), "-i", stranger.toString());
        assertEquals(List.of(1, "burrow: authentication as tester on 127.0.0.1:" + server.port() + " failed (tried "
                + stranger + "); check the user, -i KEY, 'ssh-add -l' and the server's authorized_keys\n"),
                List.of(code, cli.err()));
    }

    @Test
    void unreachableServerIsOneLine() throws IOException {
        int port = server.port();
        server.stop();
        int code = cli.run("tunnel", "--method", "socks", "-r", "tester@127.0.0.1:" + port, "-i", key.toString());
        assertEquals(List.of(1, "burrow: cannot reach 127.0.0.1:" + port
                + ": connection refused (is sshd running on that port?)\n"), List.of(code, cli.err()));
    }

    @Test
    void socksPortInUseIsOneLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int code = cli.run("tunnel", "--method", "socks", "--accept-new", "-r", remote(), "-i", key.toString(),
                    "--socks", "127.0.0.1:" + taken.getLocalPort());
            assertEquals(1, code);
            assertTrue(cli.err().startsWith("burrow: 127.0.0.1:" + taken.getLocalPort() + ": cannot listen there"),
                    cli.err());
            assertTrue(cli.err().endsWith("; pick another with --socks [ADDR:]PORT\n"), cli.err());
        }
    }

    @Test
    void forwardingRefusedByTheServerIsExplainedOnce() throws Exception {
        server.allowForwarding = false;
        int socksPort = freePort();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread command = Thread.ofPlatform().start(() -> exit.complete(cli.run("tunnel", "--method", "socks",
                "--accept-new", "-r", remote(), "-i", key.toString(), "--socks", "127.0.0.1:" + socksPort)));
        awaitUp();
        Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socksPort));
        for (int i = 0; i < 2; i++) {
            try (Socket s = new Socket(proxy)) {
                assertThrows(IOException.class, () -> s.connect(InetSocketAddress.createUnresolved("intranet.test", 80)));
            }
        }
        command.interrupt();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
        List<String> warnings = cli.err().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertEquals(List.of("warning: the SSH server refused to forward to intranet.test:80: administratively"
                + " prohibited; the server has AllowTcpForwarding no or a PermitOpen"
                + " rule that excludes it"), warnings);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private void awaitUp() throws InterruptedException {
        for (int i = 0; i < 3000 && !cli.err().contains("is up"); i++) {
            TimeUnit.MILLISECONDS.sleep(10); // The CLI's only readiness signal is its "is up" line.
        }
        assertTrue(cli.err().contains("is up"), cli.err());
    }

    @Test
    void socksTunnelRelaysUntilInterrupted() throws Exception {
        int socksPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socksPort = probe.getLocalPort();
        }
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException e) {
                    // The assertion below fails instead.
                }
            });
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Thread command = Thread.ofPlatform().start(() -> exit.complete(cli.run("tunnel", "--method", "socks",
                    "--accept-new", "-r", remote(), "-i", key.toString(), "--socks", "127.0.0.1:" + socksPort)));
            for (int i = 0; i < 3000 && !cli.err().contains("is up"); i++) {
                TimeUnit.MILLISECONDS.sleep(10); // The CLI's only readiness signal is its "is up" line.
            }
            Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socksPort));
            try (Socket s = new Socket(proxy)) {
                s.connect(InetSocketAddress.createUnresolved("localhost", echo.getLocalPort()));
                s.getOutputStream().write("through the tunnel".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertEquals("through the tunnel", new String(s.getInputStream().readAllBytes(),
                        StandardCharsets.US_ASCII));
            }
            command.interrupt();
            assertEquals(0, exit.get(30, TimeUnit.SECONDS));
            assertEquals(List.of("localhost:" + echo.getLocalPort()), server.forwarded);
            String err = cli.err();
            assertTrue(err.startsWith("tunnel to " + remote() + " is up; SOCKS5 proxy on 127.0.0.1:" + socksPort),
                    err);
            assertTrue(err.contains("tunnel closed: "), err);
            assertTrue(Files.readString(cli.home.resolve(".ssh/known_hosts")).startsWith("[127.0.0.1]:"
                    + server.port() + " "));
        }
    }
}

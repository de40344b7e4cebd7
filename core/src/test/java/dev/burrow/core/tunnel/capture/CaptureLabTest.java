package dev.burrow.core.tunnel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.LabRelay;
import dev.burrow.core.testing.LabTunnel;
import dev.burrow.core.testing.LoadClient;
import dev.burrow.core.testing.TunnelLab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transparent capture and the DNS forwarder in the namespace lab, with a plain-TCP relay in the server namespace
 * standing in for SSH (the capture side is the same whatever carries the streams). Needs root; skipped otherwise.
 */
class CaptureLabTest {
    private static final Duration SHORT = Duration.ofSeconds(3);
    @RegisterExtension
    static final TunnelLab lab = new TunnelLab();
    private static String relay;

    @BeforeAll
    static void startRelay() throws Exception {
        relay = lab.env("LAB_SSH_HOST") + ":9999";
        Process p = lab.startPiped('s', TunnelLab.java(LabRelay.class.getName(), lab.env("LAB_SSH_HOST"), "9999")
                .toArray(String[]::new));
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertEquals("READY", line, "the relay did not start");
    }

    /** A running LabTunnel in the client namespace. */
    private static final class Tunnel implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final String first;

        Tunnel(List<String> prefix, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            List<String> all = new ArrayList<>(List.of("relay=" + relay));
            all.addAll(List.of(args));
            cmd.addAll(TunnelLab.java(LabTunnel.class.getName(), all.toArray(String[]::new)));
            process = lab.startPiped('c', cmd.toArray(String[]::new));
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            // Skip JVM or logging noise before the status line.
            while (line != null && !line.startsWith("READY") && !line.startsWith("ERROR")) {
                line = out.readLine();
            }
            first = line;
        }

        static Tunnel started(String... args) throws IOException {
            Tunnel t = new Tunnel(List.of(), args);
            assertTrue(t.first != null && t.first.startsWith("READY"), "capture did not start: " + t.first);
            return t;
        }

        String table() {
            return first.replaceAll(".* table=", "");
        }

        long[] stats() throws IOException {
            OutputStream in = process.getOutputStream();
            in.write("stats\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            String line = out.readLine();
            while (line != null && !line.startsWith("STATS")) {
                line = out.readLine();
            }
            Matcher m = Pattern.compile("STATS threads=(\\d+) heap=(\\d+) active=(\\d+) accepted=(\\d+)")
                    .matcher(String.valueOf(line));
            assertTrue(m.matches(), "no stats: " + line);
            return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4))};
        }

        /** Stops it the normal way (EOF on stdin) and returns its exit code. */
        int stop() throws IOException, InterruptedException {
            process.getOutputStream().close();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "LabTunnel did not stop on EOF");
            return process.exitValue();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(20, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static String targetUrl() {
        return "http://" + lab.env("LAB_TARGET") + ":8080/";
    }

    @Test
    void targetIsUnreachableWithoutCapture() throws Exception {
        TunnelLab.Result r = lab.curl(targetUrl(), SHORT);
        assertEquals(28, r.exit(), "curl should time out: " + r.output());
    }

    @Test
    void capturedConnectionsReachTheTargetOverIpv4AndIpv6() throws Exception {
        try (Tunnel t = Tunnel.started("include=" + lab.env("LAB_TARGET_NET") + "," + lab.env("LAB_TARGET_NET6"))) {
            assertEquals(new TunnelLab.Result(0, "burrow-lab-target\n"), lab.curl(targetUrl(), Duration.ofSeconds(20)));
            assertEquals(new TunnelLab.Result(0, "burrow-lab-target\n"),
                    lab.curl("http://[" + lab.env("LAB_TARGET6") + "]:8080/", Duration.ofSeconds(20)));
            assertEquals(0, t.stop());
        }
    }

    @Test
    void excludedAddressIsNotCaptured() throws Exception {
        try (Tunnel t = Tunnel.started("include=" + lab.env("LAB_TARGET_NET"), "exclude=" + lab.env("LAB_TARGET")
                + "/32")) {
            assertEquals(28, lab.curl(targetUrl(), SHORT).exit());
            assertEquals(0, t.stats()[3], "a connection reached the listener");
        }
    }

    @Test
    void portScopedIncludeCapturesOnlyItsPorts() throws Exception {
        try (Tunnel t = Tunnel.started("include=" + lab.env("LAB_TARGET_NET") + ":7000-7999")) {
            assertEquals(28, lab.curl(targetUrl(), SHORT).exit());
            assertEquals(0, t.stats()[3], "a connection to port 8080 reached the listener");
        }
    }

    @Test
    void dnsQueriesToTheLocalResolverAreAnsweredByTheRemoteOne() throws Exception {
        assertEquals(2, lab.run('c', Duration.ofSeconds(30), "getent", "hosts", "secret.lab").exit(),
                "the name must not resolve without the tunnel");
        try (Tunnel t = Tunnel.started("include=" + lab.env("LAB_TARGET_NET"), "dns=" + lab.env("LAB_REMOTE_RESOLVER"))) {
            TunnelLab.Result udp = lab.run('c', Duration.ofSeconds(30), "getent", "ahostsv4", "secret.lab");
            assertEquals(0, udp.exit(), udp.output());
            assertTrue(udp.output().startsWith("198.18.2.2 "), udp.output());
            assertEquals(new TunnelLab.Result(0, "burrow-lab-target\n"),
                    lab.curl("http://secret.lab:8080/", Duration.ofSeconds(20)));
            // DNS over TCP to the local resolver goes through the tunnel too (a client retrying after TC).
            TunnelLab.Result tcp = lab.run('c', Duration.ofSeconds(30), "python3", "-c", TCP_QUERY,
                    lab.env("LAB_CLIENT_RESOLVER"), "secret.lab");
            assertEquals(new TunnelLab.Result(0, "198.18.2.2\n"), tcp);
            assertEquals(1, t.stats()[3], "the HTTP connection, and only it, went through the TCP listener");
        }
    }

    /** One A query over TCP (RFC 1035 4.2.2), printing the first answer's address. */
    private static final String TCP_QUERY = """
            import socket, struct, sys
            server, name = sys.argv[1], sys.argv[2]
            q = struct.pack('>HHHHHH', 0x4242, 0x0100, 1, 0, 0, 0)
            q += b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\\0' + struct.pack('>HH', 1, 1)
            s = socket.create_connection((server, 53), timeout=10)
            s.sendall(struct.pack('>H', len(q)) + q)
            def read(n):
                b = b''
                while len(b) < n:
                    c = s.recv(n - len(b))
                    if not c: raise SystemExit('closed')
                    b += c
                return b
            a = read(struct.unpack('>H', read(2))[0])
            assert a[:2] == b'\\x42\\x42' and struct.unpack('>H', a[6:8])[0] >= 1, a
            print(socket.inet_ntoa(a[-4:]))
            """;

    @Test
    void normalExitRemovesTheTable() throws Exception {
        Tunnel t = Tunnel.started("include=" + lab.env("LAB_TARGET_NET"));
        assertTrue(lab.nftTables('c').contains(t.table()), lab.nftTables('c'));
        assertEquals(0, t.stop());
        assertFalse(lab.nftTables('c').contains("burrow_"), lab.nftTables('c'));
    }

    @Test
    void sigkillLeavesNoTable() throws Exception {
        try (Tunnel t = Tunnel.started("include=" + lab.env("LAB_TARGET_NET"))) {
            assertTrue(lab.nftTables('c').contains(t.table()), lab.nftTables('c'));
            List<ProcessHandle> nft = t.process.toHandle().children()
                    .filter(h -> h.info().command().orElse("").endsWith("/nft")).toList();
            assertEquals(1, nft.size(), "expected one nft child");
            t.process.destroyForcibly();
            assertTrue(t.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(137, t.process.exitValue(), "not killed by SIGKILL");
            // The nft child reads EOF once the JVM is gone, exits, and the kernel drops its owned table.
            CompletableFuture<ProcessHandle> exit = nft.getFirst().onExit();
            exit.get(20, TimeUnit.SECONDS);
            assertFalse(lab.nftTables('c').contains("burrow_"), lab.nftTables('c'));
            assertEquals(28, lab.curl(targetUrl(), SHORT).exit(), "traffic is still redirected");
        }
    }

    @Test
    void listenPortInUseIsOneLineAndInstallsNoRules() throws Exception {
        try (Tunnel first = Tunnel.started("include=" + lab.env("LAB_TARGET_NET"), "port=15123");
                Tunnel second = new Tunnel(List.of(), "include=" + lab.env("LAB_TARGET_NET"), "port=15123")) {
            assertEquals("ERROR cannot listen on 127.0.0.1:15123: Address already in use: choose another listen port,"
                    + " or stop what uses it", second.first);
            assertTrue(second.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(2, second.process.exitValue());
            String tables = lab.nftTables('c');
            assertEquals(1, tables.split("burrow_", -1).length - 1, tables);
            assertTrue(tables.contains(first.table()), tables);
        }
    }

    @Test
    void withoutCapNetAdminIsOneLine() throws Exception {
        try (Tunnel t = new Tunnel(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--"),
                "include=" + lab.env("LAB_TARGET_NET"))) {
            assertEquals("ERROR installing capture rules needs root (CAP_NET_ADMIN): run burrow tunnel as root, or use"
                    + " --method socks", t.first);
        }
        assertFalse(lab.nftTables('c').contains("burrow_"));
    }

    @Test
    void missingNftIsOneLine() throws Exception {
        // /dev/null over the binary, in this command's private mount namespace only.
        String nft = TunnelLabTools.nftPath();
        try (Tunnel t = new Tunnel(List.of("/bin/sh", "-c", "mount --bind /dev/null " + nft + " && exec \"$@\"",
                "sh"), "include=" + lab.env("LAB_TARGET_NET"))) {
            assertEquals("ERROR nft (nftables) not found in PATH, /usr/sbin or /sbin: install nftables (apt-get install"
                    + " nftables), or use --method socks", t.first);
        }
        assertFalse(lab.nftTables('c').contains("burrow_"));
    }

    @Test
    void thousandConcurrentConnectionsEchoIntactAndResourcesReturnToBaseline() throws Exception {
        try (Tunnel t = Tunnel.started("include=" + lab.env("LAB_TARGET_NET"))) {
            // Warm up (class loading, JIT, carrier threads) before taking the baseline.
            assertEquals(0, load(50, 1).exit());
            long[] before = t.stats();
            TunnelLab.Result r = load(1000, 2);
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("LOAD ok=1000 failed=0 corrupt=0"), r.output());
            long[] after = t.stats();
            assertEquals(0, after[2], "connections still open after the load");
            assertEquals(before[3] + 1000, after[3], "accepted connections");
            assertTrue(after[0] <= before[0] + 8, "threads: before " + before[0] + ", after " + after[0]);
            assertTrue(after[1] <= before[1] + 32L * 1024 * 1024,
                    "heap: before " + before[1] + ", after " + after[1]);
            System.out.printf("load: %s; tunnel threads %d -> %d, heap %d KiB -> %d KiB%n", r.output().strip(),
                    before[0], after[0], before[1] / 1024, after[1] / 1024);
        }
    }

    private TunnelLab.Result load(int connections, long seed) throws Exception {
        return lab.run('c', Duration.ofMinutes(6), TunnelLab.java(LoadClient.class.getName(), lab.env("LAB_TARGET"),
                lab.env("LAB_ECHO_PORT"), Integer.toString(connections), "65536", Long.toString(seed))
                .toArray(String[]::new));
    }

    /** Where nft lives on this machine. */
    private static final class TunnelLabTools {
        static String nftPath() throws IOException {
            for (String d : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
                Path p = Path.of(d, "nft");
                if (Files.isExecutable(p)) {
                    return p.toRealPath().toString();
                }
            }
            throw new IOException("no nft");
        }
    }

    @Test
    void renderedRulesetWithEveryFeatureIsAcceptedByNft() throws Exception {
        CaptureSpec spec = new CaptureSpec(
                List.of(Subnet.parse("198.18.2.0/24"), Subnet.parse("198.18.4.0/24:80-90"),
                        Subnet.parse("2001:2:0:2::/64"), Subnet.parse("[2001:2:0:4::]/64:443")),
                List.of(Subnet.parse("198.18.2.9/32"), Subnet.parse("2001:2:0:2::9/128")),
                new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("198.18.1.1"), 22),
                List.of(java.net.InetAddress.ofLiteral("198.18.3.53"), java.net.InetAddress.ofLiteral("2001:2:0:3::53")),
                true);
        Path file = lab.dir().resolve("ruleset.nft");
        Files.writeString(file, NftRuleset.render("burrow_check_1", spec, 15000, 15053, true) + "\n");
        TunnelLab.Result r = lab.run('c', Duration.ofSeconds(20), "nft", "-c", "-f", file.toString());
        assertEquals(new TunnelLab.Result(0, ""), r);
        assertNotEquals("", Files.readString(file));
    }
}

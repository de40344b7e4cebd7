package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.burrow.core.testing.TunnelLab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code burrow tunnel} end to end in the namespace lab (scripts/tunnel-lab.sh): the real CLI in the client
 * namespace, OpenSSH's sshd in the server namespace, the target behind it. Needs root, nft, sshd, dnsmasq;
 * skipped with the reason otherwise.
 */
class TunnelLabEndToEndTest {
    private static final Duration SHORT = Duration.ofSeconds(3);
    private static final String BODY = "burrow-lab-target\n";
    @RegisterExtension
    static final TunnelLab lab = new TunnelLab();
    @TempDir
    static Path dir;
    /** World-readable copies for the non-root run: class path, key, home. */
    private static Path shared;

    @BeforeAll
    static void createHome() throws IOException {
        Files.createDirectories(dir.resolve("home/.ssh"));
    }

    @AfterAll
    static void deleteShared() throws IOException {
        if (shared != null) {
            try (Stream<Path> all = Files.walk(shared)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** A running {@code burrow tunnel}; its merged output is read line by line. */
    private static final class Cli implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final List<String> lines = new ArrayList<>();
        final String status;

        Cli(List<String> prefix, Path home, String... args) throws IOException {
            this(prefix, home, TunnelLab.testClassPath(), args);
        }

        Cli(List<String> prefix, Path home, String classPath, String[] args) throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of("env", "HOME=" + home));
            cmd.addAll(TunnelLab.javaWithClassPath(classPath, "dev.burrow.app.Main", args));
            process = lab.startPiped('c', cmd.toArray(String[]::new));
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("tunnel to ") || line.startsWith("burrow:")) {
                    break;
                }
            }
            status = line;
        }

        static Cli up(String... args) throws IOException {
            Cli cli = new Cli(List.of(), dir.resolve("home"), args);
            assertTrue(cli.status != null && cli.status.startsWith("tunnel to ") && cli.status.contains(" is up"),
                    "tunnel did not come up: " + cli.lines);
            return cli;
        }

        /** The rest of the output, after the process ended. */
        String rest() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                sb.append(line).append('\n');
            }
            return sb.toString();
        }

        /**
         * Stops it with SIGTERM, as a service manager does, and returns the rest of its output. The JVM reports
         * SIGTERM as exit status 143 even after a clean shutdown; "tunnel closed" shows the command finished its
         * cleanup (rules removed first).
         */
        String stop() throws InterruptedException, IOException {
            // Through the handle: Process.destroy() would also close our end of its output pipe.
            process.toHandle().destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "burrow tunnel did not stop on SIGTERM");
            String rest = rest();
            assertEquals(143, process.exitValue(), rest);
            assertTrue(rest.contains("tunnel closed: "), rest);
            return rest;
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static String[] tunnelArgs(String remote, String knownHosts, String... more) {
        List<String> args = new ArrayList<>(List.of("tunnel", "-r", remote, "-i", lab.env("LAB_KEY"),
                "--known-hosts", knownHosts));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String[] nft(String... more) {
        return tunnelArgs("root@" + lab.env("LAB_SSH_HOST"), lab.env("LAB_KNOWN_HOSTS"), more);
    }

    private static String url() {
        return "http://" + lab.env("LAB_TARGET") + ":8080/";
    }

    private static boolean anyBurrowTable() throws IOException, InterruptedException {
        return lab.nftTables('c').contains("burrow_");
    }

    @Test
    void curlReachesTheTargetThroughTheTunnelAndNotWithout() throws Exception {
        assertEquals(28, lab.curl(url(), SHORT).exit(), "the target must be unreachable without the tunnel");
        try (Cli cli = Cli.up(nft(lab.env("LAB_TARGET_NET"), lab.env("LAB_TARGET_NET6")))) {
            assertEquals(new TunnelLab.Result(0, BODY), lab.curl(url(), Duration.ofSeconds(20)));
            assertEquals(new TunnelLab.Result(0, BODY),
                    lab.curl("http://[" + lab.env("LAB_TARGET6") + "]:8080/", Duration.ofSeconds(20)));
            cli.stop();
        }
        assertFalse(anyBurrowTable(), "a normal stop must remove the table");
        assertEquals(28, lab.curl(url(), SHORT).exit());
    }

    @Test
    void dnsResolvesANameOnlyTheRemoteResolverKnows() throws Exception {
        assertEquals(2, lab.run('c', Duration.ofSeconds(30), "getent", "hosts", "secret.lab").exit());
        try (Cli cli = Cli.up(nft("--dns", lab.env("LAB_TARGET_NET")))) {
            TunnelLab.Result r = lab.run('c', Duration.ofSeconds(30), "getent", "ahostsv4", "secret.lab");
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().startsWith(lab.env("LAB_TARGET") + " "), r.output());
            assertEquals(new TunnelLab.Result(0, BODY), lab.curl("http://secret.lab:8080/", Duration.ofSeconds(20)));
            cli.stop();
        }
    }

    @Test
    void excludedSubnetIsNotCaptured() throws Exception {
        try (Cli cli = Cli.up(nft(lab.env("LAB_TARGET_NET"), "-x", lab.env("LAB_TARGET") + "/32"))) {
            assertEquals(28, lab.curl(url(), SHORT).exit());
            cli.stop();
        }
    }

    @Test
    void socksModeWorksForAUserWithoutPrivileges() throws Exception {
        Path base = nobodyFiles();
        Path home = base.resolve("home");
        try (Cli cli = new Cli(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"), home,
                Files.readString(base.resolve("classpath")), new String[] {"tunnel", "-r", "root@"
                        + lab.env("LAB_SSH_HOST"), "-i", base.resolve("key").toString(), "--known-hosts",
                        base.resolve("known_hosts").toString(), "--socks", "127.0.0.1:10800"})) {
            assertTrue(cli.status != null && cli.status.contains("SOCKS5 proxy on 127.0.0.1:10800"), "" + cli.lines);
            assertTrue(Files.readAllLines(Path.of("/proc/" + cli.process.pid() + "/status")).stream()
                    .anyMatch(l -> l.matches("Uid:\\s+65534\\s+65534\\s+65534\\s+65534")), "not running as nobody");
            TunnelLab.Result r = lab.run('c', Duration.ofSeconds(30), "curl", "-sS", "-m", "20",
                    "--socks5-hostname", "127.0.0.1:10800", "http://secret.lab:8080/");
            assertEquals(new TunnelLab.Result(0, BODY), r);
            assertFalse(anyBurrowTable(), "SOCKS mode installs no rules");
            cli.stop();
        }
    }

    /** The class path, key and a home directory, readable by nobody (the test's own files are root's alone). */
    private static Path nobodyFiles() throws IOException {
        shared = Files.createTempDirectory(Path.of("/tmp"), "btl-nobody-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cp = Files.createDirectories(shared.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = cp.resolve((i++) + "-" + from.getFileName());
            if (Files.isDirectory(from)) {
                try (Stream<Path> all = Files.walk(from)) {
                    for (Path p : all.toList()) {
                        Path target = to.resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                        }
                    }
                }
            } else {
                Files.copy(from, to);
            }
            entries.add(to.toString());
        }
        Files.writeString(shared.resolve("classpath"), String.join(java.io.File.pathSeparator, entries));
        Path home = Files.createDirectories(shared.resolve("home/.ssh"));
        Files.copy(Path.of(lab.env("LAB_KEY")), shared.resolve("key"));
        Files.copy(Path.of(lab.env("LAB_KNOWN_HOSTS")), shared.resolve("known_hosts"));
        try (Stream<Path> all = Files.walk(shared)) {
            for (Path p : all.toList()) {
                Files.setAttribute(p, "unix:uid", 65534);
                Files.setAttribute(p, "unix:gid", 65534);
            }
        }
        Files.setPosixFilePermissions(shared.resolve("key"), PosixFilePermissions.fromString("rw-------"));
        return home.getParent().getParent();
    }

    @Test
    void newConnectionsSucceedAfterSshdRestarts() throws Exception {
        try (Cli cli = Cli.up(nft(lab.env("LAB_TARGET_NET")))) {
            assertEquals(new TunnelLab.Result(0, BODY), lab.curl(url(), Duration.ofSeconds(20)));
            lab.restartSshd();
            // The first connection after the restart may be the one that notices the dead session; connections
            // accepted while reconnecting wait for the new session, so this succeeds without retries.
            assertEquals(new TunnelLab.Result(0, BODY), lab.curl(url(), Duration.ofSeconds(30)));
            assertEquals(new TunnelLab.Result(0, BODY), lab.curl(url(), Duration.ofSeconds(20)));
            cli.stop();
        }
    }

    @Test
    void sigkillLeavesNoNftTableBehind() throws Exception {
        try (Cli cli = Cli.up(nft(lab.env("LAB_TARGET_NET")))) {
            assertTrue(anyBurrowTable());
            List<ProcessHandle> nft = cli.process.toHandle().children()
                    .filter(h -> h.info().command().orElse("").endsWith("/nft")).toList();
            assertEquals(1, nft.size(), "expected one nft child");
            cli.process.destroyForcibly();
            assertTrue(cli.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(137, cli.process.exitValue(), "not ended by SIGKILL");
            nft.getFirst().onExit().get(20, TimeUnit.SECONDS);
            assertFalse(anyBurrowTable(), lab.nftTables('c'));
            assertEquals(28, lab.curl(url(), SHORT).exit(), "traffic is still redirected after the kill");
        }
    }

    @Test
    void wrongHostKeyIsRefusedBeforeAnyRuleExists() throws Exception {
        try (Cli cli = new Cli(List.of(), dir.resolve("home"), tunnelArgs("root@" + lab.env("LAB_SSH_HOST"),
                lab.env("LAB_KNOWN_HOSTS_WRONG"), lab.env("LAB_TARGET_NET")))) {
            assertTrue(cli.status != null && cli.status.startsWith("burrow: host key of " + lab.env("LAB_SSH_HOST")
                    + ":22 has changed"), "" + cli.lines);
            assertTrue(cli.process.waitFor(30, TimeUnit.SECONDS));
            assertNotEquals(0, cli.process.exitValue());
        }
        assertFalse(anyBurrowTable());
    }

    @Test
    void serverWithoutTcpForwardingResetsCapturedConnectionsAtOnceAndSaysWhy() throws Exception {
        String[] args = tunnelArgs("root@" + lab.env("LAB_SSH_HOST") + ":" + lab.env("LAB_SSH_NOFWD_PORT"),
                lab.env("LAB_KNOWN_HOSTS"), lab.env("LAB_TARGET_NET"));
        try (Cli cli = new Cli(List.of(), dir.resolve("home"), args)) {
            assertTrue(cli.status != null && cli.status.contains(" is up"), "" + cli.lines);
            long start = System.nanoTime();
            TunnelLab.Result r = lab.curl(url(), Duration.ofSeconds(20));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(56, r.exit(), "expected a reset: " + r.output());
            assertTrue(ms < 5000, "the reset took " + ms + " ms");
            String warning = cli.out.readLine();
            assertTrue(warning != null && warning.startsWith("warning: the SSH server refused to forward to "
                    + lab.env("LAB_TARGET") + ":8080: administratively prohibited")
                    && warning.contains("AllowTcpForwarding no"), warning);
            cli.stop();
        }
    }

    @Test
    void serverClosingFirstReachesTheClientAsEndOfStream() throws Exception {
        // An HTTP/1.1 "Connection: close" exchange read to EOF: the target closes first, the client has not.
        String client = """
                import socket, sys
                s = socket.create_connection((sys.argv[1], 8080), timeout=10)
                s.sendall(b"GET / HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n")
                data = b""
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    data += b
                sys.stdout.write(data.decode().split("\\r\\n\\r\\n", 1)[1])
                """;
        try (Cli cli = Cli.up(nft(lab.env("LAB_TARGET_NET")))) {
            assertEquals(new TunnelLab.Result(0, BODY), lab.run('c', Duration.ofSeconds(30), "python3", "-c", client,
                    lab.env("LAB_TARGET")));
            cli.stop();
        }
    }

    @Test
    void thousandConcurrentConnectionsEchoIntactAndTheTunnelReturnsToBaseline() throws Exception {
        try (Cli cli = Cli.up(nft(lab.env("LAB_TARGET_NET")))) {
            long pid = cli.process.pid();
            assertEquals(0, load(50, 1).exit(), "warm-up");
            long[] before = threadsAndHeap(pid);
            TunnelLab.Result r = load(1000, 2);
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("LOAD ok=1000 failed=0 corrupt=0"), r.output());
            long[] after = threadsAndHeap(pid);
            assertTrue(after[0] <= before[0] + 8, "threads: before " + before[0] + ", after " + after[0]);
            assertTrue(after[1] <= before[1] + 32L * 1024 * 1024, "heap: before " + before[1] + ", after " + after[1]);
            System.out.printf("burrow tunnel load: %s; threads %d -> %d, heap after GC %d KiB -> %d KiB%n",
                    r.output().strip(), before[0], after[0], before[1] / 1024, after[1] / 1024);
            cli.stop();
        }
    }

    private static TunnelLab.Result load(int connections, long seed) throws Exception {
        return lab.run('c', Duration.ofMinutes(6), TunnelLab.java("dev.burrow.core.testing.LoadClient",
                lab.env("LAB_TARGET"), lab.env("LAB_ECHO_PORT"), Integer.toString(connections), "65536",
                Long.toString(seed)).toArray(String[]::new));
    }

    /** Kernel threads of the process (/proc/PID/status) and its heap in use after a full GC (jcmd). */
    private static long[] threadsAndHeap(long pid) throws Exception {
        long threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                threads = Long.parseLong(line.substring(8).strip());
            }
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        TunnelLab.Result gc = lab.run('c', Duration.ofSeconds(60), jcmd, Long.toString(pid), "GC.run");
        assertEquals(0, gc.exit(), gc.output());
        TunnelLab.Result heap = lab.run('c', Duration.ofSeconds(60), jcmd, Long.toString(pid), "GC.heap_info");
        // Serial GC lists each generation ("DefNew     total 78656K, used 699K", "Tenured ..."), G1 one heap
        // line ("garbage-first heap   total reserved ..., used 14086K"); metaspace lines have no "total".
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\S[^\\n]*?\\s+total [^\\n]*?used (\\d+)K")
                .matcher(heap.output());
        long used = 0;
        int parts = 0;
        while (m.find()) {
            used += Long.parseLong(m.group(1)) * 1024;
            parts++;
        }
        assertTrue(parts > 0, heap.output());
        return new long[] {threads, used};
    }
}

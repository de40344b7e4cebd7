package dev.burrow.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The namespace lab of {@code scripts/tunnel-lab.sh} (spec section 7) as a JUnit extension: client {@code c}, SSH
 * server {@code s}, target {@code t}. Register it on a static field,
 * {@code @RegisterExtension static final TunnelLab lab = new TunnelLab();}. Before the class's tests it builds a lab
 * in a new temporary directory, first sweeping labs left by test JVMs that died, and skips the whole class (with the
 * reason) unless it runs as root with the tools the lab needs; after them it removes every namespace and process of
 * the lab, and the directory.
 *
 * <p>Processes started through {@link #start(char, Path, String...)} run as the direct child of this JVM (the
 * script execs into them), so {@link Process#pid()} and {@link Process#destroyForcibly()} reach the real process.
 * Not thread safe: use it from the test thread.
 */
public final class TunnelLab implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> TOOLS = List.of("ip", "nft", "sshd", "dnsmasq", "curl", "python3",
            "ssh-keygen", "setpriv", "getent");

    private final List<Process> started = new ArrayList<>();
    /** Set by {@link #beforeAll}; {@code dir} as soon as it exists, so that {@link #afterAll} cleans up a failed up. */
    private Path script;
    private Path dir;
    private Map<String, String> env;

    /** Whether the lab can run here; if not, the reason. Null means it can. */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the tunnel lab needs root (network namespaces, nftables); running as "
                    + System.getProperty("user.name");
        }
        for (String tool : TOOLS) {
            if (which(tool) == null) {
                return "the tunnel lab needs " + tool + " (apt-get install iproute2 nftables openssh-server dnsmasq"
                        + " curl python3)";
            }
        }
        return null;
    }

    static Path which(String tool) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return Path.of(d, tool);
            }
        }
        return null;
    }

    /** The lab script, found from the working directory (a module directory or the repository root). */
    public static Path script() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("scripts/tunnel-lab.sh");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("scripts/tunnel-lab.sh not found above " + Path.of("").toAbsolutePath());
    }

    /** Builds the lab, or skips the test class when the lab cannot run here. */
    @Override
    public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
        String reason = unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        script = script();
        run(List.of(script.toString(), "sweep"), Duration.ofSeconds(60));
        dir = Files.createTempDirectory("burrow-lab-");
        String prefix = "btl-" + ProcessHandle.current().pid();
        Result up = run(List.of(script.toString(), "up", dir.toString(), prefix), Duration.ofSeconds(60));
        if (up.exit() != 0) {
            throw new IOException("tunnel-lab.sh up failed: " + up.output());
        }
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("lab.env"), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        env = values;
    }

    /** A value from the lab's {@code lab.env}, e.g. {@code LAB_TARGET}. */
    public String env(String key) {
        if (env == null) {
            throw new IllegalStateException("the lab is not up: register TunnelLab on a static @RegisterExtension"
                    + " field");
        }
        String v = env.get(key);
        if (v == null) {
            throw new IllegalArgumentException("lab.env has no " + key);
        }
        return v;
    }

    public Path dir() {
        return dir;
    }

    /** The name of namespace {@code c}, {@code s} or {@code t}. */
    public String namespace(char ns) {
        return env(switch (ns) {
            case 'c' -> "LAB_C";
            case 's' -> "LAB_S";
            case 't' -> "LAB_T";
            default -> throw new IllegalArgumentException("namespace must be c, s or t: " + ns);
        });
    }

    /** Exit code and merged output of a finished command. */
    public record Result(int exit, String output) {
    }

    /** Runs {@code command} in namespace {@code ns} and waits for it (killing it after {@code timeout}). */
    public Result run(char ns, Duration timeout, String... command) throws IOException, InterruptedException {
        return run(inNamespace(ns, command), timeout);
    }

    private List<String> inNamespace(char ns, String... command) {
        List<String> full = new ArrayList<>(List.of(script.toString(), "exec", dir.toString(), String.valueOf(ns)));
        full.addAll(List.of(command));
        return full;
    }

    private static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        p.getOutputStream().close();
        byte[][] out = new byte[1][];
        // A platform thread: reading a process pipe pins a virtual thread's carrier.
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
        reader.join();
        return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code command} in namespace {@code ns}, output appended to {@code log}; stdin is a pipe the caller
     * may write to. The lab stops it on close if it still runs.
     */
    public Process start(char ns, Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(inNamespace(ns, command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        started.add(p);
        return p;
    }

    /** Like {@link #start(char, Path, String...)}, but stdout and stderr come merged through the process's pipe. */
    public Process startPiped(char ns, String... command) throws IOException {
        Process p = new ProcessBuilder(inNamespace(ns, command)).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    /** A {@code java} command line with this test JVM's class path and the flags Burrow's launcher passes. */
    public static List<String> java(String mainClass, String... args) {
        return javaWithClassPath(testClassPath(), mainClass, args);
    }

    /** This test JVM's class path (surefire's real one, not its manifest-only booter jar). */
    public static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Like {@link #java}, with another class path (e.g. copies readable by an unprivileged user). */
    public static List<String> javaWithClassPath(String classPath, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", classPath, mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The nft tables in namespace {@code ns}, as {@code nft list tables} prints them. */
    public String nftTables(char ns) throws IOException, InterruptedException {
        Result r = run(ns, Duration.ofSeconds(20), "nft", "list", "tables");
        assertTrue(r.exit() == 0, "nft list tables failed: " + r.output());
        return r.output();
    }

    /** curl in the client namespace: exit code and body. */
    public Result curl(String url, Duration timeout) throws IOException, InterruptedException {
        return run('c', timeout.plusSeconds(5), "curl", "-sS", "-m", Long.toString(timeout.toSeconds()), url);
    }

    /** Restarts the forwarding sshd and ends its sessions, so clients must reconnect. */
    public void restartSshd() throws IOException, InterruptedException {
        Result r = run(List.of(script.toString(), "sshd-restart", dir.toString()), Duration.ofSeconds(60));
        assertTrue(r.exit() == 0, "sshd-restart failed: " + r.output());
    }

    /** Stops what the tests started, takes the lab down and deletes its directory; keeps the first error. */
    @Override
    public void afterAll(ExtensionContext context) throws IOException, InterruptedException {
        if (dir == null) {
            return;
        }
        try {
            for (Process p : started) {
                if (p.isAlive()) {
                    p.destroy();
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        p.waitFor();
                    }
                }
            }
            Result down = run(List.of(script.toString(), "down", dir.toString()), Duration.ofSeconds(60));
            if (down.exit() != 0) {
                throw new IOException("tunnel-lab.sh down failed: " + down.output());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                deleteTree(dir);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

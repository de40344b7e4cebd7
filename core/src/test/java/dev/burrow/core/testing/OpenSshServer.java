package dev.burrow.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} for tests and benchmarks, on 127.0.0.1 and a free high port, with its own host key,
 * authorized_keys and config in a temporary directory. It runs in the foreground ({@code -D}) in a private mount
 * namespace whose {@code /run} is a tmpfs, because sshd insists on {@code /run/sshd} and the host's {@code /run} must
 * stay untouched; the network namespace is the host's. Needs root, {@code unshare} and {@code /usr/sbin/sshd};
 * {@link #unavailableReason()} says why not.
 */
public final class OpenSshServer implements AutoCloseable {
    public static final Path SSHD = Path.of("/usr/sbin/sshd");

    public final Path dir;
    public final int port;
    private final Process process;

    private OpenSshServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Null when sshd can be started here, else a message for a skipped test. */
    public static String unavailableReason() {
        if (!Files.isExecutable(SSHD)) {
            return SSHD + " is missing (apt-get install openssh-server)";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "starting sshd in a private mount namespace needs root";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            return "/usr/bin/unshare is missing";
        }
        return null;
    }

    /**
     * Starts sshd authorising {@code clientPublicKey}.
     *
     * @param extraConfig more sshd_config lines, e.g. {@code AllowTcpForwarding no}
     */
    public static OpenSshServer start(Path dir, Path clientPublicKey, String... extraConfig) throws IOException {
        Files.createDirectories(dir);
        KeyGen.generate(dir, "ssh_host_ed25519_key", "ed25519", "");
        Files.copy(clientPublicKey, dir.resolve("authorized_keys"));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path config = dir.resolve("sshd_config");
        // sshd takes the first value of a keyword, so the caller's lines go first.
        String lines = String.join("\n", extraConfig) + "\n" + String.join("\n", List.of(
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("ssh_host_ed25519_key"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "AllowTcpForwarding yes",
                "PrintMotd no",
                "LogLevel ERROR")) + "\n";
        Files.writeString(config, lines);
        Process process = new ProcessBuilder("/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh",
                "-c", "mount -t tmpfs -o mode=755 burrow-test-run /run && mkdir -p /run/sshd && exec \"$0\" \"$@\"",
                SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        OpenSshServer server = new OpenSshServer(dir, port, process);
        server.awaitListening();
        return server;
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            }
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                probe.shutdownOutput();
                return;
            } catch (IOException e) {
                try {
                    TimeUnit.MILLISECONDS.sleep(20); // sshd has no readiness signal other than its port.
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", interrupted);
                }
            }
        }
        throw new IOException("sshd did not listen on 127.0.0.1:" + port + ": " + Files.readString(dir.resolve("sshd.log")));
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

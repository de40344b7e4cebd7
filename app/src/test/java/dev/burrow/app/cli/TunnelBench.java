package dev.burrow.app.cli;

import dev.burrow.core.testing.KeyGen;
import dev.burrow.core.testing.OpenSshServer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compares {@code burrow tunnel --method socks} with OpenSSH's {@code ssh -N -L} on this machine, both against the
 * same real sshd on 127.0.0.1 and a loopback source server: single-stream download MB/s and the tunnel process's CPU
 * per MB (from /proc/PID/stat), 200 sequential new connections, and 500 concurrent ones. Not a test: run it with
 * {@code bench/tunnel-loopback-bench.sh}.
 *
 * <p>Usage: {@code TunnelBench MIB [REPS [PATH]]}; PATH limits the run to the paths whose name starts with it
 * ({@code direct}, {@code ssh}, {@code burrow}).
 */
public final class TunnelBench {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux.

    private TunnelBench() { }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String only = args.length > 2 ? args[2] : "";
        String reason = OpenSshServer.unavailableReason();
        if (reason != null) {
            System.err.println("tunnel-bench: " + reason);
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("burrow-tunnel-bench");
        Path key = KeyGen.generate(dir, "id_ed25519", "ed25519", "");
        try (OpenSshServer sshd = OpenSshServer.start(dir.resolve("sshd"), Path.of(key + ".pub"));
             ServerSocket source = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress())) {
            ExecutorService sources = Executors.newVirtualThreadPerTaskExecutor();
            Thread.ofPlatform().daemon().start(() -> serveSource(source, sources));
            String user = System.getProperty("user.name");
            String knownHosts = dir.resolve("known_hosts").toString();
            int burrowPort = freePort();
            Process burrow = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.burrow.app.Main", "tunnel", "--method", "socks", "--accept-new", "--known-hosts", knownHosts,
                    "-r", user + "@127.0.0.1:" + sshd.port, "-i", key.toString(), "--socks", "127.0.0.1:" + burrowPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("burrow.log").toFile()).start();
            int sshPort = freePort();
            Process ssh = new ProcessBuilder("ssh", "-N", "-i", key.toString(), "-o", "UserKnownHostsFile=" + knownHosts,
                    "-o", "StrictHostKeyChecking=accept-new", "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes",
                    "-p", String.valueOf(sshd.port),
                    "-L", "127.0.0.1:" + sshPort + ":127.0.0.1:" + source.getLocalPort(), user + "@127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("ssh.log").toFile()).start();
            try {
                awaitPort(burrowPort, burrow, dir.resolve("burrow.log"));
                awaitPort(sshPort, ssh, dir.resolve("ssh.log"));
                Target viaBurrow = new Target("burrow (MINA, SOCKS5)", burrow.pid(), () -> {
                    Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", burrowPort)));
                    s.connect(new InetSocketAddress("127.0.0.1", source.getLocalPort()));
                    return s;
                });
                Target viaSsh = new Target("ssh -L (OpenSSH)", ssh.pid(),
                        () -> new Socket(InetAddress.getLoopbackAddress(), sshPort));
                Target direct = new Target("direct (no tunnel)", -1,
                        () -> new Socket(InetAddress.getLoopbackAddress(), source.getLocalPort()));
                List<Target> targets = new ArrayList<>();
                for (Target target : List.of(direct, viaSsh, viaBurrow)) {
                    if (target.name.startsWith(only)) {
                        targets.add(target);
                    }
                }
                for (Target target : targets) {
                    download(target, 64); // warm-up: JIT, windows, TCP
                }
                System.out.printf(Locale.ROOT, "%-24s %12s %14s %18s %22s%n", "path", "1-stream MB/s", "CPU ms/MB",
                        "200 new conns (s)", "500 concurrent: failed");
                for (Target target : targets) {
                    for (int rep = 0; rep < reps; rep++) {
                        Result r = download(target, mib);
                        double seq = sequential(target, 200);
                        int failed = concurrent(target, 500, 64 * 1024);
                        System.out.printf(Locale.ROOT, "%-24s %12.0f %14s %18.2f %22d%n", target.name, r.mbPerSecond,
                                target.pid < 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.cpuMsPerMb), seq, failed);
                    }
                }
            } finally {
                burrow.destroy();
                ssh.destroy();
                burrow.waitFor(10, TimeUnit.SECONDS);
                ssh.waitFor(10, TimeUnit.SECONDS);
                sources.shutdownNow();
            }
        }
    }

    interface Opener {
        Socket open() throws IOException;
    }

    record Target(String name, long pid, Opener opener) { }

    record Result(double mbPerSecond, double cpuMsPerMb) { }

    /** The source server: reads an 8-byte count, sends that many bytes, closes. */
    private static void serveSource(ServerSocket server, ExecutorService threads) {
        byte[] block = new byte[64 * 1024];
        new java.util.Random(1).nextBytes(block);
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.execute(() -> {
                    try (s) {
                        long n = new java.io.DataInputStream(s.getInputStream()).readLong();
                        OutputStream out = s.getOutputStream();
                        while (n > 0) {
                            int k = (int) Math.min(block.length, n);
                            out.write(block, 0, k);
                            n -= k;
                        }
                    } catch (IOException e) {
                        // The client counts the failure.
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static long fetch(Target target, long bytes) throws IOException {
        try (Socket s = target.opener.open()) {
            s.setTcpNoDelay(true);
            new DataOutputStream(s.getOutputStream()).writeLong(bytes);
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[128 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
            return total;
        }
    }

    private static Result download(Target target, int mib) throws IOException {
        long bytes = (long) mib << 20;
        long cpu0 = cpuTicks(target.pid);
        long t0 = System.nanoTime();
        long got = fetch(target, bytes);
        long nanos = System.nanoTime() - t0;
        long cpu = cpuTicks(target.pid) - cpu0;
        if (got != bytes) {
            throw new IOException(target.name + ": got " + got + " of " + bytes + " bytes");
        }
        double mb = bytes / 1e6;
        return new Result(mb / (nanos / 1e9), cpu * 1000.0 / TICKS_PER_SECOND / mb);
    }

    private static double sequential(Target target, int count) throws IOException {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (fetch(target, 100) != 100) {
                throw new IOException(target.name + ": short answer on connection " + i);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static int concurrent(Target target, int count, int bytes) throws InterruptedException {
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                all.add(clients.submit(() -> {
                    try {
                        if (fetch(target, bytes) != bytes) {
                            failed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    failed.incrementAndGet();
                    f.cancel(true);
                }
            }
        }
        return failed.get();
    }

    /** utime + stime of a process, in clock ticks; 0 for "no process". */
    private static long cpuTicks(long pid) throws IOException {
        if (pid < 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void awaitPort(int port, Process process, Path log) throws IOException, InterruptedException {
        for (int i = 0; i < 3000; i++) {
            if (!process.isAlive()) {
                throw new IOException("exited: " + Files.readString(log));
            }
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                probe.shutdownOutput();
                return;
            } catch (IOException e) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }
        throw new IOException("nothing listens on " + port + ": " + Files.readString(log));
    }
}

package dev.burrow.core.testing;

import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.Dialer;
import dev.burrow.core.tunnel.capture.CaptureException;
import dev.burrow.core.tunnel.capture.CaptureSpec;
import dev.burrow.core.tunnel.capture.Subnet;
import dev.burrow.core.tunnel.capture.TransparentCapture;
import dev.burrow.core.tunnel.dns.ResolvConf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Burrow's transparent capture with a {@link RelayDialer} instead of SSH, as a process to run in the lab's client
 * namespace. Arguments {@code key=value}: {@code relay=HOST:PORT} (required), {@code server=HOST:PORT} (the address
 * never captured; default the relay), {@code include=SUBNET,...}, {@code exclude=SUBNET,...},
 * {@code dns=REMOTE_RESOLVER} (captures the resolvers of /etc/resolv.conf), {@code port=N}.
 *
 * <p>Prints {@code READY port=P dns=D table=T}, or {@code ERROR message} and exits 2. Then reads commands from
 * stdin: {@code stats} prints {@code STATS threads=N heap=BYTES active=N accepted=N} (after a GC); EOF stops the
 * capture and exits 0.
 */
public final class LabTunnel {
    private LabTunnel() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress relay = null;
        InetSocketAddress server = null;
        List<Subnet> includes = new ArrayList<>();
        List<Subnet> excludes = new ArrayList<>();
        InetSocketAddress remoteResolver = null;
        int port = 0;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            switch (key) {
                case "relay" -> relay = hostPort(value);
                case "server" -> server = hostPort(value);
                case "include" -> {
                    for (String s : value.split(",")) {
                        includes.add(Subnet.parse(s));
                    }
                }
                case "exclude" -> {
                    for (String s : value.split(",")) {
                        excludes.add(Subnet.parse(s));
                    }
                }
                case "dns" -> remoteResolver = new InetSocketAddress(InetAddress.ofLiteral(value), 53);
                case "port" -> port = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        Dialer dialer = new RelayDialer(relay);
        List<InetAddress> resolvers = remoteResolver == null ? List.of() : ResolvConf.nameservers(ResolvConf.SYSTEM);
        CaptureSpec spec = new CaptureSpec(includes, excludes, server == null ? relay : server, resolvers, false);
        TransparentCapture capture;
        try {
            capture = TransparentCapture.start(spec, TransparentCapture.Settings.DEFAULTS.withListenPort(port),
                    (socket, destination) -> relay(dialer, socket, destination), dialer, remoteResolver);
        } catch (CaptureException e) {
            System.out.println("ERROR " + e.getMessage());
            System.out.flush();
            System.exit(2);
            return;
        }
        System.out.println("READY port=" + capture.port() + " dns=" + capture.dnsPort() + " table="
                + capture.tableName());
        System.out.flush();
        try (capture; BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("stats")) {
                    System.gc();
                    Runtime rt = Runtime.getRuntime();
                    System.out.println("STATS threads=" + osThreads() + " heap=" + (rt.totalMemory() - rt.freeMemory())
                            + " active=" + capture.listener().active() + " accepted=" + capture.listener().accepted());
                    System.out.flush();
                }
            }
        }
        System.out.println("STOPPED");
    }

    private static void relay(Dialer dialer, Socket socket, InetSocketAddress destination) throws IOException {
        Conduit conduit = dialer.dial((InetSocketAddress) socket.getRemoteSocketAddress(),
                destination.getAddress().getHostAddress(), destination.getPort());
        try (conduit) {
            StreamPipe.both(socket.getInputStream(), socket.getOutputStream(), () -> LabRelay.shutdownOutput(socket),
                    conduit.input(), conduit.output(), () -> {
                        try {
                            conduit.output().close();
                        } catch (IOException e) {
                            LabRelay.closeQuietly(socket);
                        }
                    }, () -> {
                        LabRelay.closeQuietly(socket);
                        try {
                            conduit.close();
                        } catch (IOException e) {
                            // Aborting anyway.
                        }
                    });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Threads of this process as the kernel counts them (platform threads, not virtual ones). */
    static int osThreads() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).strip());
            }
        }
        throw new IOException("no Threads line in /proc/self/status");
    }

    static InetSocketAddress hostPort(String text) {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(InetAddress.ofLiteral(host), Integer.parseInt(text.substring(colon + 1)));
    }
}

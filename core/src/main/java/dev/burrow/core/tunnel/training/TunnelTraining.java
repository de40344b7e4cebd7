package dev.burrow.core.tunnel.training;

import dev.burrow.core.tunnel.TunnelCounters;
import dev.burrow.core.tunnel.capture.RedirectListener;
import dev.burrow.core.tunnel.relay.Relay;
import dev.burrow.core.tunnel.socks.Socks5Server;
import dev.burrow.core.tunnel.ssh.HostKeyPolicy;
import dev.burrow.core.tunnel.ssh.SshEndpoint;
import dev.burrow.core.tunnel.ssh.SshIdentities;
import dev.burrow.core.tunnel.ssh.SshSettings;
import dev.burrow.core.tunnel.ssh.SshTransport;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;

/**
 * A tunnel's work on loopback, for the JDK's AOT cache (JEP 483, 515). The launcher runs it once per build with
 * {@code -XX:AOTCacheOutput}, and {@code burrow tunnel} then starts with the SSH client's, the relay's and the
 * channels' classes loaded and linked and with their method profiles, so the JIT compiles the per-connection code
 * after tens of connections instead of hundreds (docs/tunnel-capture.md, 2026-12-07).
 *
 * <p>All in this JVM, on 127.0.0.1 only: a MINA SSH server (a host key and a client key made for the run, forwarding
 * allowed), a target that answers an HTTP request, the tunnel's SSH transport, its capture listener (told the
 * destination, as no netfilter rule redirects here) and its SOCKS5 front end, and a client that makes sequential
 * request/answer connections through the listener and one bulk transfer each way through SOCKS5. Every answer is
 * checked: a training that went wrong fails instead of recording the profile of an error path.
 */
public final class TunnelTraining {
    private static final byte[] REQUEST =
            "GET / HTTP/1.1\r\nHost: training\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY = "burrow-training\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length
            + "\r\nConnection: close\r\n\r\nburrow-training\n").getBytes(StandardCharsets.US_ASCII);

    private TunnelTraining() {
    }

    /** What a run did. */
    public record Result(int connections, long bulkBytesEachWay) {
    }

    /** {@code TunnelTraining [CONNECTIONS [BULK_MIB]]}: 1,500 connections and 64 MiB each way by default. */
    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
        long bulk = (args.length > 1 ? Long.parseLong(args[1]) : 64) << 20;
        Path dir = Files.createTempDirectory("burrow-tunnel-training");
        try {
            Result result = run(connections, bulk, dir);
            System.out.println("tunnel training: " + result.connections() + " connections, "
                    + (result.bulkBytesEachWay() >> 20) + " MiB each way");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // MINA's and the relay's threads would keep the JVM up; the cache is written at exit.
        System.exit(0);
    }

    /** Runs the workload; {@code dir} receives the known_hosts file. Throws if any connection went wrong. */
    public static Result run(int connections, long bulkBytes, Path dir) throws IOException, InterruptedException {
        KeyPair hostKey = ecKey();
        KeyPair clientKey = ecKey();
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, clientKey.getPublic()));
        server.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
        // Without it every channel confirmation waits for a delayed ACK, 40 ms a connection.
        CoreModuleProperties.TCP_NODELAY.set(server, true);
        server.start();
        try (server;
             Target target = new Target();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            TunnelCounters counters = new TunnelCounters();
            SshEndpoint endpoint = new SshEndpoint(System.getProperty("user.name", "burrow"), "127.0.0.1",
                    server.getPort());
            SshIdentities identities = new SshIdentities(null, List.of(clientKey), "the training key");
            try (SshTransport transport = SshTransport.connect(endpoint, identities, dir.resolve("known_hosts"),
                         HostKeyPolicy.ACCEPT_NEW, SshSettings.defaults(), counters)) {
                Relay relay = new Relay(threads, counters, Relay.DEFAULT_BUFFER_SIZE);
                InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
                // The requests take the capture path (its listener and socket code); the bulk transfer the SOCKS one.
                InetSocketAddress destination = new InetSocketAddress(InetAddress.getLoopbackAddress(), target.port());
                try (RedirectListener capture = RedirectListener.open(List.of(loopback),
                             (socket, original) -> relay.dialAndRelay(socket, transport,
                                     original.getAddress().getHostAddress(), original.getPort()),
                             (channel, local) -> askNetfilterThen(destination, channel, local), 64);
                     Socks5Server socks = Socks5Server.start(loopback, transport, relay, threads)) {
                    InetSocketAddress captured = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                            capture.port());
                    for (int i = 0; i < connections; i++) {
                        request(captured);
                    }
                    bulk(socks.address(), target.bulkPort(), bulkBytes);
                }
            }
            return new Result(connections, bulkBytes);
        }
    }

    /**
     * Asks netfilter for the original destination as capture does (the same native call; here it finds none, or
     * the listener itself, as nothing was redirected), then names the training's target.
     */
    private static InetSocketAddress askNetfilterThen(InetSocketAddress target, SocketChannel channel,
                                                      InetSocketAddress local) throws IOException {
        RedirectListener.DestinationLookup.SO_ORIGINAL_DST.originalDestination(channel, local);
        return target;
    }

    private static KeyPair ecKey() throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a key for the tunnel training: " + e.getMessage(), e);
        }
    }

    /** One connection through the capture listener to the target: a request, and the whole answer. */
    private static void request(InetSocketAddress listener) throws IOException {
        try (Socket socket = new Socket(listener.getAddress(), listener.getPort())) {
            socket.setTcpNoDelay(true);
            socket.getOutputStream().write(REQUEST);
            byte[] answer = socket.getInputStream().readAllBytes();
            if (!java.util.Arrays.equals(answer, ANSWER)) {
                throw new IOException("tunnel training: wrong answer through the tunnel ("
                        + answer.length + " bytes)");
            }
        }
    }

    /** {@code bytes} up, then as many down, on one connection. */
    private static void bulk(InetSocketAddress socks, int port, long bytes) throws IOException {
        try (Socket socket = connect(socks, port)) {
            byte[] buffer = new byte[64 * 1024];
            OutputStream out = socket.getOutputStream();
            new DataOutputStream(out).writeLong(bytes); // Not closed: that would close the socket.
            for (long left = bytes; left > 0; left -= buffer.length) {
                out.write(buffer, 0, (int) Math.min(buffer.length, left));
            }
            socket.shutdownOutput();
            long back = socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            if (back != bytes) {
                throw new IOException("tunnel training: " + back + " of " + bytes + " bytes came back");
            }
        }
    }

    /** A SOCKS5 CONNECT to 127.0.0.1:{@code port}, no authentication. */
    private static Socket connect(InetSocketAddress socks, int port) throws IOException {
        Socket socket = new Socket(socks.getAddress(), socks.getPort());
        try {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(new byte[] {5, 1, 0});
            byte[] method = new byte[2];
            in.readFully(method);
            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (port >> 8), (byte) port});
            byte[] reply = new byte[10];
            in.readFully(reply);
            if (method[1] != 0 || reply[1] != 0) {
                throw new IOException("tunnel training: the SOCKS5 front end refused (" + reply[1] + ")");
            }
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The far side: one port answers a request, the other takes a length and bytes and sends as many back. */
    private static final class Target implements AutoCloseable {
        private final ServerSocket answering = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        private final ServerSocket bulk = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

        Target() throws IOException {
            threads.submit(() -> serve(answering, Target::answer));
            threads.submit(() -> serve(bulk, Target::echoLength));
        }

        int port() {
            return answering.getLocalPort();
        }

        int bulkPort() {
            return bulk.getLocalPort();
        }

        private interface Handler {
            void handle(Socket socket) throws IOException;
        }

        private Void serve(ServerSocket listener, Handler handler) {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    threads.submit(() -> {
                        try (socket) {
                            handler.handle(socket);
                        }
                        return null;
                    });
                } catch (IOException e) {
                    // Closed: the run is over.
                }
            }
            return null;
        }

        private static void answer(Socket socket) throws IOException {
            InputStream in = socket.getInputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            int b;
            while (matched < end.length && (b = in.read()) >= 0) {
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            socket.getOutputStream().write(ANSWER);
        }

        private static void echoLength(Socket socket) throws IOException {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            long length = in.readLong();
            long got = in.transferTo(OutputStream.nullOutputStream());
            byte[] buffer = new byte[64 * 1024];
            OutputStream out = socket.getOutputStream();
            for (long left = Math.min(length, got); left > 0; left -= buffer.length) {
                out.write(buffer, 0, (int) Math.min(buffer.length, left));
            }
        }

        @Override
        public void close() throws IOException {
            answering.close();
            bulk.close();
            threads.shutdownNow();
        }
    }
}

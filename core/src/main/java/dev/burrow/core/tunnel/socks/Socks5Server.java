package dev.burrow.core.tunnel.socks;

import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.Dialer;
import dev.burrow.core.tunnel.relay.Relay;
import dev.burrow.core.tunnel.ssh.ChannelOpenRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local SOCKS5 proxy (RFC 1928, CONNECT only, no authentication) whose connections go through a {@link Dialer}.
 * IPv4, IPv6 and domain-name targets are supported; names are resolved by the remote side. Needs no privileges.
 *
 * <p>The listener has a large backlog and accepts on its own platform thread ({@code burrow-socks-accept}), so a
 * burst of connections is not dropped; each connection then runs on a virtual thread (handshake, dial, relay). A
 * failed dial is answered with the matching SOCKS5 error and the client socket is closed.
 *
 * <p>Thread safe. {@link #close()} stops accepting; connections end when the executor that runs them is shut down
 * (the owner's job, or this server's when it made the executor).
 */
public final class Socks5Server implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Socks5Server.class.getName());
    /** Listen backlog; the kernel caps it at net.core.somaxconn. */
    public static final int BACKLOG = 4096;
    /** A client must finish its handshake within this time. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

    private final ServerSocket listener;
    private final Dialer dialer;
    private final Relay relay;
    private final ExecutorService connections;
    private final boolean ownsExecutor;
    private final Thread acceptor;

    private Socks5Server(ServerSocket listener, Dialer dialer, Relay relay, ExecutorService connections,
                         boolean ownsExecutor) {
        this.listener = listener;
        this.ownsExecutor = ownsExecutor;
        this.dialer = dialer;
        this.relay = relay;
        this.connections = connections;
        this.acceptor = Thread.ofPlatform().name("burrow-socks-accept").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code address} and starts accepting.
     *
     * @param connections the executor for connection threads, owned by the caller; normally the same
     *                    virtual-thread-per-task executor the relay uses
     * @throws java.net.BindException when the port is in use
     */
    public static Socks5Server start(InetSocketAddress address, Dialer dialer, Relay relay,
                                     ExecutorService connections) throws IOException {
        return start(address, dialer, relay, connections, false);
    }

    /** Like {@link #start(InetSocketAddress, Dialer, Relay, ExecutorService)}, owning a new virtual-thread executor. */
    public static Socks5Server start(InetSocketAddress address, Dialer dialer, Relay relay) throws IOException {
        return start(address, dialer, relay, Executors.newVirtualThreadPerTaskExecutor(), true);
    }

    private static Socks5Server start(InetSocketAddress address, Dialer dialer, Relay relay,
                                      ExecutorService connections, boolean ownsExecutor) throws IOException {
        Objects.requireNonNull(dialer, "dialer");
        Objects.requireNonNull(relay, "relay");
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(address, BACKLOG);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        Socks5Server server = new Socks5Server(listener, dialer, relay, connections, ownsExecutor);
        server.acceptor.start();
        return server;
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "SOCKS accept failed: " + e.getMessage());
                }
                continue;
            }
            try {
                connections.execute(() -> serve(client));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                Relay.reset(client);
            }
        }
    }

    private void serve(Socket client) {
        Conduit conduit;
        try {
            client.setTcpNoDelay(true);
            client.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
            // Unbuffered: a client may send payload right behind its request, and that must stay for the relay.
            InputStream in = client.getInputStream();
            var out = client.getOutputStream();
            Socks5Handshake.Request request;
            try {
                Socks5Handshake.negotiate(in, out);
                request = Socks5Handshake.readRequest(in);
            } catch (Socks5Handshake.ProtocolException e) {
                if (e.reply >= 0) {
                    Socks5Handshake.reply(out, e.reply);
                }
                LOG.log(System.Logger.Level.DEBUG, () -> "SOCKS client " + client.getRemoteSocketAddress() + ": "
                        + e.getMessage());
                client.close();
                return;
            }
            try {
                conduit = dialer.dial((InetSocketAddress) client.getRemoteSocketAddress(), request.host(),
                        request.port());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.INFO, () -> "SOCKS " + request.host() + ":" + request.port() + ": "
                        + e.getMessage());
                Socks5Handshake.reply(out, replyFor(e));
                client.close();
                return;
            }
            try {
                Socks5Handshake.reply(out, Socks5Handshake.REPLY_SUCCEEDED);
                client.setSoTimeout(0);
            } catch (IOException e) {
                conduit.close();
                throw e;
            }
        } catch (SocketTimeoutException e) {
            Relay.reset(client);
            return;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "SOCKS handshake failed: " + e);
            Relay.reset(client);
            return;
        }
        relay.relay(client, conduit);
    }

    static int replyFor(IOException e) {
        if (e instanceof ChannelOpenRefusedException refused) {
            return switch (refused.reasonCode()) {
                case ChannelOpenRefusedException.ADMINISTRATIVELY_PROHIBITED -> Socks5Handshake.REPLY_NOT_ALLOWED;
                case ChannelOpenRefusedException.CONNECT_FAILED -> connectFailureReply(refused.getMessage());
                default -> Socks5Handshake.REPLY_GENERAL_FAILURE;
            };
        }
        return Socks5Handshake.REPLY_GENERAL_FAILURE;
    }

    private static int connectFailureReply(String message) {
        String text = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
        if (text.contains("refused")) {
            return Socks5Handshake.REPLY_CONNECTION_REFUSED;
        }
        if (text.contains("network is unreachable")) {
            return Socks5Handshake.REPLY_NETWORK_UNREACHABLE;
        }
        return Socks5Handshake.REPLY_HOST_UNREACHABLE;
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing the SOCKS listener: " + e);
        }
        acceptor.interrupt();
        if (ownsExecutor) {
            connections.shutdownNow();
        }
    }
}

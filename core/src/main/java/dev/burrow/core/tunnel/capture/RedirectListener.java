package dev.burrow.core.tunnel.capture;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The TCP listener that nftables REDIRECTs captured connections to. For each accepted connection it reads the
 * original destination ({@code SO_ORIGINAL_DST}) and hands socket and destination to a {@link Handler} on a
 * virtual thread of its own.
 *
 * <p>One socket per address family (IPv4 and IPv6 listeners on the same port: REDIRECT of a local connection
 * goes to 127.0.0.1 or ::1, of a forwarded one to the incoming interface's address). Each listener accepts on a
 * dedicated platform thread with a large backlog, so a burst of connections waits in the kernel queue instead of
 * being dropped (sshuttle's backlog of 10 lost hundreds of 500 concurrent connections, spec section 9).
 * Connections that were not redirected (someone connected to the port directly) are closed at once.
 *
 * <p>Thread safe. {@link #close()} stops accepting, closes every open connection and waits for the handlers.
 */
public final class RedirectListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedirectListener.class.getName());
    /** The kernel caps this at {@code net.core.somaxconn} (4096 on current kernels). */
    static final int BACKLOG = 4096;

    /** Serves one captured connection; owns the socket and closes it when done. Called on its own virtual thread. */
    @FunctionalInterface
    public interface Handler {
        void handle(Socket socket, InetSocketAddress originalDestination) throws IOException;
    }

    /**
     * Where a connection accepted by the listener was going. {@link #SO_ORIGINAL_DST} asks netfilter, which is what
     * capture uses; the tunnel's AOT training, which cannot install rules, names its target itself.
     */
    @FunctionalInterface
    public interface DestinationLookup {
        DestinationLookup SO_ORIGINAL_DST = RedirectListener::originalDestination;

        /** The original destination, or null when the connection was made to the listener itself. */
        InetSocketAddress originalDestination(SocketChannel channel, InetSocketAddress local) throws IOException;
    }

    private final List<ServerSocketChannel> servers;
    private final List<Thread> acceptors = new ArrayList<>();
    private final ExecutorService connections;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Semaphore slots;
    private final Handler handler;
    private final DestinationLookup lookup;
    private final int port;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean closed;

    private RedirectListener(List<ServerSocketChannel> servers, int port, Handler handler, DestinationLookup lookup,
                             int maxConnections) {
        this.servers = servers;
        this.port = port;
        this.handler = handler;
        this.lookup = lookup;
        this.slots = new Semaphore(maxConnections);
        this.connections = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("burrow-capture-" + port + "-", 0).factory());
    }

    /**
     * Binds every address on one port and starts accepting. With port 0 in the first address the kernel picks
     * a port, used for the others too.
     *
     * @param maxConnections connections served at once; further ones wait in the listen queue
     * @throws CaptureException when an address cannot be bound (e.g. the port is in use), naming it
     */
    public static RedirectListener open(List<InetSocketAddress> addresses, Handler handler, int maxConnections)
            throws CaptureException {
        return open(addresses, handler, DestinationLookup.SO_ORIGINAL_DST, maxConnections);
    }

    /** Like {@link #open(List, Handler, int)}, with the original destinations found by {@code lookup}. */
    public static RedirectListener open(List<InetSocketAddress> addresses, Handler handler, DestinationLookup lookup,
                                        int maxConnections) throws CaptureException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(lookup, "lookup");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no listen address");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
        }
        SocketFd.check();
        List<ServerSocketChannel> servers = new ArrayList<>();
        int port = addresses.getFirst().getPort();
        try {
            for (InetSocketAddress address : addresses) {
                InetSocketAddress bind = new InetSocketAddress(address.getAddress(), port);
                servers.add(bind(bind));
                port = ((InetSocketAddress) servers.getLast().getLocalAddress()).getPort();
            }
        } catch (IOException e) {
            CaptureException failure = e instanceof CaptureException c ? c
                    : new CaptureException("cannot listen for captured connections: " + e.getMessage(), e);
            for (ServerSocketChannel s : servers) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    failure.addSuppressed(suppressed);
                }
            }
            throw failure;
        }
        RedirectListener listener = new RedirectListener(servers, port, handler, lookup, maxConnections);
        listener.start();
        return listener;
    }

    private static ServerSocketChannel bind(InetSocketAddress address) throws IOException {
        boolean v6 = address.getAddress() instanceof Inet6Address;
        ServerSocketChannel server = ServerSocketChannel.open(v6 ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
        try {
            if (v6) {
                // A dual-stack socket would take IPv4 too, but answer SO_ORIGINAL_DST only for IPv6.
                SocketOptions.setIpv6Only(SocketFd.of(server));
            }
            server.bind(address, BACKLOG);
            return server;
        } catch (BindException e) {
            server.close();
            throw new CaptureException("cannot listen on " + format(address) + ": " + e.getMessage()
                    + (address.getPort() != 0 ? ": choose another listen port, or stop what uses it" : ""), e);
        } catch (IOException e) {
            server.close();
            throw new CaptureException("cannot listen on " + format(address) + ": " + e.getMessage(), e);
        }
    }

    static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private void start() {
        for (ServerSocketChannel server : servers) {
            String name;
            try {
                name = "burrow-capture-accept-" + format((InetSocketAddress) server.getLocalAddress());
            } catch (IOException e) {
                name = "burrow-capture-accept";
            }
            Thread t = Thread.ofPlatform().daemon().name(name).start(() -> acceptLoop(server));
            acceptors.add(t);
        }
    }

    /** The port all listeners share. */
    public int port() {
        return port;
    }

    /** Connections accepted and handed to the handler so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections closed at once because they had not been redirected. */
    public long refused() {
        return refused.get();
    }

    /** Connections being served right now. */
    public int active() {
        return open.size();
    }

    private void acceptLoop(ServerSocketChannel server) {
        while (!closed) {
            SocketChannel channel;
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                slots.release();
                return;
            } catch (IOException e) {
                slots.release();
                if (closed) {
                    return;
                }
                // EMFILE and friends: keep accepting, the next connection may succeed once others close.
                LOG.log(System.Logger.Level.WARNING, "accepting a captured connection failed: {0}", e.getMessage());
                continue;
            }
            open.add(channel);
            try {
                connections.execute(() -> serve(channel));
            } catch (RuntimeException e) {
                // The executor is shut down: we are closing.
                open.remove(channel);
                closeQuietly(channel);
                slots.release();
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        try {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            InetSocketAddress original = lookup.originalDestination(channel, local);
            if (original == null) {
                refused.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "closing a connection to {0} that was not redirected",
                        format(local));
                return;
            }
            accepted.incrementAndGet();
            // The relay writes each chunk as it arrives from the tunnel; with Nagle on, a reply that comes in two
            // pieces (an HTTP head, then its body) waits for the application's delayed ACK before the second one.
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Socket socket = channel.socket();
            handler.handle(socket, original);
        } catch (Exception e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "captured connection failed: {0}", e.toString());
            }
        } finally {
            open.remove(channel);
            closeQuietly(channel);
            slots.release();
        }
    }

    /** The redirected destination, or null when the connection was made to the listener itself. */
    static InetSocketAddress originalDestination(SocketChannel channel, InetSocketAddress local) throws IOException {
        boolean v6 = local.getAddress() instanceof Inet6Address;
        InetSocketAddress original;
        try {
            original = SocketOptions.originalDestination(SocketFd.of(channel), v6);
        } catch (SocketOptions.ErrnoException e) {
            if (e.errno() == SocketOptions.ENOENT || e.errno() == SocketOptions.ENOPROTOOPT) {
                return null;
            }
            throw e;
        }
        // Without NAT, conntrack's original destination is the listener itself.
        return original.equals(local) ? null : original;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a socket that failed: nothing left to do with it.
        }
    }

    /** Stops accepting, closes every open connection, and waits for their handlers to return. */
    @Override
    public void close() {
        closed = true;
        for (ServerSocketChannel server : servers) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a listener: {0}", e.getMessage());
            }
        }
        for (Thread t : acceptors) {
            t.interrupt();
        }
        for (SocketChannel channel : open) {
            closeQuietly(channel);
        }
        connections.close();
        for (Thread t : acceptors) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

package dev.burrow.core.tunnel.dns;

import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.Dialer;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers the DNS queries that the capture rules redirect to it, by asking the remote side's resolver over
 * DNS-over-TCP (RFC 1035 section 4.2.2: a 2-byte length before each message) through a {@link Dialer}. So no
 * query to a captured resolver leaves this host except through the tunnel.
 *
 * <p>UDP: one socket per listen address; each query is answered on a virtual thread, at most
 * {@link Settings#maxConcurrentQueries()} at a time (further ones wait in the socket's receive buffer). The
 * answer is sent from the same socket to the client; with REDIRECT, conntrack rewrites its source back to the
 * resolver the client asked, so the client accepts it. An answer larger than the client's UDP size (512, or its
 * EDNS size) goes back truncated with the TC bit, so the client retries over TCP.
 *
 * <p>TCP: a listener on the same port; each connection is piped as it is to the remote resolver.
 *
 * <p>Connections to the remote resolver are reused across UDP queries (up to {@link Settings#idleConnections()}
 * kept open, one query at a time each); a reused one that turns out closed is replaced once. A query without an
 * answer within {@link Settings#timeout()} is dropped (the client retries).
 *
 * <p>Thread safe; {@link #close()} stops everything and closes every connection.
 */
public final class DnsForwarder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DnsForwarder.class.getName());
    private static final int MAX_MESSAGE = 65535;

    /** Tuning, with the defaults in one place. */
    public record Settings(Duration timeout, int maxConcurrentQueries, int idleConnections) {
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(5), 64, 4);

        public Settings {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            if (maxConcurrentQueries < 1) {
                throw new IllegalArgumentException("maxConcurrentQueries must be positive: " + maxConcurrentQueries);
            }
            if (idleConnections < 0) {
                throw new IllegalArgumentException("idleConnections must not be negative: " + idleConnections);
            }
        }
    }

    private final Dialer dialer;
    private final InetSocketAddress resolver;
    private final Settings settings;
    private final List<DatagramChannel> udp = new ArrayList<>();
    private final List<ServerSocketChannel> tcp = new ArrayList<>();
    private final List<Thread> loops = new ArrayList<>();
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Semaphore slots;
    private final BlockingDeque<Conduit> idle;
    private final java.util.Set<AutoCloseable> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dials = new AtomicLong();
    private int port;
    private volatile boolean closed;

    private DnsForwarder(Dialer dialer, InetSocketAddress resolver, Settings settings) {
        this.dialer = dialer;
        this.resolver = resolver;
        this.settings = settings;
        this.slots = new Semaphore(settings.maxConcurrentQueries());
        this.idle = new LinkedBlockingDeque<>(Math.max(1, settings.idleConnections()));
        this.workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("burrow-dns-", 0).factory());
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("burrow-dns-timeout").factory());
    }

    /**
     * Listens for UDP and TCP DNS on every address, all on one port (port 0 in the first address: the kernel picks
     * one), and starts answering.
     *
     * @param resolver the remote side's resolver, e.g. the first nameserver of the remote /etc/resolv.conf
     * @throws IOException when an address cannot be bound; nothing is left open then
     */
    public static DnsForwarder start(List<InetSocketAddress> addresses, Dialer dialer, InetSocketAddress resolver,
            Settings settings) throws IOException {
        Objects.requireNonNull(dialer, "dialer");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(settings, "settings");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no listen address");
        }
        DnsForwarder forwarder = new DnsForwarder(dialer, resolver, settings);
        try {
            forwarder.bind(addresses);
        } catch (IOException e) {
            forwarder.close();
            throw e;
        }
        forwarder.startLoops();
        return forwarder;
    }

    private void bind(List<InetSocketAddress> addresses) throws IOException {
        int p = addresses.getFirst().getPort();
        for (InetSocketAddress address : addresses) {
            InetSocketAddress at = new InetSocketAddress(address.getAddress(), p);
            StandardProtocolFamily family = at.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET;
            try {
                DatagramChannel d = DatagramChannel.open(family);
                udp.add(d);
                d.bind(at);
                p = ((InetSocketAddress) d.getLocalAddress()).getPort();
                at = new InetSocketAddress(at.getAddress(), p);
                ServerSocketChannel s = ServerSocketChannel.open(family);
                tcp.add(s);
                s.bind(at, 256);
            } catch (BindException e) {
                throw new BindException("cannot listen for DNS on " + format(at) + ": " + e.getMessage()
                        + ": choose another DNS port, or stop what uses it");
            }
        }
        port = p;
    }

    private static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private void startLoops() {
        for (DatagramChannel d : udp) {
            loops.add(Thread.ofPlatform().daemon().name("burrow-dns-udp-" + port).start(() -> udpLoop(d)));
        }
        for (ServerSocketChannel s : tcp) {
            loops.add(Thread.ofPlatform().daemon().name("burrow-dns-tcp-" + port).start(() -> tcpLoop(s)));
        }
    }

    /** The port every listener shares. */
    public int port() {
        return port;
    }

    /** UDP queries answered so far. */
    public long answered() {
        return answered.get();
    }

    /** UDP queries that got no answer (remote failure or timeout). */
    public long failed() {
        return failed.get();
    }

    /** Connections opened to the remote resolver so far (UDP and TCP paths). */
    public long dials() {
        return dials.get();
    }

    private void udpLoop(DatagramChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_MESSAGE);
        while (!closed) {
            SocketAddress client;
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                buffer.clear();
                client = channel.receive(buffer);
            } catch (ClosedChannelException e) {
                slots.release();
                return;
            } catch (IOException e) {
                slots.release();
                LOG.log(System.Logger.Level.WARNING, "receiving a DNS query failed: {0}", e.getMessage());
                continue;
            }
            buffer.flip();
            if (buffer.remaining() < DnsMessages.HEADER) {
                slots.release();
                continue;
            }
            byte[] query = new byte[buffer.remaining()];
            buffer.get(query);
            InetSocketAddress from = (InetSocketAddress) client;
            try {
                workers.execute(() -> {
                    try {
                        answerUdp(channel, query, from);
                    } finally {
                        slots.release();
                    }
                });
            } catch (RuntimeException e) {
                slots.release();
                return;
            }
        }
    }

    private void answerUdp(DatagramChannel channel, byte[] query, InetSocketAddress client) {
        byte[] answer;
        try {
            answer = exchange(query, client);
        } catch (IOException e) {
            failed.incrementAndGet();
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "DNS query from {0} not answered: {1}", client, e.getMessage());
            }
            return;
        }
        if (answer.length > DnsMessages.udpSize(query, query.length)) {
            try {
                answer = DnsMessages.truncated(answer);
            } catch (IndexOutOfBoundsException e) {
                failed.incrementAndGet();
                return;
            }
        }
        try {
            channel.send(ByteBuffer.wrap(answer), client);
            answered.incrementAndGet();
        } catch (IOException e) {
            failed.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, "sending a DNS answer to {0} failed: {1}", client, e.getMessage());
        }
    }

    /** One query over TCP through the tunnel; reuses an idle connection and retries once on a fresh one. */
    byte[] exchange(byte[] query, InetSocketAddress client) throws IOException {
        Conduit reused = idle.pollFirst();
        if (reused != null) {
            try {
                return exchangeOn(reused, query);
            } catch (IOException e) {
                closeQuietly(reused);
                // A kept connection the resolver closed meanwhile: try once more on a new one.
            }
        }
        Conduit conduit = dial(client);
        return exchangeOn(conduit, query);
    }

    private Conduit dial(InetSocketAddress client) throws IOException {
        dials.incrementAndGet();
        return dialer.dial(client, resolver.getAddress() != null ? resolver.getAddress().getHostAddress()
                : resolver.getHostString(), resolver.getPort());
    }

    private byte[] exchangeOn(Conduit conduit, byte[] query) throws IOException {
        open.add(conduit);
        ScheduledFuture<?> timeout = timer.schedule(() -> closeQuietly(conduit), settings.timeout().toMillis(),
                TimeUnit.MILLISECONDS);
        boolean keep = false;
        try {
            OutputStream out = conduit.output();
            byte[] framed = new byte[query.length + 2];
            framed[0] = (byte) (query.length >>> 8);
            framed[1] = (byte) query.length;
            System.arraycopy(query, 0, framed, 2, query.length);
            out.write(framed);
            out.flush();
            DataInputStream in = new DataInputStream(conduit.input());
            byte[] answer;
            try {
                int length = in.readUnsignedShort();
                answer = new byte[length];
                in.readFully(answer);
            } catch (EOFException e) {
                throw new EOFException("the resolver " + format(resolver) + " closed the connection");
            }
            if (answer.length < DnsMessages.HEADER || DnsMessages.id(answer) != DnsMessages.id(query)) {
                throw new IOException("the resolver " + format(resolver) + " answered a different query");
            }
            keep = timeout.cancel(false) && settings.idleConnections() > 0;
            return answer;
        } finally {
            timeout.cancel(false);
            open.remove(conduit);
            if (keep && !closed && idle.offerFirst(conduit)) {
                if (closed && idle.remove(conduit)) {
                    closeQuietly(conduit);
                }
            } else {
                closeQuietly(conduit);
            }
        }
    }

    private void tcpLoop(ServerSocketChannel server) {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "accepting a DNS connection failed: {0}", e.getMessage());
                continue;
            }
            open.add(client);
            try {
                workers.execute(() -> pipeTcp(client));
            } catch (RuntimeException e) {
                open.remove(client);
                closeQuietly(client);
                return;
            }
        }
    }

    private void pipeTcp(SocketChannel client) {
        Conduit conduit = null;
        try {
            conduit = dial((InetSocketAddress) client.getRemoteAddress());
            open.add(conduit);
            Conduit c = conduit;
            InputStream fromClient = client.socket().getInputStream();
            Thread up = Thread.ofVirtual().name("burrow-dns-tcp-up").start(() -> {
                try {
                    copy(fromClient, c.output());
                    c.output().close();
                } catch (IOException e) {
                    closeQuietly(c);
                }
            });
            try {
                copy(conduit.input(), client.socket().getOutputStream());
                client.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(client);
            }
            up.join();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "DNS over TCP failed: {0}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (conduit != null) {
                open.remove(conduit);
                closeQuietly(conduit);
            }
            open.remove(client);
            closeQuietly(client);
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16384];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            // Conduits may buffer until flushed (MINA's channel streams do): a DNS exchange is small and
            // interactive.
            out.flush();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Closing after a failure or on shutdown: nothing more to do with it.
        }
    }

    @Override
    public void close() {
        closed = true;
        for (DatagramChannel d : udp) {
            closeQuietly(d);
        }
        for (ServerSocketChannel s : tcp) {
            closeQuietly(s);
        }
        for (Thread t : loops) {
            t.interrupt();
        }
        for (AutoCloseable c : open) {
            closeQuietly(c);
        }
        for (Conduit c; (c = idle.pollFirst()) != null; ) {
            closeQuietly(c);
        }
        workers.close();
        timer.shutdownNow();
        for (Thread t : loops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

package dev.burrow.core.tunnel.ssh;

import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.Dialer;
import dev.burrow.core.tunnel.SessionState;
import dev.burrow.core.tunnel.TunnelCounters;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.session.ClientSession;

/**
 * The SSH transport of a tunnel: one MINA session to the server, kept up by a supervisor thread, and a
 * {@link Dialer} that opens one {@code direct-tcpip} channel per connection.
 *
 * <p>{@link #connect} makes the first session synchronously, so a wrong host, key or password fails at once with a
 * specific exception. After that the supervisor ({@code burrow-tunnel-supervisor}) watches the session: when it
 * closes, connections in flight fail (their relays reset the clients), the state goes to
 * {@link SessionState#RECONNECTING}, and it reconnects with exponential back-off (1 s doubling up to
 * {@link SshSettings#backoffCap()}). Dials made meanwhile wait up to {@link SshSettings#dialWait()} for the new
 * session. A host key that becomes unknown or changed, or refused authentication, stops reconnecting and closes the
 * transport: {@link #closed()} completes exceptionally with that error.
 *
 * <p>Thread safe. {@link #dial} blocks its caller (a virtual thread). {@link #close()} closes the session, every
 * channel and the client; it is idempotent.
 */
public final class SshTransport implements Dialer, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SshTransport.class.getName());
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

    private final SshConnector connector;
    private final SshSettings settings;
    private final TunnelCounters counters;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread supervisor;
    private final java.util.List<java.util.function.Consumer<IOException>> dialFailureListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Completed with the current session; replaced by an incomplete one while reconnecting. */
    private final AtomicReference<CompletableFuture<ClientSession>> session = new AtomicReference<>();
    /** Sessions that were lost, for the supervisor. */
    private final BlockingQueue<ClientSession> lost = new LinkedBlockingQueue<>();

    private SshTransport(SshConnector connector, SshSettings settings, TunnelCounters counters,
                         ClientSession first) {
        this.connector = connector;
        this.settings = settings;
        this.counters = counters;
        this.session.set(CompletableFuture.completedFuture(first));
        watch(first);
        counters.state(SessionState.UP);
        supervisor = Thread.ofPlatform().name("burrow-tunnel-supervisor").daemon().unstarted(this::supervise);
    }

    /**
     * Connects and authenticates, then starts supervising the session.
     *
     * @param knownHosts the OpenSSH known_hosts file to check (and, with {@link HostKeyPolicy#ACCEPT_NEW}, extend)
     * @throws SshUnreachableException     no TCP connection or SSH handshake
     * @throws UnknownHostKeyException     the host is not in known_hosts and the policy is strict
     * @throws HostKeyChangedException     known_hosts has a different key for the host
     * @throws SshAuthenticationException  no identity was accepted
     */
    public static SshTransport connect(SshEndpoint endpoint, SshIdentities identities, Path knownHosts,
                                       HostKeyPolicy policy, SshSettings settings, TunnelCounters counters)
            throws IOException {
        Objects.requireNonNull(counters, "counters");
        counters.state(SessionState.CONNECTING);
        SshConnector connector = new SshConnector(endpoint, settings, identities, knownHosts, policy);
        ClientSession first;
        try {
            first = connector.connect();
        } catch (IOException | RuntimeException e) {
            counters.state(SessionState.CLOSED);
            try {
                connector.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        SshTransport transport = new SshTransport(connector, settings, counters, first);
        transport.supervisor.start();
        return transport;
    }

    public SshEndpoint endpoint() {
        return connector.endpoint();
    }

    public SessionState state() {
        return counters.state();
    }

    /** Completes when the transport is closed: normally after {@link #close()}, exceptionally on a fatal error. */
    public CompletableFuture<Void> closed() {
        return closed.copy();
    }

    private void watch(ClientSession current) {
        current.addCloseFutureListener(future -> sessionLost(current));
    }

    /**
     * Swaps in an incomplete future once per lost session, so dials wait for the next one, and wakes the supervisor.
     * Called by MINA's close listener and by a dial that finds the session closed first.
     */
    private void sessionLost(ClientSession gone) {
        CompletableFuture<ClientSession> current = session.get();
        if (current.getNow(null) == gone && session.compareAndSet(current, new CompletableFuture<>())) {
            if (!closed.isDone()) {
                counters.state(SessionState.RECONNECTING);
            }
            lost.add(gone);
        }
    }

    private void supervise() {
        try {
            while (!closed.isDone()) {
                lost.take();
                if (closed.isDone()) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, () -> "SSH session to " + connector.endpoint()
                        + " was lost; reconnecting");
                ClientSession next = reconnect();
                watch(next);
                session.get().complete(next);
                counters.reconnected();
                counters.state(SessionState.UP);
                LOG.log(System.Logger.Level.INFO, () -> "SSH session to " + connector.endpoint() + " is back");
            }
        } catch (InterruptedException e) {
            // close() interrupts us: nothing left to supervise.
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "giving up on " + connector.endpoint() + ": " + e.getMessage());
            shutdown(e);
        }
    }

    /** Tries until a session is up; gives up only on errors that retrying cannot fix. */
    private ClientSession reconnect() throws IOException, InterruptedException {
        Duration pause = FIRST_BACKOFF;
        while (true) {
            if (closed.isDone()) {
                throw new InterruptedException("closed");
            }
            try {
                return connector.connect();
            } catch (HostKeyException | SshAuthenticationException e) {
                throw e;
            } catch (IOException e) {
                Duration wait = pause;
                LOG.log(System.Logger.Level.INFO, () -> "reconnecting to " + connector.endpoint() + " failed ("
                        + e.getMessage() + "); next try in " + wait.toSeconds() + " s");
            }
            Thread.sleep(pause);
            pause = pause.multipliedBy(2);
            if (pause.compareTo(settings.backoffCap()) > 0) {
                pause = settings.backoffCap();
            }
        }
    }

    @Override
    public Conduit dial(InetSocketAddress source, String host, int port) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(host, "host");
        try {
            return open(source, host, port);
        } catch (IOException e) {
            counters.dialFailed();
            for (var listener : dialFailureListeners) {
                listener.accept(e);
            }
            throw e;
        } catch (RuntimeException e) {
            counters.dialFailed();
            throw e;
        }
    }

    /**
     * Tells {@code listener} about every failed dial, on the dialling thread, after the failure was counted; for
     * user interfaces that explain refusals such as {@code AllowTcpForwarding no}. The listener must not block.
     */
    public void addDialFailureListener(java.util.function.Consumer<IOException> listener) {
        dialFailureListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private Conduit open(InetSocketAddress source, String host, int port) throws IOException {
        ClientSession current = awaitSession("open " + host + ":" + port);
        // A literal originator address: a name would tell the server nothing more, and looking it up may block.
        String originator = source.getAddress() != null ? source.getAddress().getHostAddress() : "127.0.0.1";
        TunnelConnectionService service = current.getService(TunnelConnectionService.class);
        try {
            return service.openDirectTcpip(host, port, originator, source.getPort(), settings);
        } catch (ChannelOpenRefusedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (!current.isOpen()) {
                throw new TunnelDownException("SSH session to " + connector.endpoint()
                        + " was lost while opening a channel to " + host + ":" + port);
            }
            throw e;
        }
    }

    /** Channels the current session still routes messages to; for tests that look for leaks. */
    int openChannels() {
        ClientSession current = session.get().getNow(null);
        return current == null ? 0 : current.getService(TunnelConnectionService.class).streamCount();
    }

    /**
     * Runs {@code command} on the server (an exec channel) and returns its standard output, for probes such as
     * reading the remote {@code /etc/resolv.conf}.
     *
     * @throws IOException when the command cannot run or exits non-zero
     */
    public String execute(String command, Duration timeout) throws IOException {
        return awaitSession("run '" + command + "'").executeRemoteCommand(command, timeout);
    }

    private ClientSession awaitSession(String purpose) throws IOException {
        if (closed.isDone()) {
            throw new TunnelDownException("the tunnel to " + connector.endpoint() + " is closed");
        }
        CompletableFuture<ClientSession> pending = session.get();
        ClientSession current = pending.getNow(null);
        if (current != null && current.isOpen()) {
            return current;
        }
        if (current != null) {
            // Closing, but MINA's close listener has not run yet: wait for the session after this one.
            sessionLost(current);
            pending = session.get();
        }
        try {
            current = pending.get(settings.dialWait().toMillis(), TimeUnit.MILLISECONDS);
            if (current.isOpen()) {
                return current;
            }
        } catch (TimeoutException e) {
            // Reported below.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the SSH session");
        } catch (ExecutionException e) {
            throw new TunnelDownException("the tunnel to " + connector.endpoint() + " is closed");
        }
        throw new TunnelDownException("no SSH session to " + connector.endpoint() + " within "
                + settings.dialWait().toSeconds() + " s (reconnecting); cannot " + purpose);
    }

    private void shutdown(Throwable cause) {
        counters.state(SessionState.CLOSED);
        if (cause == null) {
            closed.complete(null);
        } else {
            closed.completeExceptionally(cause);
        }
        session.get().completeExceptionally(new TunnelDownException("closed"));
        try {
            connector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the SSH client", e);
        }
        // The session's close listener may have swapped in a fresh future meanwhile; fail that one too.
        session.get().completeExceptionally(new TunnelDownException("closed"));
    }

    @Override
    public void close() {
        if (closed.isDone()) {
            return;
        }
        shutdown(null);
        supervisor.interrupt();
    }
}

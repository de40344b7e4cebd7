package dev.burrow.core.tunnel.relay;

import dev.burrow.core.tunnel.Conduit;
import dev.burrow.core.tunnel.Dialer;
import dev.burrow.core.tunnel.TunnelCounters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Copies bytes between a local client socket and a {@link Conduit}, both ways at once: upload on a virtual thread from
 * the owner's executor, download on the calling thread (which first sends whatever the client sent while the conduit
 * was being opened, one thread hand-off fewer before a request leaves). Each direction uses one buffer of
 * {@link #bufferSize} bytes, grown up to {@link #MAX_BUFFER} while reads keep filling it, and flushes after every read
 * (the SSH channel stream buffers until flushed), so memory per connection is bounded and back-pressure is real: a slow
 * reader on either side stops the copy, which stops reading the other side. An end of stream is passed on as a
 * half-close (SSH EOF upwards, {@code shutdownOutput} downwards); the relay ends when both directions have ended. Any
 * error aborts both: the client gets a TCP reset (linger 0) and the channel is closed.
 *
 * <p>Thread safe: one {@code Relay} serves any number of connections concurrently.
 */
public final class Relay {
    private static final System.Logger LOG = System.getLogger(Relay.class.getName());
    /** As large as an SSH packet's payload: one read fills one packet. */
    public static final int DEFAULT_BUFFER_SIZE = 32 * 1024;
    /** The buffers of a bulk transfer grow to this, in either direction. */
    static final int MAX_BUFFER = 256 * 1024;
    static final int GROW_AFTER_FULL_READS = 4;

    private final ExecutorService executor;
    private final TunnelCounters counters;
    private final int bufferSize;

    /**
     * @param executor   runs the upload direction; owned (and closed) by the caller, normally a
     *                   virtual-thread-per-task executor
     * @param counters   receives bytes and connection counts
     * @param bufferSize bytes per direction per connection
     */
    public Relay(ExecutorService executor, TunnelCounters counters, int bufferSize) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.counters = Objects.requireNonNull(counters, "counters");
        if (bufferSize < 512) {
            throw new IllegalArgumentException("buffer size too small: " + bufferSize);
        }
        this.bufferSize = bufferSize;
    }

    /**
     * Relays until both directions are done or one fails, then closes the socket and the conduit. Blocks the calling
     * thread for the connection's lifetime.
     */
    public void relay(Socket client, Conduit conduit) {
        counters.connectionOpened();
        try {
            byte[] upBuffer = new byte[bufferSize];
            if (!sendWaiting(client, conduit, upBuffer)) {
                abort(client, conduit);
                return;
            }
            Future<Boolean> upload = executor.submit(() -> copyUp(client, conduit, upBuffer));
            boolean ok = copyDown(conduit, client);
            if (!ok) {
                abort(client, conduit);
            }
            try {
                if (!upload.get()) {
                    abort(client, conduit);
                }
            } catch (InterruptedException e) {
                abort(client, conduit);
                upload.cancel(true);
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                abort(client, conduit);
            }
        } finally {
            closeQuietly(client);
            closeQuietly(conduit);
            counters.connectionClosed();
        }
    }

    /**
     * Dials {@code host:port} for a captured client and relays; if the dial fails, the client gets a TCP reset at
     * once. Blocks for the connection's lifetime; closes {@code client} in every case.
     */
    public void dialAndRelay(Socket client, Dialer dialer, String host, int port) {
        Conduit conduit;
        try {
            conduit = dialer.dial((InetSocketAddress) client.getRemoteSocketAddress(), host, port);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, () -> "cannot open " + host + ":" + port + ": " + e.getMessage());
            reset(client);
            return;
        }
        relay(client, conduit);
    }

    /**
     * Sends what the client has sent already (a request is usually waiting by the time the channel is open) from
     * the calling thread, so that it leaves before the upload thread has even started. False when the connection
     * broke.
     */
    private boolean sendWaiting(Socket client, Conduit conduit, byte[] buffer) {
        try {
            InputStream in = client.getInputStream();
            int available = in.available();
            if (available <= 0) {
                return true;
            }
            int n = in.read(buffer, 0, Math.min(available, buffer.length));
            if (n > 0) {
                sendUp(conduit.output(), buffer, n);
            }
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "upload ended: " + e);
            return false;
        }
    }

    /**
     * Client to tunnel. True when the client's stream ended normally. The buffer grows like the download's: a bulk
     * upload then writes several SSH packets per read (the channel stream cuts them to the server's packet size),
     * so this thread parks and wakes once per 256 KiB instead of once per packet.
     */
    private boolean copyUp(Socket client, Conduit conduit, byte[] firstBuffer) {
        byte[] buffer = firstBuffer;
        int fullReads = 0;
        try {
            InputStream in = client.getInputStream();
            OutputStream out = conduit.output();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    sendUp(out, buffer, n);
                }
                if (n == buffer.length && buffer.length < MAX_BUFFER && ++fullReads >= GROW_AFTER_FULL_READS) {
                    buffer = new byte[buffer.length * 2];
                    fullReads = 0;
                }
            }
            out.close(); // SSH EOF: the target sees the half-close.
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "upload ended: " + e);
            return false;
        }
    }

    /** Flushed at once: the channel stream buffers until flushed, and a request must not wait for more. */
    private void sendUp(OutputStream out, byte[] buffer, int n) throws IOException {
        out.write(buffer, 0, n);
        out.flush();
        counters.addBytesUp(n);
    }

    /**
     * Tunnel to client. True when the tunnel's stream ended normally (the peer sent EOF). The buffer grows (up to
     * {@link #MAX_BUFFER}) while reads keep filling it: a bulk download then takes several SSH packets per
     * read, which halves the hand-offs between MINA's I/O thread and this one, the window updates and the socket
     * writes per MB. Interactive connections never fill it and keep the small buffer.
     */
    private boolean copyDown(Conduit conduit, Socket client) {
        byte[] buffer = new byte[bufferSize];
        int fullReads = 0;
        try {
            InputStream in = conduit.input();
            OutputStream out = client.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    out.write(buffer, 0, n);
                    counters.addBytesDown(n);
                }
                if (n == buffer.length && buffer.length < MAX_BUFFER && ++fullReads >= GROW_AFTER_FULL_READS) {
                    buffer = new byte[buffer.length * 2];
                    fullReads = 0;
                }
            }
            client.shutdownOutput();
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "download ended: " + e);
            return false;
        }
    }

    /** Resets the client (RST instead of FIN) and tears the conduit down, which unblocks the other direction. */
    private static void abort(Socket client, Conduit conduit) {
        reset(client);
        closeQuietly(conduit);
    }

    /**
     * Closes {@code client} with a TCP reset (SO_LINGER 0), so the application sees a failure at once instead of a
     * normal end of stream. Used when a dial fails and when a relayed connection breaks.
     */
    public static void reset(Socket client) {
        try {
            if (!client.isClosed()) {
                client.setSoLinger(true, 0);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "SO_LINGER on a broken socket: " + e);
        }
        closeQuietly(client);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Already broken; the first failure has been handled.
            LOG.log(System.Logger.Level.DEBUG, () -> "close: " + e);
        }
    }
}

package dev.burrow.core.tunnel.ssh;

import dev.burrow.core.tunnel.Conduit;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * One {@code direct-tcpip} channel (RFC 4254 §7.2) as a {@link Conduit}, speaking the channel protocol itself on
 * MINA's session: open, window accounting both ways, data, EOF, close. {@link TunnelConnectionService} passes it the
 * channel messages addressed to it, on the session's I/O thread.
 *
 * <p>Why not MINA's {@code ChannelDirectTcpip}: a tunnel opens a channel per TCP connection, and MINA's channel is a
 * stack of a dozen objects (each looking up its logger), listener proxies, two windows, piped streams, futures and a
 * graceful close through chains of closeables on two threads. Until the JIT had compiled all of that, after several
 * hundred connections, opening and closing a channel cost more CPU than the connection's whole relay: 200 sequential
 * connections took twice as long as through sshuttle (docs/tunnel-capture.md). Here a connection is this object,
 * its receive buffer and two locks.
 *
 * <p>Threads: one reader (the relay's download thread), one writer (its upload thread), any thread may close, and the
 * I/O thread delivers. The I/O thread never waits: it takes {@link #lock} only for short updates, and for packets it
 * must send itself (the answer to the server's CLOSE, a refusal of a channel request) it only tries the send lock; a
 * sender that holds it sends them as it lets go.
 *
 * <p>Nothing of this channel is sent after its CLOSE: OpenSSH disconnects the whole session on a packet for a channel
 * it has freed ("data packet referred to nonexistent channel"), which would reset every connection of the tunnel. So
 * every send checks and hands its packet to the session under {@link #sending}, and the close takes it too. That
 * lock is held across MINA's {@code writePacket}, which makes a thread sending channel data wait while a key exchange
 * runs; only this channel's other senders wait with it.
 */
final class DirectTcpipStream implements Conduit {
    private static final System.Logger LOG = System.getLogger(DirectTcpipStream.class.getName());
    private static final int INITIAL_BUFFER = 16 * 1024;
    private static final int MAX_PACKET = 256 * 1024;

    private enum State { OPENING, OPEN, REFUSED, ABANDONED }

    private final TunnelConnectionService service;
    private final Session session;
    private final long id;
    private final String host;
    private final int port;
    /** host:port as messages name it. */
    private final String target;
    private final int windowSize;
    private final int packetSize;
    private final Duration writeStall;
    private final InputStream input = new Input();
    private final OutputStream output = new Output();

    /** Guards everything below up to {@link #sending}; never held while waiting for anything but its condition. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change that a reader, writer or opener may wait for (at most one of each). */
    private final Condition changed = lock.newCondition();
    private State state = State.OPENING;
    private ChannelOpenRefusedException refusal;
    /** The server confirmed the open: {@link #remoteId} is known. */
    private boolean confirmed;
    /** Written once, under the lock, before the opener is woken; volatile so that senders read it without it. */
    private volatile long remoteId;
    private long remoteWindow;
    private int remotePacket;
    /** Received and not yet read: a ring of {@link #buffered} bytes from {@link #head}, grown up to the window. */
    private byte[] ring = new byte[INITIAL_BUFFER];
    private int head;
    private int buffered;
    /** Read since the last window adjustment. */
    private long consumed;
    private boolean eofReceived;
    /** Written under the lock; volatile so that a sender's check before each packet needs no lock. */
    private volatile boolean closeReceived;
    private boolean localClose;
    private String failure;

    /** Held while a packet of this channel is checked and handed to the session, and by the close. */
    private final ReentrantLock sending = new ReentrantLock();
    /** Guarded by {@link #sending}. */
    private boolean closeSent;
    private boolean eofSent;
    private IoWriteFuture lastWrite;
    /** Packets the I/O thread could not send because a sender held {@link #sending}; that sender sends them. */
    private volatile boolean closeReplyDue;
    private final AtomicInteger requestRefusalsDue = new AtomicInteger();

    DirectTcpipStream(TunnelConnectionService service, long id, String host, int port, SshSettings settings) {
        this.service = service;
        this.session = service.getSession();
        this.id = id;
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.target = SshEndpoint.hostAndPort(host, port);
        this.windowSize = (int) Math.min(Integer.MAX_VALUE, settings.windowSize());
        this.packetSize = settings.packetSize();
        this.writeStall = settings.writeStall();
    }

    long id() {
        return id;
    }

    /**
     * Sends CHANNEL_OPEN and waits for the server's answer.
     *
     * @throws ChannelOpenRefusedException the server refused (its reason code and text)
     * @throws SocketTimeoutException      no answer within {@code timeout}; a late confirmation is closed at once
     */
    void open(String originatorHost, int originatorPort, Duration timeout) throws IOException {
        Buffer open = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_OPEN, 64 + host.length());
        open.putString("direct-tcpip");
        open.putUInt(id);
        open.putUInt(windowSize);
        open.putUInt(packetSize);
        open.putString(host);
        open.putUInt(port);
        open.putString(originatorHost);
        open.putUInt(originatorPort);
        session.writePacket(open);
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (state == State.OPENING && failure == null) {
                if (left <= 0) {
                    state = State.ABANDONED;
                    throw new SocketTimeoutException("the SSH server did not answer the channel open to " + target
                            + " within " + timeout.toSeconds() + " s");
                }
                left = changed.awaitNanos(left);
            }
            if (state == State.REFUSED) {
                throw refusal;
            }
            if (failure != null) {
                throw new TunnelDownException(failure + " while opening a channel to " + target);
            }
        } catch (InterruptedException e) {
            state = State.ABANDONED;
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening a channel to " + target);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public InputStream input() {
        return input;
    }

    /** Not buffered: every write goes out as it is made ({@code flush()} does nothing); closing it sends EOF. */
    @Override
    public OutputStream output() {
        return output;
    }

    /** Tears the channel down: both directions end at once, and the server gets CHANNEL_CLOSE. */
    @Override
    public void close() {
        lock.lock();
        try {
            localClose = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        sending.lock();
        try {
            sendClose();
        } catch (IOException e) {
            // The session broke; its end closes every channel, this one included.
            LOG.log(System.Logger.Level.DEBUG, () -> "closing " + this + ": " + e);
        } finally {
            release();
        }
    }

    // ---- Messages from the server, on the session's I/O thread (TunnelConnectionService) ----

    /** Dispatches one channel message whose recipient was this channel; {@code buffer} is past the recipient id. */
    void handle(int command, Buffer buffer) throws IOException {
        switch (command) {
            case SshConstants.SSH_MSG_CHANNEL_OPEN_CONFIRMATION -> opened(buffer);
            case SshConstants.SSH_MSG_CHANNEL_OPEN_FAILURE -> refused(buffer);
            case SshConstants.SSH_MSG_CHANNEL_WINDOW_ADJUST -> windowAdjusted(buffer.getUInt());
            case SshConstants.SSH_MSG_CHANNEL_DATA -> received(buffer, true);
            // A direct-tcpip channel has no extended data; some sent anyway is dropped, counted as read.
            case SshConstants.SSH_MSG_CHANNEL_EXTENDED_DATA -> {
                buffer.getUInt();
                received(buffer, false);
            }
            case SshConstants.SSH_MSG_CHANNEL_EOF -> update(() -> eofReceived = true);
            case SshConstants.SSH_MSG_CHANNEL_CLOSE -> peerClosed();
            case SshConstants.SSH_MSG_CHANNEL_REQUEST -> requested(buffer);
            default -> { } // CHANNEL_SUCCESS or FAILURE: we never ask, so there is nothing to match them to.
        }
    }

    /** The session is gone: everyone waiting fails, after reading what had arrived. */
    void sessionLost(String why) {
        update(() -> {
            if (failure == null) {
                failure = why;
            }
        });
    }

    private void opened(Buffer buffer) {
        boolean abandoned;
        lock.lock();
        try {
            confirmed = true;
            remoteId = buffer.getUInt();
            remoteWindow = buffer.getUInt();
            // Payload per DATA packet, as OpenSSH counts it; capped so that one packet stays one modest array.
            remotePacket = (int) Math.min(MAX_PACKET, Math.max(1, buffer.getUInt()));
            abandoned = state == State.ABANDONED;
            if (abandoned) {
                localClose = true;
            } else {
                state = State.OPEN;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (abandoned) {
            // The dial gave up waiting; the server's end is open all the same, so close it.
            sendFromIoThread(this::sendClose, () -> closeReplyDue = true);
        }
    }

    private void refused(Buffer buffer) {
        int reason = buffer.getInt();
        String text = buffer.available() >= 4 ? buffer.getString() : "";
        lock.lock();
        try {
            refusal = new ChannelOpenRefusedException(host, port, reason, text, null);
            state = State.REFUSED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        service.forget(this);
    }

    private void windowAdjusted(long bytes) {
        update(() -> remoteWindow = Math.min(remoteWindow + bytes, 0xFFFF_FFFFL));
    }

    private void received(Buffer buffer, boolean keep) throws IOException {
        int length = buffer.getInt();
        if (length < 0 || length > buffer.available()) {
            throw new IOException("malformed channel data from the SSH server (" + length + " bytes announced)");
        }
        lock.lock();
        try {
            if (!keep || localClose) {
                // Dropped: counted as read, so its window goes back with the next adjustment (if any read follows).
                consumed += length;
                return;
            }
            if (buffered + length > windowSize) {
                // A server bug; the relay ends this connection, the session goes on.
                failure = "the SSH server sent more than the channel window";
                changed.signalAll();
                return;
            }
            if (buffered + length > ring.length) {
                grow(buffered + length);
            }
            int tail = (head + buffered) % ring.length;
            int first = Math.min(length, ring.length - tail);
            System.arraycopy(buffer.array(), buffer.rpos(), ring, tail, first);
            System.arraycopy(buffer.array(), buffer.rpos() + first, ring, 0, length - first);
            buffered += length;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** With {@link #lock} held. Doubles (up to the window) and unwraps the ring. */
    private void grow(int needed) {
        int size = ring.length;
        while (size < needed) {
            size = (int) Math.min((long) size * 2, windowSize);
        }
        byte[] bigger = new byte[size];
        int first = Math.min(buffered, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, first);
        System.arraycopy(ring, 0, bigger, first, buffered - first);
        ring = bigger;
        head = 0;
    }

    private void peerClosed() {
        update(() -> closeReceived = true);
        sendFromIoThread(this::sendClose, () -> closeReplyDue = true);
    }

    /** OpenSSH's sshd sends {@code keepalive@openssh.com} on a channel when it has one; it wants a FAILURE back. */
    private void requested(Buffer buffer) {
        buffer.getString();
        if (buffer.getBoolean()) {
            sendFromIoThread(this::sendRequestRefusal, requestRefusalsDue::incrementAndGet);
        }
    }

    /**
     * Sends a packet the I/O thread owes the server, unless a sender holds the send lock: then {@code leave} marks it
     * due, and that sender sends it as it lets go (the I/O thread must never wait for a sender, which may itself be
     * waiting for a key exchange that only the I/O thread can finish).
     */
    private void sendFromIoThread(IoAction send, Runnable leave) {
        if (sending.tryLock()) {
            try {
                send.run();
            } catch (IOException e) {
                sessionLost("the SSH session failed (" + e.getMessage() + ")");
            } finally {
                release();
            }
        } else {
            leave.run();
            sendDueFromOtherThreads();
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    private void update(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- Sending, always with the send lock held ----

    /** Sends our CLOSE once the server knows the channel; forgets the channel once both sides have closed. */
    private void sendClose() throws IOException {
        boolean known;
        boolean peerClosed;
        long recipient;
        lock.lock();
        try {
            known = confirmed && failure == null;
            peerClosed = closeReceived;
            recipient = remoteId;
        } finally {
            lock.unlock();
        }
        if (!closeSent && known) {
            closeSent = true;
            Buffer close = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_CLOSE, 8);
            close.putUInt(recipient);
            session.writePacket(close);
        }
        if (closeSent && peerClosed) {
            service.forget(this);
        }
    }

    private void sendRequestRefusal() throws IOException {
        if (closeSent) {
            return;
        }
        Buffer failure = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_FAILURE, 8);
        failure.putUInt(remoteId);
        session.writePacket(failure);
    }

    /**
     * Lets go of the send lock, then sends what the I/O thread left to us meanwhile. The I/O thread sets its flag
     * before it tries the lock; if the try failed, the lock was held, so the holder's read here, after its unlock,
     * sees the flag.
     */
    private void release() {
        sending.unlock();
        sendDueFromOtherThreads();
    }

    private void sendDueFromOtherThreads() {
        while ((closeReplyDue || requestRefusalsDue.get() > 0) && sending.tryLock()) {
            try {
                for (int i = requestRefusalsDue.getAndSet(0); i > 0; i--) {
                    sendRequestRefusal();
                }
                if (closeReplyDue) {
                    closeReplyDue = false;
                    sendClose();
                }
            } catch (IOException e) {
                sessionLost("the SSH session failed (" + e.getMessage() + ")");
            } finally {
                sending.unlock();
            }
        }
    }

    /** Why reading or writing cannot go on, with {@link #lock} held; null while it can. */
    private IOException broken() {
        if (failure != null) {
            return new IOException(failure + " while relaying to " + target);
        }
        if (localClose) {
            return new IOException("channel to " + target + " is closed");
        }
        return null;
    }

    private final class Input extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        /**
         * Blocks until data, the server's EOF, or a failure. An end without the server's EOF (its CLOSE alone, or
         * the session lost) is an {@link IOException}, never a clean end, so a relay resets its client instead of
         * passing a truncated stream on as complete.
         */
        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, into.length);
            if (length == 0) {
                return 0;
            }
            long adjust = 0;
            int n;
            lock.lock();
            try {
                while (buffered == 0) {
                    if (eofReceived) {
                        return -1;
                    }
                    IOException broken = broken();
                    if (broken == null && closeReceived) {
                        broken = new IOException("the SSH server closed the channel to " + target
                                + " without an end of stream");
                    }
                    if (broken != null) {
                        throw broken;
                    }
                    changed.await();
                }
                n = Math.min(length, buffered);
                int first = Math.min(n, ring.length - head);
                System.arraycopy(ring, head, into, offset, first);
                System.arraycopy(ring, 0, into, offset + first, n - first);
                head = (head + n) % ring.length;
                buffered -= n;
                consumed += n;
                // Half the window read: give it back. Fewer, larger adjustments; the other half keeps data flowing.
                if (consumed >= windowSize / 2) {
                    adjust = consumed;
                    consumed = 0;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading from " + target);
            } finally {
                lock.unlock();
            }
            if (adjust > 0) {
                sendWindowAdjust(adjust);
            }
            return n;
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return buffered;
            } finally {
                lock.unlock();
            }
        }

        private void sendWindowAdjust(long bytes) throws IOException {
            sending.lock();
            try {
                if (closeSent || closeReceived) {
                    return;
                }
                Buffer adjust = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_WINDOW_ADJUST, 16);
                adjust.putUInt(remoteId);
                adjust.putUInt(bytes);
                session.writePacket(adjust);
            } finally {
                release();
            }
        }
    }

    private final class Output extends OutputStream {
        private final byte[] one = new byte[1];

        @Override
        public void write(int b) throws IOException {
            one[0] = (byte) b;
            write(one, 0, 1);
        }

        /**
         * Sends {@code length} bytes as DATA packets, each as large as the server's window and packet size allow;
         * blocks while the window is closed (a slow reader on the far side stops us, up to the write stall), and
         * while the previous packet still waits for the socket, so at most one packet per channel is queued.
         */
        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, data.length);
            while (length > 0) {
                int chunk = reserveWindow(length);
                sending.lock();
                try {
                    if (closeSent || closeReceived || eofSent) {
                        throw new EOFException("channel to " + target + " is closed");
                    }
                    awaitLastWrite();
                    Buffer packet = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_DATA, chunk + 16);
                    packet.putUInt(remoteId);
                    packet.putBytes(data, offset, chunk);
                    lastWrite = session.writePacket(packet);
                } finally {
                    release();
                }
                offset += chunk;
                length -= chunk;
            }
        }

        /** Takes up to {@code wanted} bytes of the server's window, waiting while it is closed. */
        private int reserveWindow(int wanted) throws IOException {
            lock.lock();
            try {
                long left = writeStall.toNanos();
                while (remoteWindow == 0) {
                    IOException broken = broken();
                    if (broken != null) {
                        throw broken;
                    }
                    if (closeReceived) {
                        throw new EOFException("channel to " + target + " is closed");
                    }
                    if (left <= 0) {
                        throw new SocketTimeoutException("the SSH server's window for " + target
                                + " stayed closed for " + writeStall.toSeconds() + " s");
                    }
                    left = changed.awaitNanos(left);
                }
                int chunk = (int) Math.min(Math.min(wanted, remoteWindow), remotePacket);
                remoteWindow -= chunk;
                return chunk;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending to " + target);
            } finally {
                lock.unlock();
            }
        }

        /** With {@link #sending} held. Waits for the socket to take the previous packet of this channel. */
        private void awaitLastWrite() throws IOException {
            IoWriteFuture last = lastWrite;
            if (last == null || last.isDone()) {
                checkWritten(last);
                return;
            }
            // A listener that signals our condition: MINA's own await is an Object.wait, which resumes a virtual
            // thread through the JDK's unblocker thread.
            last.addListener(f -> update(() -> { }));
            lock.lock();
            try {
                long left = writeStall.toNanos();
                while (!last.isDone()) {
                    IOException broken = broken();
                    if (broken != null) {
                        throw broken;
                    }
                    if (left <= 0) {
                        throw new SocketTimeoutException("the SSH connection did not take data for " + target
                                + " for " + writeStall.toSeconds() + " s");
                    }
                    left = changed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending to " + target);
            } finally {
                lock.unlock();
            }
            checkWritten(last);
        }

        private void checkWritten(IoWriteFuture last) throws IOException {
            if (last != null && last.getException() != null) {
                throw new IOException("the SSH session failed while sending to " + target, last.getException());
            }
        }

        @Override
        public void flush() {
            // Every write is sent as it is made.
        }

        /** Half-close: the server gets CHANNEL_EOF, and data can still arrive. */
        @Override
        public void close() throws IOException {
            sending.lock();
            try {
                if (eofSent || closeSent || closeReceived) {
                    return;
                }
                eofSent = true;
                Buffer eof = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_EOF, 8);
                eof.putUInt(remoteId);
                session.writePacket(eof);
            } finally {
                release();
            }
        }
    }

    @Override
    public String toString() {
        return "direct-tcpip#" + id + " to " + target;
    }
}
